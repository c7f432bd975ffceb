import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { buildModel } from '../../../../../src/main/lab/models/builders';
import { readCheckpointState, restoreCheckpoint, saveCheckpoint } from '../../../../../src/main/lab/worker/checkpoint';
import { checkpointDir } from '../../../../../src/main/lab/worker/run-paths';
import { expectTensorsClose } from '../../../../helpers/tensors';

const H = { model: 'cnn' as const, inputShape: [8, 8, 1] as [number, number, number], numClasses: 3, convFilters: [2], kernelSize: 3, poolSize: 2, numFcUnits: [4] };
let tmp: string;

beforeAll(async () => {
  await initEngine();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'rlab-ckpt-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A few Adam steps on random data, so weights and moments are no longer at their initial values. */
function train(model: tf.LayersModel, opt: tf.Optimizer, steps: number, seed: number): void {
  for (let i = 0; i < steps; i++) {
    tf.tidy(() => {
      const x = tf.randomUniform([4, 8, 8, 1], 0, 1, 'float32', seed + i);
      const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
      opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar, false, model.trainableWeights.map((w) => w.read() as tf.Variable));
    });
  }
}

describe('checkpoints', () => {
  it('restore model weights and Adam state so training continues exactly as without the break', async () => {
    const a = buildModel(H, 1);
    const optA = tf.train.adam(0.01, 0.9, 0.999, 1e-7);
    train(a, optA, 3, 100);
    const dir = checkpointDir(tmp, 3);
    await saveCheckpoint(dir, a, optA, { epoch: 3, step: 3 });
    train(a, optA, 2, 200);

    const before = tf.memory().numTensors;
    const b = buildModel(H, 99);
    const optB = tf.train.adam(0.01, 0.9, 0.999, 1e-7);
    const state = await restoreCheckpoint(dir, b, optB);
    expect(state).toMatchObject({ epoch: 3, step: 3, optimizer: 'Adam' });
    expect(optB.iterations).toBe(3);
    train(b, optB, 2, 200);
    a.getWeights().forEach((w, i) => expectTensorsClose(b.getWeights()[i]!, w, 1e-6));

    b.dispose();
    optB.dispose();
    expect(tf.memory().numTensors).toBe(before);
    a.dispose();
    optA.dispose();
  });

  it('leaves no temporary folder behind and replaces an older checkpoint of the same epoch', async () => {
    const m = buildModel(H, 2);
    const opt = tf.train.sgd(0.1);
    const dir = checkpointDir(path.join(tmp, 'replace'), 1);
    await saveCheckpoint(dir, m, opt, { epoch: 1, step: 4 });
    await saveCheckpoint(dir, m, opt, { epoch: 1, step: 5 });
    expect((await readCheckpointState(dir)).step).toBe(5);
    expect(readdirSync(path.dirname(dir))).toEqual(['epoch-0001']);
    m.dispose();
    opt.dispose();
  });

  it('refuses a checkpoint of another architecture or optimizer, naming the mismatch', async () => {
    const m = buildModel(H, 3);
    const opt = tf.train.adam(0.01);
    const dir = checkpointDir(path.join(tmp, 'mismatch'), 1);
    await saveCheckpoint(dir, m, opt, { epoch: 1, step: 1 });
    const other = buildModel({ ...H, numFcUnits: [5] }, 3);
    await expect(restoreCheckpoint(dir, other, tf.train.adam(0.01))).rejects.toMatchObject({ code: 'failed_precondition', message: expect.stringContaining('shape') });
    await expect(restoreCheckpoint(dir, m, tf.train.sgd(0.1))).rejects.toMatchObject({ code: 'failed_precondition', message: expect.stringContaining('Adam') });
    await expect(readCheckpointState(path.join(tmp, 'nowhere'))).rejects.toMatchObject({ code: 'not_found' });
    m.dispose();
    other.dispose();
  });

  it("keeps the training step's state (JSON) with the weights, and none when the step has none", async () => {
    const m = buildModel(H, 2);
    const opt = tf.train.adam(0.01);
    const withState = checkpointDir(tmp, 21);
    const state = { accuracies: [0.5, 0.25], best: { epoch: 1, accuracy: 0.5 } };
    await saveCheckpoint(withState, m, opt, { epoch: 2, step: 8, defenceState: state });
    expect((await readCheckpointState(withState)).defenceState).toEqual(state);
    expect((await restoreCheckpoint(withState, m, opt)).defenceState).toEqual(state);
    const without = checkpointDir(tmp, 22);
    await saveCheckpoint(without, m, opt, { epoch: 2, step: 8 });
    expect('defenceState' in (await readCheckpointState(without))).toBe(false);
    m.dispose();
    opt.dispose();
  });
});
