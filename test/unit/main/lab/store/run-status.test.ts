// Run status transitions: what is allowed, what is refused, and the timestamps and errors each one leaves.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunStatus } from '../../../../../src/shared/contract';
import { RUN_TRANSITIONS, type Store } from '../../../../../src/main/lab/store';
import { cleanup, createExperiment, makeTempDir, openTemp, steppingClock } from './helpers';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = makeTempDir();
  store = openTemp(dir, { now: steppingClock('2025-03-01T10:00:00.000Z', 1000) });
});
afterEach(() => {
  store.close();
  cleanup(dir);
});

/** A run driven to `status` through allowed transitions. */
function runIn(status: RunStatus): string {
  const { runIds } = createExperiment(store, {}, ['base']);
  const id = runIds[0];
  const path: Record<RunStatus, RunStatus[]> = {
    queued: [],
    running: ['running'],
    completed: ['running', 'completed'],
    failed: ['running', 'failed'],
    cancelled: ['cancelled'],
    interrupted: ['running', 'interrupted'],
  };
  for (const s of path[status]) store.setRunStatus(id, s);
  return id;
}

const ALL: RunStatus[] = ['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted'];

describe('setRunStatus', () => {
  it('accepts exactly the transitions in RUN_TRANSITIONS and refuses every other pair unchanged', () => {
    for (const from of ALL) {
      for (const to of ALL) {
        const id = runIn(from);
        if (RUN_TRANSITIONS[from].includes(to)) {
          expect(store.setRunStatus(id, to).status, `${from} → ${to}`).toBe(to);
        } else {
          expect(() => store.setRunStatus(id, to), `${from} → ${to}`).toThrow(expect.objectContaining({ code: 'failed_precondition', field: 'status' }));
          expect(store.getRunSummary(id).status).toBe(from);
        }
      }
    }
  });

  it('completed → running is refused with a message naming both statuses', () => {
    const id = runIn('completed');
    expect(() => store.setRunStatus(id, 'running')).toThrow(expect.objectContaining({ message: expect.stringMatching(new RegExp(`run ${id} is completed and cannot become running`)) }));
  });

  it('sets started/finished timestamps and the duration, using given times when passed', () => {
    const id = runIn('queued');
    const running = store.setRunStatus(id, 'running', { startedAt: '2025-03-01T12:00:00.000Z' });
    expect(running).toMatchObject({ startedAt: '2025-03-01T12:00:00.000Z', finishedAt: null, durationMs: null });
    const done = store.setRunStatus(id, 'completed', { finishedAt: '2025-03-01T12:01:30.000Z' });
    expect(done).toMatchObject({ status: 'completed', finishedAt: '2025-03-01T12:01:30.000Z', durationMs: 90_000, error: null });
  });

  it('keeps the error of a failed run and clears it when the run is queued again; a resumed run keeps its first start', () => {
    const id = runIn('running');
    const firstStart = store.getRunSummary(id).startedAt;
    expect(firstStart).not.toBeNull();
    expect(store.setRunStatus(id, 'failed', { error: 'out of memory' })).toMatchObject({ status: 'failed', error: 'out of memory' });
    expect(store.setRunStatus(id, 'queued')).toMatchObject({ status: 'queued', error: null, finishedAt: null });
    expect(store.setRunStatus(id, 'running').startedAt).toBe(firstStart);
  });

  it('refuses unknown statuses, bad timestamps and unknown runs', () => {
    const id = runIn('queued');
    expect(() => store.setRunStatus(id, 'paused' as RunStatus)).toThrow(expect.objectContaining({ code: 'invalid_argument', field: 'status' }));
    expect(() => store.setRunStatus(id, 'running', { startedAt: 'yesterday' })).toThrow(expect.objectContaining({ code: 'invalid_argument', field: 'startedAt' }));
    expect(() => store.setRunStatus('run_nope', 'running')).toThrow(expect.objectContaining({ code: 'not_found', message: expect.stringContaining('run_nope') }));
  });
});
