// cancelJob on a real service and engine worker: a queued training leaves the queue with its run cancelled, a
// running one stops through the worker's cancel path keeping its finished epochs, each with a 'cancelled'
// job-finished event; an unknown or malformed id, and a lab opened without the queue, are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JobFinishedEvent } from '../../../../../src/shared/contract';
import { createLabService, type LabService } from '../../../../../src/main/lab/service/service';
import { tempHome, tinyConfig, waitForEvent } from './helpers';

let home: ReturnType<typeof tempHome>;
let lab: LabService;

beforeAll(async () => {
  home = tempHome('rlab-cancel-job-');
  lab = await createLabService({ home: home.home });
});
afterAll(async () => {
  await lab.close();
  home.remove();
});

const longConfig = () => tinyConfig({ name: 'long', runs: ['base'], data: { trainSize: 1500, testSize: 128 }, hparams: { convFilters: [4], numFcUnits: [8], epochs: 3, batchSize: 16 } });

describe('cancelJob', () => {
  it('removes a queued job, stops a running one, and refuses ids that are not in the queue', async () => {
    const finished: JobFinishedEvent[] = [];
    lab.onJobFinished((e) => finished.push(e));
    const firstEpoch = waitForEvent(lab, 'epoch-end', (e) => e.epoch === 1);
    const long = (await lab.createExperiment({ config: longConfig() })).runs[0]!;
    const waiting = (await lab.createExperiment({ config: tinyConfig({ name: 'waiting', runs: ['base'] }) })).runs[0]!;
    const [running, queued] = await lab.listJobs({});
    expect([running?.runId, queued?.runId, queued?.status]).toEqual([long.id, waiting.id, 'queued']);

    expect(await lab.cancelJob({ jobId: queued!.id })).toEqual({ job: queued });
    expect((await lab.getRun({ runId: waiting.id })).status).toBe('cancelled');
    expect((await lab.listJobs({})).map((j) => j.id)).toEqual([running!.id]);
    expect(finished).toEqual([{ jobId: queued!.id, runId: waiting.id, kind: 'train', outcome: 'cancelled', evaluationIds: [], error: 'cancelled by the user before it started' }]);

    await expect(lab.cancelJob({ jobId: queued!.id })).rejects.toMatchObject({ code: 'not_found', field: 'jobId' });
    await expect(lab.cancelJob({ jobId: 'run_abc' })).rejects.toMatchObject({ code: 'invalid_argument', field: 'jobId' });

    await firstEpoch;
    const stopped = await lab.cancelJob({ jobId: running!.id });
    expect(stopped.job).toMatchObject({ id: running!.id, status: 'running' });
    const run = await lab.getRun({ runId: long.id });
    expect(run.status).toBe('cancelled');
    expect(run.epochsDone).toBeGreaterThanOrEqual(1);
    expect(await lab.listJobs({})).toEqual([]);
    expect(finished.find((e) => e.jobId === running!.id)).toMatchObject({ outcome: 'cancelled', runId: long.id });
  }, 300_000);

  it('is refused by a lab opened without the job queue', async () => {
    await lab.close();
    const writer = await createLabService({ home: home.home, access: 'write' });
    try {
      await expect(writer.cancelJob({ jobId: 'job_abc' })).rejects.toMatchObject({ code: 'failed_precondition', message: expect.stringContaining('only the lab\'s host runs') });
    } finally {
      await writer.close();
    }
  });
});
