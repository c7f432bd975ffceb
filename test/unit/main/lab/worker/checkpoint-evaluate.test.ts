// An evaluate job on an epoch checkpoint (a run that has no model): the run config's model given the checkpoint's
// weights scores exactly what the saved model of the same epoch does, and every result carries the epoch.
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { runEvaluateJob, runTrainJob } from '../../../../../src/main/lab/worker/jobs';
import { type EvaluateJob } from '../../../../../src/main/lab/worker/protocol';
import { checkpointDir } from '../../../../../src/main/lab/worker/run-paths';
import { CLEAN_TASK, FGSM_TASK, Inbox, tinyRunConfig, trainJob } from './fixtures';

let tmp: string;
let cacheDir: string;
const config = tinyRunConfig('adv');
let runDir: string;

beforeAll(async () => {
  await initEngine();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'rlab-worker-checkpoint-eval-'));
  cacheDir = path.join(tmp, 'data');
  runDir = path.join(tmp, 'run_c');
  // two epochs: checkpoints after each, and the saved model after the last
  await runTrainJob(trainJob(runDir, cacheDir, config, { evaluations: [] }), { post: () => undefined, cancelRequested: () => false });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const base = { kind: 'evaluate' as const, jobId: 'job_c', runId: 'run_c', runDir: '', cacheDir: '', config, galleryPeer: null, evaluations: [CLEAN_TASK, FGSM_TASK] };
const job = (source: { modelPath: string } | { checkpoint: { epoch: number; checkpointDir: string } }): EvaluateJob => ({ ...base, runDir, cacheDir, ...source });

async function evaluations(j: EvaluateJob) {
  const inbox = new Inbox();
  await runEvaluateJob(j, { post: inbox.post, cancelRequested: () => false });
  return inbox.of('evaluation').map((m) => m.evaluation);
}

describe('evaluating a checkpoint', () => {
  it("of the last epoch scores exactly what the saved model does, example by example, marked with its epoch", async () => {
    const saved = await evaluations(job({ modelPath: path.join(runDir, 'model', 'model.json') }));
    const before = tf.memory().numTensors;
    const checkpoint = await evaluations(job({ checkpoint: { epoch: 2, checkpointDir: checkpointDir(runDir, 2) } }));
    expect(tf.memory().numTensors).toBe(before);
    expect(checkpoint.map((e) => e.attack)).toEqual(['clean', 'fgsm']);
    expect(saved.map((e) => e.modelEpoch)).toEqual([null, null]);
    expect(checkpoint.map((e) => e.modelEpoch)).toEqual([2, 2]);
    checkpoint.forEach((e, i) => {
      const s = saved[i]!;
      expect(e.count).toBe(128);
      expect(e.accuracy).toBe(s.accuracy);
      expect(e.correct).toBe(s.correct);
      expect(e.subset).toEqual(s.subset);
      expect(Array.from(e.mask!)).toEqual(Array.from(s.mask!));
      expect(Array.from(e.predictions!)).toEqual(Array.from(s.predictions!));
    });
  });

  it("of an earlier epoch scores that epoch's weights, not the final ones", async () => {
    const last = await evaluations(job({ checkpoint: { epoch: 2, checkpointDir: checkpointDir(runDir, 2) } }));
    const first = await evaluations(job({ checkpoint: { epoch: 1, checkpointDir: checkpointDir(runDir, 1) } }));
    expect(first.map((e) => e.modelEpoch)).toEqual([1, 1]);
    expect(first.map((e) => Array.from(e.predictions!))).not.toEqual(last.map((e) => Array.from(e.predictions!)));
  });

  it('refuses a checkpoint written after another epoch than the job says, naming it, with no tensor left behind', async () => {
    const before = tf.memory().numTensors;
    await expect(evaluations(job({ checkpoint: { epoch: 2, checkpointDir: checkpointDir(runDir, 1) } }))).rejects.toMatchObject({ code: 'failed_precondition', field: 'checkpoint', message: expect.stringContaining('written after epoch 1, not epoch 2') });
    await expect(evaluations(job({ checkpoint: { epoch: 3, checkpointDir: checkpointDir(runDir, 3) } }))).rejects.toMatchObject({ code: 'not_found', field: 'checkpoint' });
    expect(tf.memory().numTensors).toBe(before);
  });
});
