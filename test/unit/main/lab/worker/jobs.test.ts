import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { buildModel } from '../../../../../src/main/lab/models/builders';
import { saveModelFiles } from '../../../../../src/main/lab/run/model-files';
import { runEvaluateJob, runTrainJob } from '../../../../../src/main/lab/worker/jobs';
import { checkpointDir } from '../../../../../src/main/lab/worker/run-paths';
import { loadRunData } from '../../../../../src/main/lab/worker/run-data';
import { loadModelFiles } from '../../../../../src/main/lab/run/model-files';
import { CLEAN_TASK, FGSM_TASK, Inbox, tinyRunConfig, trainJob } from './fixtures';

let tmp: string;
let cacheDir: string;

beforeAll(async () => {
  await initEngine();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'rlab-worker-jobs-'));
  cacheDir = path.join(tmp, 'data');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('runTrainJob', () => {
  it('trains, checkpoints every epoch, saves the model and reports clean and attack accuracy', async () => {
    const inbox = new Inbox();
    const runDir = path.join(tmp, 'run_full');
    const before = tf.memory().numTensors;
    const outcome = await runTrainJob(trainJob(runDir, cacheDir, tinyRunConfig('adv'), { evaluations: [CLEAN_TASK, FGSM_TASK] }), { post: inbox.post, cancelRequested: () => false });
    expect(outcome).toBe('completed');
    expect(tf.memory().numTensors).toBe(before);

    const epochs = inbox.of('epoch-end');
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2]);
    for (const e of epochs) {
      expect(Object.keys(e.metrics).sort()).toEqual(['loss', 'scaled_adversarial_loss', 'sparse_categorical_accuracy', 'sparse_categorical_crossentropy', 'val_accuracy', 'val_loss']);
      expect(e.metrics.scaled_adversarial_loss).toBeGreaterThan(0);
      expect(e.checkpointDir).toBe(checkpointDir(runDir, e.epoch));
      expect(existsSync(path.join(e.checkpointDir, 'checkpoint.json'))).toBe(true);
      // 256 / 32 = 8 batches, all kept (fewer than the sampler's cap), steps counted across epochs
      expect(e.batches.map((b) => b.batch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(e.batches[0]!.step).toBe((e.epoch - 1) * 8 + 1);
    }
    const model = inbox.of('artifact').find((a) => a.kind === 'model');
    expect(model?.path).toBe(path.join(runDir, 'model', 'model.json'));
    // the builders end in a softmax: classified once by the model head, recorded with the run by the host
    expect(model?.outputKind).toBe('probabilities');
    expect(existsSync(path.join(runDir, 'model', 'weights.bin'))).toBe(true);

    const evals = inbox.of('evaluation');
    expect(evals.map((e) => e.evaluation.attack)).toEqual(['clean', 'fgsm']);
    expect(evals[0]!.evaluation.count).toBe(128);
    expect(evals[0]!.gallery).toBeNull();
    const gallery = evals[1]!.gallery!;
    expect(gallery.samples).toHaveLength(128);
    expect(gallery.samples.map((s) => s.index)).toEqual(Array.from({ length: 128 }, (_, i) => i));
    expect(gallery.samples[0]!.clean).toHaveLength(28 * 28);
    expect(gallery.samples[0]!.predictions.map((p) => p.runId)).toEqual(['run_t1']);
    // every class's confidence, clean and adversarial, agreeing with the predicted class
    for (const s of gallery.samples) {
      for (const p of s.predictions) {
        for (const [probs, predicted] of [[p.cleanProbabilities!, p.clean], [p.adversarialProbabilities!, p.adversarial]] as const) {
          expect(probs).toHaveLength(10);
          expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
          expect(probs.indexOf(Math.max(...probs))).toBe(predicted);
        }
      }
    }
    // FGSM at ε = 0.2 cannot help a model that learned something: robust accuracy ≤ clean accuracy
    expect(evals[1]!.evaluation.accuracy).toBeLessThanOrEqual(evals[0]!.evaluation.accuracy);
    expect(inbox.of('progress').some((p) => p.phase === 'evaluate')).toBe(true);
  });

  it('reports test loss and accuracy every epoch: the last epoch\'s is the saved model\'s clean accuracy on those test images', async () => {
    const inbox = new Inbox();
    const runDir = path.join(tmp, 'run_val');
    const config = tinyRunConfig('base');
    const before = tf.memory().numTensors;
    await runTrainJob(trainJob(runDir, cacheDir, config), { post: inbox.post, cancelRequested: () => false });
    expect(tf.memory().numTensors).toBe(before);
    const epochs = inbox.of('epoch-end');
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2]);
    for (const e of epochs) {
      expect(e.metrics.val_loss).toBeGreaterThan(0);
      expect(Number.isFinite(e.metrics.val_loss)).toBe(true);
      expect(e.metrics.val_accuracy).toBeGreaterThanOrEqual(0);
      expect(e.metrics.val_accuracy).toBeLessThanOrEqual(1);
    }

    // independently: the saved model's own predict() on the run's test split (128 images, under the 1000 cap)
    const data = await loadRunData(config, cacheDir);
    const model = await loadModelFiles(path.join(runDir, 'model', 'model.json'));
    const { images, labels } = data.test;
    const x = tf.tensor4d(Float32Array.from(images.pixels, (v) => v / 255), [...images.shape]);
    const predicted = tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor, 1).dataSync());
    x.dispose();
    model.dispose();
    const expected = labels.reduce((n, label, i) => n + (predicted[i] === label ? 1 : 0), 0) / labels.length;
    expect(labels.length).toBe(128);
    expect(epochs[1]!.metrics.val_accuracy).toBeCloseTo(expected, 10);
    // and the clean evaluation, scored on the same 128 images, agrees
    expect(inbox.of('evaluation')[0]!.evaluation.accuracy).toBeCloseTo(expected, 10);
  });

  it('sends at most about 10 progress messages per second, plus the first and last batch of each epoch', async () => {
    const inbox = new Inbox();
    const config = tinyRunConfig('base', { hparams: { convFilters: [4], numFcUnits: [8], epochs: 1, batchSize: 4 } });
    const started = performance.now();
    await runTrainJob(trainJob(path.join(tmp, 'run_rate'), cacheDir, config, { evaluations: [] }), { post: inbox.post, cancelRequested: () => false });
    const seconds = (performance.now() - started) / 1000;
    const train = inbox.all.map((m, i) => ({ m, at: inbox.at[i]! })).filter((x) => x.m.type === 'progress' && x.m.phase === 'train');
    expect(train.length).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 2);
    for (let i = 1; i < train.length; i++) {
      const p = train[i]!.m as Extract<typeof train[number]['m'], { type: 'progress' }>;
      if (p.batch === 1 || p.batch === p.batches) continue;
      expect(train[i]!.at - train[i - 1]!.at).toBeGreaterThanOrEqual(99);
    }
    expect(train[0]!.m).toMatchObject({ batch: 1, batches: 64 });
    expect(train.at(-1)!.m).toMatchObject({ batch: 64, batches: 64 });
  });

  it('the base role trains without the adversarial term', async () => {
    const inbox = new Inbox();
    const config = tinyRunConfig('base', { hparams: { convFilters: [4], numFcUnits: [8], epochs: 1, batchSize: 64 } });
    await runTrainJob(trainJob(path.join(tmp, 'run_base'), cacheDir, config), { post: inbox.post, cancelRequested: () => false });
    const [epoch] = inbox.of('epoch-end');
    expect(epoch!.metrics.scaled_adversarial_loss).toBe(0);
    expect(epoch!.metrics.loss).toBeCloseTo(epoch!.metrics.sparse_categorical_crossentropy, 6);
  });

  it('the same seed gives the same numbers on a rerun', async () => {
    const config = tinyRunConfig('adv', { hparams: { convFilters: [4], numFcUnits: [8], epochs: 1, batchSize: 32 } });
    const a = new Inbox();
    const b = new Inbox();
    await runTrainJob(trainJob(path.join(tmp, 'rerun_a'), cacheDir, config), { post: a.post, cancelRequested: () => false });
    await runTrainJob(trainJob(path.join(tmp, 'rerun_b'), cacheDir, config), { post: b.post, cancelRequested: () => false });
    expect(b.of('epoch-end')[0]!.metrics).toEqual(a.of('epoch-end')[0]!.metrics);
    expect(b.of('evaluation')[0]!.evaluation.accuracy).toBe(a.of('evaluation')[0]!.evaluation.accuracy);
  });

  it.each(['adam', 'sgd'] as const)('resuming from the epoch-1 checkpoint reproduces epoch 2 of an uninterrupted run (%s)', async (optimizer) => {
    const config = tinyRunConfig('adv', { hparams: { convFilters: [4], numFcUnits: [8], epochs: 2, batchSize: 32, optimizer, learningRate: optimizer === 'sgd' ? 0.05 : 0.001 } });
    const full = new Inbox();
    const fullDir = path.join(tmp, `resume_full_${optimizer}`);
    await runTrainJob(trainJob(fullDir, cacheDir, config, { evaluations: [] }), { post: full.post, cancelRequested: () => false });

    const resumed = new Inbox();
    const before = tf.memory().numTensors;
    await runTrainJob(trainJob(path.join(tmp, `resume_part_${optimizer}`), cacheDir, config, { evaluations: [], resume: { epoch: 1, checkpointDir: checkpointDir(fullDir, 1) } }), {
      post: resumed.post,
      cancelRequested: () => false,
    });
    expect(tf.memory().numTensors).toBe(before);
    const epochs = resumed.of('epoch-end');
    expect(epochs.map((e) => e.epoch)).toEqual([2]);
    const expected = full.of('epoch-end')[1]!;
    for (const [name, value] of Object.entries(expected.metrics)) expect(epochs[0]!.metrics[name]).toBeCloseTo(value, 5);
    expect(epochs[0]!.batches[0]!.step).toBe(9);
  });

  it('starts from the saved model at baseModelPath instead of a fresh one', async () => {
    const config = tinyRunConfig('base', { hparams: { convFilters: [4], numFcUnits: [8], epochs: 1, batchSize: 64 } });
    // the builder's model for this seed, saved: training from it must match training from the builder
    const start = buildModel(config.hparams, config.seed);
    const saved = await saveModelFiles(start, path.join(tmp, 'start_model'));
    start.dispose();
    const fromBuilder = new Inbox();
    const fromFile = new Inbox();
    await runTrainJob(trainJob(path.join(tmp, 'start_builder'), cacheDir, config, { evaluations: [] }), { post: fromBuilder.post, cancelRequested: () => false });
    await runTrainJob(trainJob(path.join(tmp, 'start_file'), cacheDir, { ...config, baseModelPath: saved.modelPath }, { evaluations: [] }), { post: fromFile.post, cancelRequested: () => false });
    expect(fromFile.of('epoch-end')[0]!.metrics).toEqual(fromBuilder.of('epoch-end')[0]!.metrics);
    const otherStart = buildModel(config.hparams, config.seed + 1);
    const other = await saveModelFiles(otherStart, path.join(tmp, 'other_model'));
    otherStart.dispose();
    const fromOther = new Inbox();
    await runTrainJob(trainJob(path.join(tmp, 'start_other'), cacheDir, { ...config, baseModelPath: other.modelPath }, { evaluations: [] }), { post: fromOther.post, cancelRequested: () => false });
    expect(fromOther.of('epoch-end')[0]!.metrics.loss).not.toBe(fromBuilder.of('epoch-end')[0]!.metrics.loss);
  });

  it('stops at the next batch when cancelled and reports no further epoch', async () => {
    const inbox = new Inbox();
    let batches = 0;
    const post = (m: Parameters<Inbox['post']>[0]): void => {
      inbox.post(m);
    };
    const before = tf.memory().numTensors;
    const run = runTrainJob(trainJob(path.join(tmp, 'run_cancel'), cacheDir, tinyRunConfig('adv'), { evaluations: [] }), {
      post,
      cancelRequested: () => ++batches >= 3,
      progressIntervalMs: 0,
    });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(inbox.of('epoch-end')).toHaveLength(0);
    expect(inbox.of('progress').at(-1)!.batch).toBe(3);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('runEvaluateJob', () => {
  it('evaluates a saved model, white-box and transfer, with the peer in the gallery', async () => {
    const config = tinyRunConfig('base', { hparams: { convFilters: [4], numFcUnits: [8], epochs: 1, batchSize: 64 } });
    const dirA = path.join(tmp, 'eval_a');
    const dirB = path.join(tmp, 'eval_b');
    await runTrainJob(trainJob(dirA, cacheDir, config, { evaluations: [] }), { post: () => undefined, cancelRequested: () => false });
    await runTrainJob(trainJob(dirB, cacheDir, { ...config, seed: 8 }, { evaluations: [] }), { post: () => undefined, cancelRequested: () => false });
    const inbox = new Inbox();
    const before = tf.memory().numTensors;
    await runEvaluateJob(
      {
        kind: 'evaluate', jobId: 'job_e', runId: 'run_a', runDir: dirA, cacheDir, config,
        modelPath: path.join(dirA, 'model', 'model.json'),
        galleryPeer: { runId: 'run_b', role: 'adv', modelPath: path.join(dirB, 'model', 'model.json') },
        evaluations: [FGSM_TASK, { ...FGSM_TASK, sourceRunId: 'run_b', sourceModelPath: path.join(dirB, 'model', 'model.json') }],
      },
      { post: inbox.post, cancelRequested: () => false },
    );
    expect(tf.memory().numTensors).toBe(before);
    const [white, transfer] = inbox.of('evaluation');
    expect(white!.evaluation.sourceRunId).toBeNull();
    expect(transfer!.evaluation.sourceRunId).toBe('run_b');
    expect(white!.gallery!.samples[0]!.predictions.map((p) => [p.runId, p.role])).toEqual([['run_a', 'base'], ['run_b', 'adv']]);
  });

  it('a task with a test size scores that part of the test split: the images `rlab eval --test-size` takes', async () => {
    const config = tinyRunConfig('base', { hparams: { convFilters: [4], numFcUnits: [8], epochs: 1, batchSize: 64 } });
    const dir = path.join(tmp, 'eval_part');
    await runTrainJob(trainJob(dir, cacheDir, config, { evaluations: [] }), { post: () => undefined, cancelRequested: () => false });
    const job = { kind: 'evaluate' as const, jobId: 'job_p', runId: 'run_p', runDir: dir, cacheDir, config, modelPath: path.join(dir, 'model', 'model.json'), galleryPeer: null };
    const part = new Inbox();
    await runEvaluateJob({ ...job, evaluations: [{ ...FGSM_TASK, testSize: 50 }, FGSM_TASK, { ...FGSM_TASK, testSize: 500 }] }, { post: part.post, cancelRequested: () => false });
    const [fifty, all, capped] = part.of('evaluation').map((e) => e.evaluation);
    expect([fifty!.count, all!.count, capped!.count]).toEqual([50, 128, 128]);
    expect(fifty!.subset!.size).toBe(50);
    expect(fifty!.subset!.indicesHash).not.toBe(all!.subset!.indicesHash);
    expect(capped!.subset).toEqual(all!.subset);
    // the same 50 images as an evaluation on the run's dataset with testSize 50
    const source = new Inbox();
    await runEvaluateJob({ ...job, evaluations: [FGSM_TASK], test: { dataset: config.data.dataset, testSize: 50, splitSeed: config.seed } }, { post: source.post, cancelRequested: () => false });
    const viaSource = source.of('evaluation')[0]!.evaluation;
    expect(viaSource.subset).toEqual(fifty!.subset);
    expect(viaSource.correct).toBe(fifty!.correct);
    expect(Array.from(viaSource.mask!)).toEqual(Array.from(fifty!.mask!));
  });
});
