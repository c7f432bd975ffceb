// Every defence through the real worker job (runTrainJob on the offline MNIST sample): each trains, checkpoints,
// saves and evaluates with tf.memory().numTensors flat across epochs; a PGD-AT run resumed from its epoch-1
// checkpoint ends with the weights of the uninterrupted run (seeded random starts); Fast-AT's guard, on a model whose
// output layer is negated during epoch 2 (a real collapse of its PGD accuracy), stops, keeps epoch 1's weights, logs
// why and still finishes as a completed run, also after a resume (its guard history comes back from the checkpoint).
import * as tf from '@tensorflow/tfjs';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { loadModelFiles } from '../../../../../src/main/lab/run/model-files';
import { runTrainJob } from '../../../../../src/main/lab/worker/jobs';
import { checkpointDir, modelDirOf } from '../../../../../src/main/lab/worker/run-paths';
import { restoreCheckpoint } from '../../../../../src/main/lab/worker/checkpoint';
import { initialModel, makeOptimizer } from '../../../../../src/main/lab/worker/run-data';
import { type RunConfig } from '../../../../../src/shared/contract';
import { type DefenceInput } from '../../../../../src/shared/defences';
import { type WorkerToHost } from '../../../../../src/main/lab/worker/protocol';
import { Inbox, tinyRunConfig, trainJob } from './fixtures';

let tmp: string;
let cacheDir: string;

beforeAll(async () => {
  await initEngine();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'rlab-defence-jobs-'));
  cacheDir = path.join(tmp, 'data');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const HPARAMS = { convFilters: [4], numFcUnits: [8], epochs: 2, batchSize: 32 };

function configOf(defence: DefenceInput | null, over: { epochs?: number; trainSize?: number; learningRate?: number } = {}): RunConfig {
  const overrides = {
    hparams: { ...HPARAMS, epochs: over.epochs ?? 2, ...(over.learningRate === undefined ? {} : { learningRate: over.learningRate }) },
    data: { trainSize: over.trainSize ?? 128, testSize: 64 },
    ...(defence === null ? {} : { defences: [defence] }),
  };
  return tinyRunConfig(defence === null ? 'base' : 'adv', overrides);
}

/** Weights of a model file, or of a model restored from a checkpoint, as flat arrays. */
async function modelFileWeights(runDir: string): Promise<Float32Array[]> {
  const m = await loadModelFiles(path.join(modelDirOf(runDir), 'model.json'));
  const w = m.getWeights().map((t) => t.dataSync() as Float32Array);
  m.dispose();
  return w;
}
async function checkpointWeights(config: RunConfig, dir: string): Promise<Float32Array[]> {
  const m = await initialModel(config);
  const o = makeOptimizer(config);
  await restoreCheckpoint(dir, m, o);
  const w = m.getWeights().map((t) => t.dataSync() as Float32Array);
  m.dispose();
  o.dispose();
  return w;
}
const maxDiff = (a: Float32Array[], b: Float32Array[]): number => Math.max(...a.map((x, i) => Math.max(...x.map((v, j) => Math.abs(v - b[i]![j]!)))));

describe('every defence trains through the worker job', () => {
  it.each([
    ['standard', null],
    ['nsl', { method: 'nsl' }],
    ['pgd-at', { method: 'pgd-at', epsilon: 0.1, steps: 2, stepSize: 0.05, epsilonRampEpochs: 1 }],
    ['fast-at', { method: 'fast-at', epsilon: 0.1 }],
    ['trades', { method: 'trades', epsilon: 0.1, steps: 2, stepSize: 0.05, beta: 1 }],
    ['mart', { method: 'mart', epsilon: 0.1, steps: 2, stepSize: 0.05, beta: 1 }],
  ] as const)('%s: completes, records its defence, keeps numTensors flat across epochs', async (method, defence) => {
    const config = configOf(defence);
    expect(config.defence?.method).toBe(method);
    const inbox = new Inbox();
    const tensorsAtEpochEnd: number[] = [];
    const post = (m: WorkerToHost): void => {
      inbox.post(m);
      if (m.type === 'epoch-end') tensorsAtEpochEnd.push(tf.memory().numTensors);
    };
    const before = tf.memory().numTensors;
    const runDir = path.join(tmp, `every_${method}`);
    await expect(runTrainJob(trainJob(runDir, cacheDir, config), { post, cancelRequested: () => false })).resolves.toBe('completed');
    expect(tf.memory().numTensors).toBe(before);
    expect(tensorsAtEpochEnd).toHaveLength(2);
    expect(tensorsAtEpochEnd[1]).toBe(tensorsAtEpochEnd[0]);

    const epochs = inbox.of('epoch-end');
    expect(epochs.map((e) => [e.epoch, e.stopped])).toEqual([[1, undefined], [2, undefined]]);
    for (const e of epochs) for (const v of Object.values(e.metrics)) expect(Number.isFinite(v)).toBe(true);
    const last = epochs[1]!.metrics;
    // the adversarial term is what these methods add; PGD-AT and Fast-AT minimise it alone
    if (method === 'standard') expect(last.scaled_adversarial_loss).toBe(0);
    else expect(last.scaled_adversarial_loss).toBeGreaterThan(0);
    if (method === 'pgd-at' || method === 'fast-at') expect(last.loss).toBeCloseTo(last.scaled_adversarial_loss, 6);
    expect(inbox.of('artifact').map((a) => a.kind)).toEqual(['model']);
    expect(inbox.of('evaluation').map((e) => e.evaluation.attack)).toEqual(['clean']);
    // the checkpoint records what trained it only where the step keeps state (Fast-AT's guard)
    const state = JSON.parse(readFileSync(path.join(checkpointDir(runDir, 2), 'checkpoint.json'), 'utf8')) as { defenceState?: { accuracies: number[] } };
    if (method === 'fast-at') expect(state.defenceState?.accuracies).toHaveLength(2);
    else expect(state.defenceState).toBeUndefined();
  });
});

describe('a run that stays at chance', () => {
  it('PGD-AT at ε 0.3 without a ramp never leaves chance on the tiny CNN, and the job says what to change', async () => {
    const config = configOf({ method: 'pgd-at', epsilon: 0.3, steps: 3, stepSize: 0.1 }, { learningRate: 0.01 });
    const inbox = new Inbox();
    await runTrainJob(trainJob(path.join(tmp, 'chance_pgd'), cacheDir, config, { evaluations: [] }), { post: inbox.post, cancelRequested: () => false });
    const accuracy = inbox.of('epoch-end').at(-1)!.metrics.sparse_categorical_accuracy!;
    expect(accuracy).toBeLessThanOrEqual(0.15);
    expect(inbox.of('log').filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      `run_t1: stayed at chance (train accuracy ${(100 * accuracy).toFixed(1)}% after 2 epochs; chance is 10.0%): for PGD-AT at ε 0.3, ramp ε from 0 (epsilonRampEpochs, e.g. 1) or lower ε; until the model learns, its robust accuracy means nothing.`,
    ]);
  });

  it('a run that learns gets no such warning', async () => {
    const inbox = new Inbox();
    await runTrainJob(trainJob(path.join(tmp, 'chance_std'), cacheDir, configOf(null, { epochs: 3, trainSize: 256, learningRate: 0.01 }), { evaluations: [] }), { post: inbox.post, cancelRequested: () => false });
    expect(inbox.of('epoch-end').at(-1)!.metrics.sparse_categorical_accuracy).toBeGreaterThan(0.4);
    expect(inbox.of('log').filter((l) => l.level === 'warn')).toEqual([]);
  });
});

describe('resume', () => {
  it('a PGD-AT run resumed from its epoch-1 checkpoint ends with the uninterrupted run’s weights', async () => {
    const config = configOf({ method: 'pgd-at', epsilon: 0.2, steps: 3, stepSize: 0.1, epsilonRampEpochs: 1.5 });
    const fullDir = path.join(tmp, 'resume_pgd_full');
    const partDir = path.join(tmp, 'resume_pgd_part');
    const full = new Inbox();
    await runTrainJob(trainJob(fullDir, cacheDir, config, { evaluations: [] }), { post: full.post, cancelRequested: () => false });
    const resumed = new Inbox();
    await runTrainJob(trainJob(partDir, cacheDir, config, { evaluations: [], resume: { epoch: 1, checkpointDir: checkpointDir(fullDir, 1) } }), { post: resumed.post, cancelRequested: () => false });
    expect(resumed.of('epoch-end').map((e) => e.epoch)).toEqual([2]);
    expect(resumed.of('epoch-end')[0]!.metrics).toEqual(full.of('epoch-end')[1]!.metrics);
    expect(maxDiff(await modelFileWeights(partDir), await modelFileWeights(fullDir))).toBe(0);
  });
});

describe("Fast-AT's catastrophic-overfitting guard in a real job", () => {
  // a small ε: the tiny CNN learns under it (at ε 0.05 it stays at chance), so epoch 2 has a working model to keep
  const GUARDED = { method: 'fast-at', epsilon: 0.01, cyclicLr: false, overfitDrop: 0.1 } as const;
  const config = configOf(GUARDED, { epochs: 3, trainSize: 256, learningRate: 0.01 });

  /** Negates the job's output layer (kernel and bias) after the last batch of epoch 3: its PGD accuracy collapses. */
  function corruptingPost(inbox: Inbox): (m: WorkerToHost) => void {
    const known = new Set(Object.keys(tf.engine().registeredVariables));
    return (m) => {
      inbox.post(m);
      if (m.type !== 'progress' || m.phase !== 'train' || m.epoch !== 3 || m.batch !== m.batches) return;
      const vars = Object.values(tf.engine().registeredVariables).filter((v) => !known.has(v.name) && v.trainable && v.name.includes('dense_out'));
      expect(vars).toHaveLength(2);
      for (const v of vars) tf.tidy(() => v.assign(tf.neg(v)));
    };
  }

  async function expectStoppedKeepingEpoch2(inbox: Inbox, runDir: string, epochsSeen: number[]): Promise<void> {
    const epochs = inbox.of('epoch-end');
    expect(epochs.map((e) => e.epoch)).toEqual(epochsSeen);
    expect(epochs.slice(0, -1).every((e) => e.stopped === undefined)).toBe(true);
    const stopped = epochs.at(-1)!.stopped;
    expect(stopped).toMatchObject({ keepEpoch: 2 });
    expect(stopped!.reason).toMatch(/^catastrophic overfitting: PGD-10 accuracy on 256 training images fell to .* after epoch 3, more than overfitDrop 0.1 below epoch 2's .*keeping epoch 2's weights$/);
    expect(inbox.of('log').filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([`run_t1: ${stopped!.reason}`]);
    // finished as a completed run: model saved (epoch 2's weights, not the collapsed ones), evaluated
    expect(inbox.of('artifact').map((a) => a.kind)).toEqual(['model']);
    const saved = await modelFileWeights(runDir);
    expect(maxDiff(saved, await checkpointWeights(config, checkpointDir(runDir, 2)))).toBe(0);
    expect(maxDiff(saved, await checkpointWeights(config, checkpointDir(runDir, 3)))).toBeGreaterThan(0);
    const clean = inbox.of('evaluation').map((e) => e.evaluation);
    expect(clean.map((e) => e.attack)).toEqual(['clean']);
    // the kept model works: well above the 10% of chance (the collapsed one is far below it)
    expect(clean[0]!.accuracy).toBeGreaterThan(0.25);
  }

  it('stops after the collapsed epoch, restores the best epoch’s weights, logs why and completes', async () => {
    const runDir = path.join(tmp, 'guard_full');
    const inbox = new Inbox();
    const before = tf.memory().numTensors;
    await expect(runTrainJob(trainJob(runDir, cacheDir, config), { post: corruptingPost(inbox), cancelRequested: () => false })).resolves.toBe('completed');
    expect(tf.memory().numTensors).toBe(before);
    await expectStoppedKeepingEpoch2(inbox, runDir, [1, 2, 3]);
  });

  it('stops the same way when resumed right before the collapse: the guard’s best epoch comes back from the checkpoint', async () => {
    const runDir = path.join(tmp, 'guard_resume');
    const first = new Inbox();
    const run = runTrainJob(trainJob(runDir, cacheDir, config, { evaluations: [] }), { post: first.post, cancelRequested: () => first.of('epoch-end').length >= 2 });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(first.of('epoch-end').map((e) => e.epoch)).toEqual([1, 2]);
    const inbox = new Inbox();
    const job = trainJob(runDir, cacheDir, config, { resume: { epoch: 2, checkpointDir: checkpointDir(runDir, 2) } });
    await expect(runTrainJob(job, { post: corruptingPost(inbox), cancelRequested: () => false })).resolves.toBe('completed');
    await expectStoppedKeepingEpoch2(inbox, runDir, [3]);
  });
});
