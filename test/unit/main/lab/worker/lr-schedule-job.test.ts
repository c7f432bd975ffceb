// The learning-rate step decay through the real worker job: after a milestone the optimizer runs at learningRate·γ
// (with a tiny γ the weights all but stop moving, where the constant-rate run keeps moving), a run resumed past the
// milestone decays as the uninterrupted one did, and Fast-AT's cyclic rate replaces the decay.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { epochLearningRate } from '../../../../../src/main/lab/defences/learning-rate';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { restoreCheckpoint } from '../../../../../src/main/lab/worker/checkpoint';
import { runTrainJob } from '../../../../../src/main/lab/worker/jobs';
import { checkpointDir } from '../../../../../src/main/lab/worker/run-paths';
import { initialModel, makeOptimizer } from '../../../../../src/main/lab/worker/run-data';
import { type RunConfig } from '../../../../../src/shared/contract';
import { Inbox, tinyRunConfig, trainJob } from './fixtures';

let tmp: string;
let cacheDir: string;

beforeAll(async () => {
  await initEngine();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'rlab-lr-schedule-'));
  cacheDir = path.join(tmp, 'data');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const configOf = (lrMilestones: number[]): RunConfig =>
  tinyRunConfig('base', { hparams: { convFilters: [4], numFcUnits: [8], epochs: 3, batchSize: 32, optimizer: 'sgd', learningRate: 0.05, lrMilestones, lrGamma: 1e-6 }, data: { trainSize: 128, testSize: 64 } });

async function weightsAt(config: RunConfig, runDir: string, epoch: number): Promise<Float32Array[]> {
  const model = await initialModel(config);
  const optimizer = makeOptimizer(config);
  await restoreCheckpoint(checkpointDir(runDir, epoch), model, optimizer);
  const w = model.getWeights().map((t) => t.dataSync() as Float32Array);
  model.dispose();
  optimizer.dispose();
  return w;
}
const maxDiff = (a: Float32Array[], b: Float32Array[]): number => Math.max(...a.map((x, i) => Math.max(...x.map((v, j) => Math.abs(v - b[i]![j]!)))));

async function train(config: RunConfig, runDir: string, resumeAfter?: { runDir: string; epoch: number }): Promise<void> {
  const resume = resumeAfter === undefined ? {} : { resume: { epoch: resumeAfter.epoch, checkpointDir: checkpointDir(resumeAfter.runDir, resumeAfter.epoch) } };
  await expect(runTrainJob(trainJob(runDir, cacheDir, config, { evaluations: [], ...resume }), { post: new Inbox().post, cancelRequested: () => false })).resolves.toBe('completed');
}

describe('the learning-rate step decay in a training job', () => {
  it('runs the epochs after a milestone at learningRate·γ, also when resumed after the milestone', async () => {
    const constant = configOf([]);
    const decayed = configOf([2]);
    await train(constant, path.join(tmp, 'constant'));
    await train(decayed, path.join(tmp, 'decayed'));
    const moved = async (config: RunConfig, dir: string, from: number): Promise<number> => maxDiff(await weightsAt(config, path.join(tmp, dir), from), await weightsAt(config, path.join(tmp, dir), from + 1));
    // epochs 1 and 2 at the full rate in both; epoch 3 at 0.05·1e-6 in the decayed run only
    expect(await moved(decayed, 'decayed', 1)).toBeCloseTo(await moved(constant, 'constant', 1), 6);
    const step = await moved(constant, 'constant', 2);
    expect(step).toBeGreaterThan(1e-3);
    expect(await moved(decayed, 'decayed', 2)).toBeLessThan(step * 1e-4);

    // resumed after epoch 2: the rate of epoch 3 comes from the schedule, not from the optimizer's construction
    await train(decayed, path.join(tmp, 'resumed'), { runDir: path.join(tmp, 'decayed'), epoch: 2 });
    expect(maxDiff(await weightsAt(decayed, path.join(tmp, 'resumed'), 3), await weightsAt(decayed, path.join(tmp, 'decayed'), 3))).toBeLessThan(1e-7);
  });

  it('leaves the rate alone without milestones, and to Fast-AT when its cyclic rate is on', () => {
    const adv = (defence: object, lrMilestones: number[]): RunConfig => tinyRunConfig('adv', { hparams: { epochs: 3, lrMilestones }, defences: [defence as never] });
    expect(epochLearningRate(adv({ method: 'pgd-at', epsilon: 0.1 }, []), 2)).toBeUndefined();
    expect(epochLearningRate(adv({ method: 'pgd-at', epsilon: 0.1 }, [1]), 0)).toBe(0.001);
    expect(epochLearningRate(adv({ method: 'pgd-at', epsilon: 0.1 }, [1]), 1)).toBeCloseTo(0.0001, 12);
    expect(epochLearningRate(adv({ method: 'fast-at', epsilon: 0.1 }, [1]), 1)).toBeUndefined();
    expect(epochLearningRate(adv({ method: 'fast-at', epsilon: 0.1, cyclicLr: false }, [1]), 1)).toBeCloseTo(0.0001, 12);
  });
});
