import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LogEvent } from '../../../../../src/shared/contract';
import { createLabService, type LabService } from '../../../../../src/main/lab/service/service';
import { tempHome, tinyConfig, waitForEvent } from './helpers';

let home: ReturnType<typeof tempHome>;
let lab: LabService;

beforeAll(async () => {
  home = tempHome('rlab-queue-');
  lab = await createLabService({ home: home.home });
});
afterAll(async () => {
  await lab.close();
  home.remove();
});

/** An adv run long enough (94 batches per epoch) to act on while it trains. */
const longConfig = () => tinyConfig({ name: 'long', runs: ['adv'], data: { trainSize: 1500, testSize: 128 }, hparams: { convFilters: [4], numFcUnits: [8], epochs: 3, batchSize: 16 } });

describe('the job queue', () => {
  it('runs one job at a time; cancel, delete and evaluate behave by run state; a cancelled run resumes', async () => {
    const logs: LogEvent[] = [];
    lab.onLog((l) => logs.push(l));
    const firstProgress = waitForEvent(lab, 'progress', (p) => p.phase === 'train');
    const long = (await lab.createExperiment({ config: longConfig() })).runs[0]!;
    const short = (await lab.createExperiment({ config: tinyConfig({ name: 'short', runs: ['base'] }) })).runs[0]!;
    const third = (await lab.createExperiment({ config: tinyConfig({ name: 'third', runs: ['base'] }) })).runs[0]!;
    expect((await firstProgress).runId).toBe(long.id);

    const jobs = await lab.listJobs({});
    expect(jobs.map((j) => [j.runId, j.status])).toEqual([
      [long.id, 'running'],
      [short.id, 'queued'],
      [third.id, 'queued'],
    ]);

    await expect(lab.evaluate({ runId: short.id, attack: 'fgsm', epsilons: [0.1] })).rejects.toMatchObject({ code: 'failed_precondition', field: 'runId' });
    await expect(lab.deleteRun({ runId: long.id })).rejects.toMatchObject({ code: 'failed_precondition', message: expect.stringContaining('running') });
    await expect(lab.deleteExperiment({ experimentId: long.experimentId })).rejects.toMatchObject({ code: 'failed_precondition' });

    const cancelledQueued = await lab.cancelRun({ runId: short.id });
    expect(cancelledQueued.status).toBe('cancelled');
    expect((await lab.listJobs({})).map((j) => j.runId)).toEqual([long.id, third.id]);

    await waitForEvent(lab, 'epoch-end', (e) => e.runId === long.id && e.epoch === 1);
    const cancelledRunning = await lab.cancelRun({ runId: long.id });
    expect(cancelledRunning.status).toBe('cancelled');
    expect(cancelledRunning.epochsDone).toBeGreaterThanOrEqual(1);
    expect(cancelledRunning.epochsDone).toBeLessThan(3);
    expect(cancelledRunning.error).toContain('cancelled by the user');
    const kept = await lab.getMetrics({ runId: long.id, granularity: 'epoch' });
    expect(kept.epochs.map((e) => e.epoch)).toEqual(Array.from({ length: cancelledRunning.epochsDone }, (_, i) => i + 1));

    await lab.whenIdle();
    expect((await lab.getRun({ runId: third.id })).status).toBe('completed');
    expect((await lab.getRun({ runId: short.id })).status).toBe('cancelled');

    const resumed = await lab.resumeRun({ runId: long.id });
    expect(resumed.status).toBe('queued');
    await lab.whenIdle();
    const done = await lab.getRun({ runId: long.id });
    expect(done.status).toBe('completed');
    expect(done.epochMetrics.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(done.epochMetrics[0]!.metrics).toEqual(kept.epochs[0]!.metrics);
    expect(logs.some((l) => l.runId === long.id && l.message.includes(`resuming after epoch ${cancelledRunning.epochsDone}`))).toBe(true);
  });
});
