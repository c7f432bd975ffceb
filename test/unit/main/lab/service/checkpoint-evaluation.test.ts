// evaluateCheckpoint with a real engine worker: a cancelled run's last finished epoch gets the run's own attack suite
// (clean first, the transfer from its seed's base run), marked with that epoch, with the run's status untouched;
// what it refuses; and a resume after it still evaluates the final model.
import { renameSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunStatusEvent } from '../../../../../src/shared/contract';
import { createLabService, type LabService } from '../../../../../src/main/lab/service/service';
import { checkpointDir } from '../../../../../src/main/lab/worker/run-paths';
import { tempHome, tinyConfig, waitForEvent } from './helpers';

let home: ReturnType<typeof tempHome>;
let lab: LabService;

beforeAll(async () => {
  home = tempHome('rlab-checkpoint-eval-');
  lab = await createLabService({ home: home.home });
});
afterAll(async () => {
  await lab.close();
  home.remove();
});

const SUITE = [
  { attack: 'fgsm' as const, epsilons: [0.2], source: 'base' as const },
  { attack: 'fgsm' as const, epsilons: [0.2] },
];
/** Base then adv, 50 batches an epoch: long enough to cancel the adv run during its second epoch. */
const config = () => tinyConfig({ name: 'stopped', attacks: SUITE, data: { trainSize: 800, testSize: 128 }, hparams: { convFilters: [4], numFcUnits: [8], epochs: 2, batchSize: 16 } });
const describeEval = (e: { attack: string; sourceRunId: string | null; modelEpoch: number | null }) => `${e.attack}/${e.sourceRunId === null ? 'self' : 'base'}/${e.modelEpoch ?? 'final'}`;

describe('evaluateCheckpoint', () => {
  let baseId = '';
  let advId = '';
  let epoch = 0;

  it('refuses a running run, then evaluates the cancelled run at its last checkpoint with its own suite, leaving it cancelled', async () => {
    const { runs } = await lab.createExperiment({ config: config() });
    [baseId, advId] = runs.map((r) => r.id) as [string, string];
    await waitForEvent(lab, 'epoch-end', (e) => e.runId === advId && e.epoch === 1, 300_000);
    await expect(lab.evaluateCheckpoint({ runId: advId })).rejects.toMatchObject({ code: 'failed_precondition', field: 'runId', message: expect.stringContaining('is running') });
    const cancelled = await lab.cancelRun({ runId: advId });
    expect(cancelled.status).toBe('cancelled');
    epoch = cancelled.epochsDone;
    expect(epoch).toBeGreaterThanOrEqual(1);
    expect(epoch).toBeLessThan(2);
    await lab.whenIdle();

    const statuses: RunStatusEvent[] = [];
    const off = lab.onRunStatus((s) => statuses.push(s));
    const finished = waitForEvent(lab, 'job-finished', (j) => j.runId === advId);
    const queued = await lab.evaluateCheckpoint({ runId: advId });
    expect(queued).toEqual({ jobId: expect.stringMatching(/^job_/), epoch });
    // asked again while it is queued or running: refused, nothing queued twice
    await expect(lab.evaluateCheckpoint({ runId: advId })).rejects.toMatchObject({ code: 'failed_precondition', field: 'runId', message: expect.stringContaining(`(job ${queued.jobId})`) });
    const done = await finished;
    off();
    expect(done).toMatchObject({ jobId: queued.jobId, kind: 'evaluate', outcome: 'completed' });
    expect(statuses).toEqual([]);

    const run = await lab.getRun({ runId: advId });
    expect(run.status).toBe('cancelled');
    expect(run.epochsDone).toBe(epoch);
    // exactly what training ends with: clean first, the transfer from its seed's base, then white-box
    expect(run.evaluations.map(describeEval)).toEqual([`clean/self/${epoch}`, `fgsm/base/${epoch}`, `fgsm/self/${epoch}`]);
    expect(run.evaluations[1]!.sourceRunId).toBe(baseId);
    expect(done.evaluationIds).toEqual(run.evaluations.map((e) => e.id));
    expect(run.artifacts.some((a) => a.kind === 'model')).toBe(false);
    expect(run.cleanAccuracy).toBe(run.evaluations[0]!.accuracy);
    expect(run.headline).toMatchObject({ modelEpoch: epoch });
    expect(run.robustLabel).toMatch(new RegExp(`\\(epoch ${epoch} checkpoint\\)$`));
    expect(run.ensembles.map((x) => x.modelEpoch)).toEqual([epoch]);
  }, 600_000);

  it('refuses a run with a model, one that finished no epoch, and one whose checkpoint is gone, naming the run', async () => {
    await expect(lab.evaluateCheckpoint({ runId: baseId })).rejects.toMatchObject({ code: 'failed_precondition', field: 'runId', message: expect.stringContaining('evaluate it with `evaluate`') });

    const dir = checkpointDir(path.join(home.home, 'runs', advId), epoch);
    renameSync(dir, `${dir}.away`);
    try {
      await expect(lab.evaluateCheckpoint({ runId: advId })).rejects.toMatchObject({ code: 'failed_precondition', field: 'runId', message: expect.stringContaining(`no checkpoint for its last finished epoch ${epoch}`) });
    } finally {
      renameSync(`${dir}.away`, dir);
    }

    // cancelled at once, before it finished an epoch (94 batches): no checkpoint
    const [never] = (await lab.createExperiment({ config: tinyConfig({ name: 'never', runs: ['base'], data: { trainSize: 1500, testSize: 128 }, hparams: { convFilters: [4], numFcUnits: [8], epochs: 1, batchSize: 16 } }) })).runs;
    const stopped = await lab.cancelRun({ runId: never!.id });
    expect([stopped.status, stopped.epochsDone]).toEqual(['cancelled', 0]);
    await expect(lab.evaluateCheckpoint({ runId: never!.id })).rejects.toMatchObject({ code: 'failed_precondition', field: 'runId', message: expect.stringContaining('finished no epoch') });
    await expect(lab.evaluateCheckpoint({ runId: 'nope' })).rejects.toMatchObject({ code: 'invalid_argument', field: 'runId' });
    expect((await lab.listJobs({})).filter((j) => j.kind === 'evaluate')).toEqual([]);
  }, 300_000);

  it('a resume after it trains to the end and evaluates the final model with the whole suite, keeping the checkpoint numbers', async () => {
    const before = (await lab.getRun({ runId: advId })).evaluations;
    await lab.resumeRun({ runId: advId });
    await lab.whenIdle();
    const run = await lab.getRun({ runId: advId });
    expect(run.status).toBe('completed');
    expect(run.evaluations.slice(0, before.length)).toEqual(before);
    expect(run.evaluations.slice(before.length).map(describeEval)).toEqual(['clean/self/final', 'fgsm/base/final', 'fgsm/self/final']);
    // the final model now speaks for the run
    expect(run.cleanAccuracy).toBe(run.evaluations[before.length]!.accuracy);
    expect(run.headline?.modelEpoch).toBeUndefined();
    expect(run.robustLabel).not.toMatch(/checkpoint/);
    expect(run.ensembles.map((x) => x.modelEpoch)).toEqual([null, epoch]);
  }, 600_000);
});
