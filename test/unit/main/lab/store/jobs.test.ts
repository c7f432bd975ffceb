// The persistent job queue and start-up recovery after a crash.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INTERRUPTED_MESSAGE, type Store } from '../../../../../src/main/lab/store';
import { cleanup, createExperiment, makeTempDir, openTemp } from './helpers';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = makeTempDir();
  store = openTemp(dir);
});
afterEach(() => {
  store.close();
  cleanup(dir);
});

describe('job queue', () => {
  it('hands out jobs oldest first, and the order survives closing and reopening', () => {
    const { runIds } = createExperiment(store);
    const a = store.enqueueJob({ kind: 'train', runId: runIds[0], payload: { resume: false } });
    const b = store.enqueueJob({ kind: 'train', runId: runIds[1] });
    const c = store.enqueueJob({ kind: 'evaluate', runId: runIds[0], payload: { epsilons: [0.1, 0.2] } });
    expect(a.id).toMatch(/^job_[0-9A-Za-z]{10}$/);
    store.close();

    store = openTemp(dir);
    expect(store.listJobs().map((j) => j.id)).toEqual([a.id, b.id, c.id]);
    const next = store.nextJob();
    expect(next).toMatchObject({ id: a.id, kind: 'train', runId: runIds[0], status: 'queued', payload: { resume: false } });
    store.markJobRunning(a.id);
    // A running job is not handed out again; the next queued one is.
    expect(store.nextJob()?.id).toBe(b.id);
    store.finishJob(b.id);
    expect(store.nextJob()).toMatchObject({ id: c.id, payload: { epsilons: [0.1, 0.2] } });
    expect(store.listJobs().map((j) => [j.id, j.status])).toEqual([
      [a.id, 'running'],
      [c.id, 'queued'],
    ]);
  });

  it('a job enqueued after the queue drained still goes last', () => {
    const { runIds } = createExperiment(store, {}, ['base']);
    const first = store.enqueueJob({ kind: 'train', runId: runIds[0] });
    store.finishJob(first.id);
    const x = store.enqueueJob({ kind: 'evaluate', runId: runIds[0] });
    const y = store.enqueueJob({ kind: 'evaluate', runId: runIds[0] });
    expect(store.listJobs().map((j) => j.id)).toEqual([x.id, y.id]);
  });

  it('refuses marking a running job running, finishing an unknown job, and jobs for unknown runs', () => {
    const { runIds } = createExperiment(store, {}, ['base']);
    const job = store.enqueueJob({ kind: 'train', runId: runIds[0] });
    store.markJobRunning(job.id);
    expect(() => store.markJobRunning(job.id)).toThrow(expect.objectContaining({ code: 'failed_precondition' }));
    expect(() => store.finishJob('job_nothere')).toThrow(expect.objectContaining({ code: 'not_found', message: expect.stringContaining('job_nothere') }));
    expect(() => store.enqueueJob({ kind: 'train', runId: 'run_nothere' })).toThrow(expect.objectContaining({ code: 'not_found', field: 'runId' }));
    expect(() => store.enqueueJob({ kind: 'export' as 'train', runId: runIds[0] })).toThrow(expect.objectContaining({ field: 'kind' }));
  });

  it('deleteJobsForRun removes only that run’s jobs', () => {
    const { runIds } = createExperiment(store);
    const a = store.enqueueJob({ kind: 'train', runId: runIds[0] });
    const b = store.enqueueJob({ kind: 'train', runId: runIds[1] });
    const c = store.enqueueJob({ kind: 'evaluate', runId: runIds[0] });
    expect(store.deleteJobsForRun(runIds[0])).toEqual([a.id, c.id]);
    expect(store.listJobs().map((j) => j.id)).toEqual([b.id]);
  });

  it('transaction() combines store calls atomically', () => {
    const { runIds } = createExperiment(store, {}, ['base']);
    expect(() =>
      store.transaction(() => {
        store.setRunStatus(runIds[0], 'running');
        store.enqueueJob({ kind: 'train', runId: runIds[0] });
        throw new Error('service failed half-way');
      }),
    ).toThrow(/half-way/);
    expect(store.getRunSummary(runIds[0]).status).toBe('queued');
    expect(store.listJobs()).toEqual([]);
  });
});

describe('recoverAfterCrash', () => {
  it('marks running runs interrupted, drops their train jobs, requeues evaluate jobs and unstarted train jobs', () => {
    const one = createExperiment(store).runIds;
    const two = createExperiment(store, {}, ['base']).runIds;
    const done = createExperiment(store, {}, ['base']).runIds[0];

    // one[0] was training; one[1] was queued with its job claimed just before the crash.
    const trainRunning = store.enqueueJob({ kind: 'train', runId: one[0] });
    store.markJobRunning(trainRunning.id);
    store.setRunStatus(one[0], 'running');
    const trainClaimed = store.enqueueJob({ kind: 'train', runId: one[1] });
    store.markJobRunning(trainClaimed.id);
    const waiting = store.enqueueJob({ kind: 'train', runId: two[0] });
    // `done` finished training and was being evaluated.
    store.setRunStatus(done, 'running');
    store.setRunStatus(done, 'completed');
    const evaluating = store.enqueueJob({ kind: 'evaluate', runId: done });
    store.markJobRunning(evaluating.id);
    store.close();

    store = openTemp(dir);
    const report = store.recoverAfterCrash();
    expect(report).toEqual({ interruptedRuns: [one[0]], requeuedJobs: [trainClaimed.id, evaluating.id], droppedJobs: [trainRunning.id] });
    const run = store.getRunSummary(one[0]);
    expect(run.status).toBe('interrupted');
    expect(run.error).toBe(INTERRUPTED_MESSAGE.replace('<id>', one[0]));
    expect(run.error).toContain(`rlab resume ${one[0]}`);
    expect(run.finishedAt).not.toBeNull();
    expect(store.getRunSummary(done).status).toBe('completed');
    expect(store.listJobs().map((j) => [j.id, j.status])).toEqual([
      [trainClaimed.id, 'queued'],
      [waiting.id, 'queued'],
      [evaluating.id, 'queued'],
    ]);
    // An interrupted run can be resumed through the queue.
    expect(store.setRunStatus(one[0], 'queued').error).toBeNull();

    expect(store.recoverAfterCrash()).toEqual({ interruptedRuns: [], requeuedJobs: [], droppedJobs: [] });
  });
});
