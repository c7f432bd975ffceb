// fit / evaluate: callbacks with NSL metrics, validation logs, learning on a small synthetic set, cancellation.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { type ModelHParams, TUTORIAL_HPARAMS, buildModel } from '../../../../../src/main/lab/models/builders';
import { AdversarialRegularization } from '../../../../../src/main/lab/nsl/adversarial-regularization';
import { type Batch, METRIC_NAMES, type MetricValues } from '../../../../../src/main/lab/nsl/metrics';
import { readMetrics } from '../../../../../src/main/lab/nsl/training-loop';

const MLP: ModelHParams = { ...TUTORIAL_HPARAMS, model: 'mlp', numFcUnits: [32] };
const N = 256;
const BATCH = 32;

beforeAll(async () => {
  await initEngine();
});

/** Class 0 lights the left half of the image, class 1 the right half, with noise: learnable in a few steps. */
function* syntheticBatches(seed: number, count = N): Generator<Batch> {
  for (let start = 0; start < count; start += BATCH) {
    const size = Math.min(BATCH, count - start);
    const labels = Array.from({ length: size }, (_, i) => (start + i + seed) % 2);
    const image = tf.tidy(() => {
      const left = tf.concat([tf.ones([28, 14, 1]), tf.zeros([28, 14, 1])], 1);
      const pattern = tf.stack(labels.map((l) => (l === 0 ? left : tf.reverse(left, 1))));
      return tf.clipByValue(tf.add(tf.mul(pattern, 0.6), tf.randomUniform([size, 28, 28, 1], 0, 0.4, 'float32', seed * 1000 + start)), 0, 1);
    }) as tf.Tensor4D;
    yield { image, label: tf.tensor1d(labels, 'int32') };
  }
}

describe('AdversarialRegularization.fit', () => {
  it('calls back per batch and per epoch with NSL metrics and validation logs, and learns', async () => {
    const model = buildModel(MLP, 7);
    const adv = new AdversarialRegularization(model, { multiplier: 0.2, advStepSize: 0.05, advGradNorm: 'infinity', clipValueMin: 0, clipValueMax: 1 });
    adv.compile({ optimizer: 'adam', learningRate: 0.01, loss: 'sparse_categorical_crossentropy' });
    const batchLogs: { batch: number; size: number; logs: MetricValues }[] = [];
    const epochLogs: Record<string, number>[] = [];
    const startTensors = tf.memory().numTensors;
    const history = await adv.fit({
      epochs: 2,
      batches: (epoch) => syntheticBatches(epoch + 1),
      validationBatches: () => syntheticBatches(99, 64),
      callbacks: {
        onBatchEnd: (batch, logs, size) => {
          batchLogs.push({ batch, size, logs });
        },
        onEpochEnd: (_, logs) => {
          epochLogs.push(logs);
        },
      },
    });
    expect(batchLogs).toHaveLength(2 * (N / BATCH));
    expect(batchLogs.slice(0, 8).map((b) => b.batch)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(batchLogs.every((b) => b.size === BATCH)).toBe(true);
    for (const b of batchLogs) {
      expect(Object.keys(b.logs).sort()).toEqual([...METRIC_NAMES].sort());
      expect(b.logs.loss).toBeCloseTo(b.logs.sparse_categorical_crossentropy + b.logs.scaled_adversarial_loss, 5);
    }
    expect(Object.keys(epochLogs[0]!).sort()).toEqual([...METRIC_NAMES, ...METRIC_NAMES.map((n) => `val_${n}`)].sort());
    // Epoch metrics are the batch-size-weighted means of the batch metrics.
    const firstEpochMean = batchLogs.slice(0, 8).reduce((s, b) => s + b.logs.loss, 0) / 8;
    expect(epochLogs[0]!.loss).toBeCloseTo(firstEpochMean, 5);
    expect(history.epoch).toEqual([0, 1]);
    expect(history.history.val_sparse_categorical_accuracy).toHaveLength(2);
    expect(epochLogs[1]!.val_sparse_categorical_accuracy).toBeGreaterThan(0.9);
    expect(batchLogs.at(-1)!.logs.loss).toBeLessThan(batchLogs[0]!.logs.loss);
    // Every batch was disposed by fit; only the optimizer's moments were added.
    expect(tf.memory().numTensors - startTensors).toBeLessThanOrEqual(5);
    adv.dispose();
    model.dispose();
  });

  it('evaluate returns sample-weighted means over uneven batches', async () => {
    const model = buildModel(MLP, 8);
    const adv = new AdversarialRegularization(model, { multiplier: 0.2, advStepSize: 0.05 });
    const all = [...syntheticBatches(3, 48)];
    const whole = { image: tf.concat(all.map((b) => b.image)), label: tf.concat(all.map((b) => b.label)) as tf.Tensor1D };
    const expected = await readMetrics(adv.evaluateStep(whole));
    tf.dispose([whole.image, whole.label]);
    const got = await adv.evaluate(all);
    expect(all.map((b) => b.image.shape[0])).toEqual([32, 16]);
    for (const name of METRIC_NAMES) expect(got[name]).toBeCloseTo(expected[name], 5);
    expect(all[0]!.image.isDisposed).toBe(true);
    adv.dispose();
    model.dispose();
  });

  it('stops when the signal is aborted and rejects with a cancelled LabError', async () => {
    const model = buildModel(MLP, 9);
    const adv = new AdversarialRegularization(model, { multiplier: 0 });
    adv.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' });
    const controller = new AbortController();
    const seen: number[] = [];
    const made: Batch[] = [];
    const run = adv.fit({
      epochs: 3,
      batches: () =>
        (function* () {
          for (const b of syntheticBatches(1)) {
            made.push(b);
            yield b;
          }
        })(),
      signal: controller.signal,
      callbacks: {
        onBatchEnd: (batch) => {
          seen.push(batch);
          if (batch === 2) controller.abort();
        },
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(seen).toEqual([0, 1, 2]);
    expect(made.every((b) => b.image.isDisposed && b.label.isDisposed)).toBe(true);
    adv.dispose();
    model.dispose();
  });

  it('rejects a non-positive epoch count and an empty epoch', async () => {
    const model = buildModel(MLP, 10);
    const adv = new AdversarialRegularization(model, { multiplier: 0 });
    adv.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' });
    await expect(adv.fit({ epochs: 0, batches: () => [] })).rejects.toMatchObject({ field: 'epochs' });
    await expect(adv.fit({ epochs: 1, batches: () => [] })).rejects.toMatchObject({ field: 'batches' });
    adv.dispose();
    model.dispose();
  });
});
