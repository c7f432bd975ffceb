// MartStep: one update is SGD on MART's loss at the point the CE ascent reaches (the ramped ε, its step scaled, seed + step),
// the metrics are what the step documents, memory stays flat across steps and epochs, and a tiny real training of
// the tutorial CNN on real digits keeps the loss finite and the robust term ≥ 0.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { martLoss } from '../../../../../src/main/lab/defences/divergences';
import { innerMaximize } from '../../../../../src/main/lab/defences/inner-max';
import { MartStep } from '../../../../../src/main/lab/defences/mart';
import { epochsDone } from '../../../../../src/main/lab/defences/training-step';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { TUTORIAL_HPARAMS, buildModel } from '../../../../../src/main/lab/models/builders';
import { FlatAdam } from '../../../../../src/main/lab/nsl/flat-adam';
import { type Batch } from '../../../../../src/main/lab/nsl/metrics';
import { makeModelHead } from '../../../../../src/main/lab/nsl/model-head';
import { type DefenceOf, MartDefenceSchema, rampedEpsilon } from '../../../../../src/shared/defences';
import { LabError } from '../../../../../src/shared/errors';
import { digitBatch, expectWeights, progressAt, readMetrics, sgdExpectation, split, trainEpochs, weightsOf } from './robust-step-fixtures';

const MLP = { ...TUTORIAL_HPARAMS, model: 'mlp' as const, numFcUnits: [16] };
let batch: Batch;

beforeAll(async () => {
  await initEngine();
  batch = digitBatch(2, 0);
});

afterAll(() => tf.dispose([batch.image, batch.label]));

const mart = (over: Partial<DefenceOf<'mart'>> = {}): DefenceOf<'mart'> => MartDefenceSchema.parse({ method: 'mart', steps: 3, stepSize: 0.05, ...over });

/** Mean cross-entropy written out: −mean log softmax(z)[y]. */
function meanCe(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(labels, 10)), -1))) as tf.Scalar;
}

describe('MartStep', () => {
  it("updates by SGD on MART's loss, x′ from the CE ascent at the ramped ε (step scaled with it) and seed + step; scaled_adversarial_loss is the whole loss", () => {
    const model = buildModel(MLP, 3);
    const head = makeModelHead(model);
    const progress = progressAt(2, 1, 4, 5);
    // ε ramped by the fraction of epochs done, the step scaled with it (the ratio of the recipe kept)
    const epsilon = rampedEpsilon(0.3, 4, epochsDone(progress));
    expect(epsilon).toBeCloseTo(0.3 * (2.25 / 4), 10);
    const xAdv = innerMaximize(head, batch.image as tf.Tensor4D, { norm: 'infinity', epsilon, steps: 3, stepSize: (0.05 * epsilon) / 0.3, start: 'gaussian', seed: 9 + progress.step, objective: (z) => meanCe(z, batch.label), training: false });
    let expected: { ce: number; accuracy: number; robust: number } | undefined;
    const { weights, loss } = sgdExpectation(model, 0.1, () => {
      const clean = head.logits(batch.image, true);
      const terms = martLoss(clean, head.logits(xAdv, true), batch.label, 6);
      expected = { ce: meanCe(clean, batch.label).dataSync()[0]!, accuracy: tf.mean(tf.equal(tf.argMax(clean, -1), batch.label).toFloat()).dataSync()[0]!, robust: terms.robust.dataSync()[0]! };
      return terms.loss;
    });
    const optimizer = tf.train.sgd(0.1);
    const step = new MartStep({ model, optimizer, seed: 9 }, mart({ beta: 6, epsilon: 0.3, epsilonRampEpochs: 4 }));
    const m = readMetrics(step.trainStep(batch, progress));
    expect(m.loss).toBeCloseTo(loss, 5);
    expect(m.scaled_adversarial_loss).toBe(m.loss);
    expect(m.sparse_categorical_crossentropy).toBeCloseTo(expected!.ce, 5);
    expect(m.sparse_categorical_accuracy).toBeCloseTo(expected!.accuracy, 6);
    expect(expected!.robust).toBeGreaterThan(0);
    expectWeights(model, weights, 1e-5);
    tf.dispose([xAdv, ...weights]);
    step.dispose();
    optimizer.dispose();
    model.dispose();
  });

  it('at ε 0 (the first batch of a ramp) x′ = x: loss_adv is the clean boosted CE and the KL term vanishes', () => {
    const model = buildModel(MLP, 4);
    const head = makeModelHead(model);
    const expected = tf.tidy(() => {
      const z = head.logits(batch.image, true);
      const terms = martLoss(z, z, batch.label, 6);
      return { loss: terms.loss.dataSync()[0]!, robust: terms.robust.dataSync()[0]! };
    });
    expect(expected.robust).toBeCloseTo(0, 6);
    const optimizer = tf.train.sgd(0.1);
    const step = new MartStep({ model, optimizer, seed: 1 }, mart({ epsilonRampEpochs: 3 }));
    const m = readMetrics(step.trainStep(batch, progressAt(0, 0, 5, 6)));
    expect(m.loss).toBeCloseTo(expected.loss, 5);
    optimizer.dispose();
    model.dispose();
  });

  it('trains in the L2 ball too: finite metrics, numTensors flat across steps and epochs', () => {
    const model = buildModel(MLP, 6);
    const optimizer = new FlatAdam();
    const step = new MartStep({ model, optimizer, seed: 2 }, mart({ norm: 'l2', epsilon: 2, steps: 2, stepSize: 0.5 }));
    const batches = split(batch, 10);
    const values = trainEpochs(step, batches, 2);
    expect(values).toHaveLength(4);
    for (const v of values) for (const x of Object.values(v)) expect(Number.isFinite(x)).toBe(true);
    tf.dispose(batches.flatMap((b) => [b.image, b.label]));
    optimizer.dispose();
    model.dispose();
  });

  it('refuses a batch whose labels do not match its images, naming the field, and changes no weight', () => {
    const model = buildModel(MLP, 5);
    const optimizer = tf.train.sgd(0.1);
    const step = new MartStep({ model, optimizer, seed: 1 }, mart());
    const before = weightsOf(model);
    const label = tf.tensor1d([1, 2, 3], 'int32');
    const tensorsBefore = tf.memory().numTensors;
    expect(() => step.trainStep({ image: batch.image, label }, progressAt(0, 0, 1, 1))).toThrow(LabError);
    expect(() => step.trainStep({ image: batch.image, label }, progressAt(0, 0, 1, 1))).toThrow(/batch\.label must have shape \[20\]/);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expectWeights(model, before, 0);
    tf.dispose([label, ...before]);
    optimizer.dispose();
    model.dispose();
  });

  it('trains the tutorial CNN on 128 real digits for 2 epochs with Adam: loss finite, robust term ≥ 0, numTensors flat', () => {
    const model = buildModel(TUTORIAL_HPARAMS, 11);
    const head = makeModelHead(model);
    const optimizer = new FlatAdam();
    const defence = mart({ beta: 6, epsilon: 0.3, steps: 3, stepSize: 0.1, epsilonRampEpochs: 1 });
    const step = new MartStep({ model, optimizer, seed: 3 }, defence);
    const all = digitBatch(13, 40);
    const image = all.image.slice([0, 0, 0, 0], [128, -1, -1, -1]);
    const label = all.label.slice([0], [128]) as tf.Tensor1D;
    tf.dispose([all.image, all.label]);
    const batches = split({ image, label }, 32);
    const values = trainEpochs(step, batches, 2);
    expect(values).toHaveLength(8);
    for (const v of values) {
      for (const x of Object.values(v)) expect(Number.isFinite(x)).toBe(true);
      expect(v.scaled_adversarial_loss).toBe(v.loss);
    }
    // the trained model's robust term at its own PGD point, on every batch
    for (const [i, b] of batches.entries()) {
      const xAdv = innerMaximize(head, b.image as tf.Tensor4D, { norm: 'infinity', epsilon: 0.3, steps: 3, stepSize: 0.1, start: 'gaussian', seed: 100 + i, objective: (z) => meanCe(z, b.label), training: false });
      const robust = tf.tidy(() => martLoss(head.logits(b.image, false), head.logits(xAdv, false), b.label, 6).robust.dataSync()[0]!);
      expect(Number.isFinite(robust)).toBe(true);
      expect(robust).toBeGreaterThanOrEqual(0);
      xAdv.dispose();
    }
    step.dispose();
    tf.dispose([image, label, ...batches.flatMap((b) => [b.image, b.label])]);
    optimizer.dispose();
    model.dispose();
  });
});
