// The sweeps repository on a real SQLite file: a sweep and its cells stored with their experiments, status derived from
// the cells' runs, cancel and pause flags, and cells that go with their experiment.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../../../src/main/lab/store';
import { sweepStatus } from '../../../../../src/main/lab/store/sweeps';
import { type RunStatus } from '../../../../../src/shared/contract';
import { PRESETS } from '../../../../../src/shared/presets';
import { planSweep } from '../../../../../src/shared/sweep-plan';
import { SweepSpecSchema } from '../../../../../src/shared/sweep-spec';
import { cleanup, createExperiment, makeTempDir } from './helpers';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = makeTempDir();
  store = openStore(path.join(dir, 'lab.sqlite'));
});
afterEach(() => {
  store.close();
  cleanup(dir);
});

const spec = SweepSpecSchema.parse({
  name: 'grid',
  base: PRESETS.quick.config,
  axes: [{ path: 'advReg.multiplier', values: [0.05, 0.2] }, { path: 'advReg.advStepSize', values: [0.1, 0.2] }],
});

function storeSweep() {
  const plan = planSweep(spec);
  return store.transaction(() => {
    const cells = plan.cells.map((c) => ({ index: c.index, values: c.values, experimentId: createExperiment(store, c.config).experimentId }));
    return store.createSweep({ spec, gridSize: plan.gridSize, workers: 2, baseExperimentId: null, cells });
  });
}

const counts = (patch: Partial<Record<RunStatus, number>>): Record<RunStatus, number> => ({ queued: 0, running: 0, completed: 0, failed: 0, cancelled: 0, interrupted: 0, ...patch });

describe('sweeps in the store', () => {
  it('stores the spec and one cell per grid point with its experiment, the runs counted by status', () => {
    const s = storeSweep();
    expect(s.id).toMatch(/^swp_[A-Za-z0-9]{10}$/);
    expect([s.name, s.gridSize, s.cellCount, s.workers, s.status]).toEqual(['grid', 4, 4, 2, 'queued']);
    expect(s.runs).toEqual(counts({ queued: 8 }));
    expect(s.cellsByStatus).toEqual({ done: 0, running: 0, queued: 4, failed: 0, cancelled: 0, interrupted: 0 });
    expect(s.spec).toEqual(spec);
    const d = store.getSweep(s.id);
    expect(d.cells.map((c) => [c.index, c.values])).toEqual([
      [0, { 'advReg.multiplier': 0.05, 'advReg.advStepSize': 0.1 }],
      [1, { 'advReg.multiplier': 0.05, 'advReg.advStepSize': 0.2 }],
      [2, { 'advReg.multiplier': 0.2, 'advReg.advStepSize': 0.1 }],
      [3, { 'advReg.multiplier': 0.2, 'advReg.advStepSize': 0.2 }],
    ]);
    expect(d.cells.every((c) => c.runs.length === 2 && c.runs.every((r) => r.experimentId === c.experimentId))).toBe(true);
    expect(store.listSweeps().map((x) => x.id)).toEqual([s.id]);
  });

  it('follows its runs: running, completed; cancel is a flag; a deleted experiment takes its cell along', () => {
    const s = storeSweep();
    const d = store.getSweep(s.id);
    const [first, second] = d.cells.map((c) => c.runs.map((r) => r.id));
    store.setRunStatus(first![0]!, 'running');
    expect(store.getSweep(s.id).status).toBe('running');
    store.setRunStatus(first![0]!, 'completed');
    expect(store.getSweep(s.id).runs).toEqual(counts({ queued: 7, completed: 1 }));
    store.setRunStatus(first![1]!, 'running');
    store.setRunStatus(first![1]!, 'completed');
    expect(store.listSweeps()[0]!.cellsByStatus).toMatchObject({ done: 1, queued: 3 });
    store.deleteExperiment(d.cells[1]!.experimentId);
    expect(store.getSweep(s.id).cells.map((c) => c.index)).toEqual([0, 2, 3]);
    expect(second).toHaveLength(2);
    expect(store.setSweepCancelled(s.id, true).cancelledAt).not.toBeNull();
    expect(store.setSweepCancelled(s.id, false).cancelledAt).toBeNull();
    expect(() => store.getSweep('swp_nope000000')).toThrow(/sweep swp_nope000000 does not exist/);
  });
});

describe('sweepStatus', () => {
  it('says what a person would: running beats everything, then cancelled, interrupted, queued, done, failed', () => {
    expect(sweepStatus(counts({ queued: 3 }), false)).toBe('queued');
    expect(sweepStatus(counts({ queued: 2, completed: 1 }), false)).toBe('running');
    expect(sweepStatus(counts({ running: 1, queued: 2 }), true)).toBe('running');
    expect(sweepStatus(counts({ completed: 2, cancelled: 1 }), true)).toBe('cancelled');
    expect(sweepStatus(counts({ completed: 2, interrupted: 1 }), false)).toBe('interrupted');
    expect(sweepStatus(counts({ completed: 3 }), false)).toBe('completed');
    expect(sweepStatus(counts({ completed: 2, failed: 1 }), false)).toBe('failed');
  });
});
