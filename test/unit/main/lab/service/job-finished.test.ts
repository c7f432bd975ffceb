// The job-finished event: one per job that leaves the queue, with how it ended and the evaluations it stored, on a
// real service with a real engine worker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JobFinishedEvent } from '../../../../../src/shared/contract';
import { createLabService, type LabService } from '../../../../../src/main/lab/service/service';
import { tempHome, tinyConfig, waitForEvent } from './helpers';

let home: ReturnType<typeof tempHome>;
let lab: LabService;
const finished: JobFinishedEvent[] = [];

beforeAll(async () => {
  home = tempHome('rlab-job-finished-');
  lab = await createLabService({ home: home.home });
  lab.onJobFinished((e) => finished.push(e));
});
afterAll(async () => {
  await lab.close();
  home.remove();
});

describe('job-finished', () => {
  it('names the outcome and exactly the evaluations each job stored', async () => {
    const run = (await lab.createExperiment({ config: tinyConfig({ name: 'trained', runs: ['base'], attacks: [{ attack: 'fgsm', epsilons: [0.1, 0.2] }] }) })).runs[0]!;
    const trained = await waitForEvent(lab, 'job-finished', (e) => e.runId === run.id);
    const detail = await lab.getRun({ runId: run.id });
    expect(trained).toMatchObject({ runId: run.id, kind: 'train', outcome: 'completed' });
    expect(trained.error).toBeUndefined();
    expect([...trained.evaluationIds].sort()).toEqual(detail.evaluations.map((e) => e.id).sort());
    expect(trained.evaluationIds.length).toBeGreaterThanOrEqual(2);

    const { jobId } = await lab.evaluate({ runId: run.id, attack: 'pgd', epsilons: [0.1], steps: 2 });
    const evaluated = await waitForEvent(lab, 'job-finished', (e) => e.jobId === jobId);
    const after = await lab.listEvaluations({ runId: run.id });
    const added = after.filter((e) => !detail.evaluations.some((d) => d.id === e.id));
    expect(evaluated).toMatchObject({ kind: 'evaluate', outcome: 'completed', evaluationIds: added.map((e) => e.id) });
    expect(added.map((e) => e.attack)).toEqual(['pgd']);
  });

  it('a cancelled training ends as cancelled, with the error saying so', async () => {
    const long = tinyConfig({ name: 'long', runs: ['base'], data: { trainSize: 2000, testSize: 128 }, hparams: { convFilters: [4], numFcUnits: [8], epochs: 3, batchSize: 16 } });
    const firstProgress = waitForEvent(lab, 'progress', (p) => p.phase === 'train');
    const run = (await lab.createExperiment({ config: long })).runs[0]!;
    expect((await firstProgress).runId).toBe(run.id);
    const ended = waitForEvent(lab, 'job-finished', (e) => e.runId === run.id);
    await lab.cancelRun({ runId: run.id });
    expect(await ended).toMatchObject({ runId: run.id, kind: 'train', outcome: 'cancelled', evaluationIds: [] });
    // one event per job, nothing for jobs that did not end
    expect(finished.filter((e) => e.runId === run.id)).toHaveLength(1);
  });

  it('a host closing under a training job reports it interrupted', async () => {
    const other = tempHome('rlab-job-finished-close-');
    const host = await createLabService({ home: other.home });
    try {
      const events: JobFinishedEvent[] = [];
      host.onJobFinished((e) => events.push(e));
      const firstEpoch = waitForEvent(host, 'epoch-end', () => true, 240_000);
      const run = (await host.createExperiment({ config: tinyConfig({ name: 'closing', runs: ['base'], data: { trainSize: 2000, testSize: 128 }, hparams: { convFilters: [4], numFcUnits: [8], epochs: 3, batchSize: 16 } }) })).runs[0]!;
      await firstEpoch;
      await host.close();
      expect(events).toEqual([expect.objectContaining({ runId: run.id, kind: 'train', outcome: 'interrupted' })]);
    } finally {
      await host.close();
      other.remove();
    }
  });
});
