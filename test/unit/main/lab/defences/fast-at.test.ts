// Fast-AT against its definition (Wong et al. 2020): the training point is one FGSM step of α from a uniform start,
// projected and clipped; the cyclic learning rate reaches the optimizer before every update (FlatAdam and SGD); the
// catastrophic-overfitting guard stops, keeping the best epoch, when a model's PGD accuracy on the probe collapses
// (here: a trained model whose output layer is negated between epochs), and its state survives state()/restoreState().
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastAtLearningRate, FastAtStep, type GuardProbe } from '../../../../../src/main/lab/defences/fast-at';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { FlatAdam } from '../../../../../src/main/lab/nsl/flat-adam';
import { makeModelHead, sparseCrossEntropy } from '../../../../../src/main/lab/nsl/model-head';
import { randomInNormBall } from '../../../../../src/main/lab/nsl/random-init';
import { readMetrics } from '../../../../../src/main/lab/nsl/training-loop';
import { cyclicLearningRate, FastAtDefenceSchema, type DefenceOf } from '../../../../../src/shared/defences';
import { LabError } from '../../../../../src/shared/errors';
import { digitsTensor, mnistDigits, perturbationNorms, trainedModel } from '../attacks/fixtures';
import { digitBatch, disposeBatch, maxAbsDiff, progressAt, tinyCnn, weightsOf } from './fixtures';

const defence = (over: Partial<DefenceOf<'fast-at'>> = {}): DefenceOf<'fast-at'> => FastAtDefenceSchema.parse({ method: 'fast-at', ...over });
const rateOf = (o: tf.Optimizer): number => (o as unknown as { learningRate: number }).learningRate;

beforeAll(async () => {
  await initEngine();
});

describe('FastAtStep training point', () => {
  it('is one signed step of α = 1.25ε from the seeded uniform start, projected onto the ε-ball and [0, 1]', () => {
    const model = tinyCnn(4);
    const opt = tf.train.sgd(0.1);
    const d = defence({ epsilon: 0.1 });
    const step = new FastAtStep({ model, optimizer: opt, seed: 21 }, d);
    const batch = digitBatch(2, 0);
    const p = progressAt(1, 2);
    const x = batch.image as tf.Tensor4D;
    const adv = step.adversarialBatch(batch, p);
    const expected = tf.tidy(() => {
      const start = tf.clipByValue(tf.add(x, randomInNormBall([x], 0.1, 'infinity', 21 + p.step)[0]!), 0, 1);
      const head = makeModelHead(model);
      const g = tf.grad((xi: tf.Tensor) => sparseCrossEntropy(head.logits(xi, true), batch.label))(start);
      const moved = tf.add(start, tf.mul(tf.sign(g), 0.125));
      return tf.clipByValue(tf.add(x, tf.clipByValue(tf.sub(moved, x), -0.1, 0.1)), 0, 1);
    });
    expect(maxAbsDiff(adv, expected)).toBeLessThan(1e-6);
    const { linf } = perturbationNorms(adv, x);
    expect(Math.max(...linf)).toBeLessThanOrEqual(0.1 + 1e-6);
    // α > ε: most pixels end on the ball's surface
    expect(Math.max(...linf)).toBeCloseTo(0.1, 5);
    tf.dispose([adv, expected]);
    disposeBatch(batch);
    opt.dispose();
    model.dispose();
  });
});

describe('the cyclic learning rate', () => {
  it("follows Wong et al.'s schedule at (batch + 1) / batches: 0 → lrMax at 2/5 of training → 0", () => {
    const d = { lrMax: 0.005 };
    // 5 epochs of 4 batches: peak at epoch 2
    expect(fastAtLearningRate(d, progressAt(0, 0, 4, 5))).toBeCloseTo(0.005 * (0.25 / 2), 12);
    expect(fastAtLearningRate(d, progressAt(1, 3, 4, 5))).toBeCloseTo(0.005, 12);
    expect(fastAtLearningRate(d, progressAt(3, 1, 4, 5))).toBeCloseTo(0.005 * ((5 - 3.5) / 3), 12);
    expect(fastAtLearningRate(d, progressAt(4, 3, 4, 5))).toBe(0);
    expect(fastAtLearningRate(d, progressAt(2, 1, 4, 5))).toBe(cyclicLearningRate(0.005, 2.5, 5));
  });

  it.each(['adam', 'sgd'] as const)('is set on the %s optimizer before every update, and a rate of 0 leaves the weights as they were', async (kind) => {
    const model = tinyCnn(6);
    const opt = kind === 'adam' ? new FlatAdam({ learningRate: 0.001 }) : tf.train.sgd(0.1);
    const d = defence({ epsilon: 0.1, lrMax: 0.05 });
    const step = new FastAtStep({ model, optimizer: opt, seed: 2 }, d);
    const batch = digitBatch(1, 0);
    for (const p of [progressAt(0, 0, 4, 5), progressAt(1, 3, 4, 5), progressAt(3, 2, 4, 5)]) {
      const before = weightsOf(model);
      await readMetrics(step.trainStep(batch, p));
      expect(rateOf(opt)).toBeCloseTo(fastAtLearningRate(d, p), 12);
      expect(Math.max(...model.getWeights().map((w, i) => maxAbsDiff(w, before[i]!)))).toBeGreaterThan(0);
      tf.dispose(before);
    }
    // the last batch of the last epoch has rate 0: the update changes nothing
    const before = weightsOf(model);
    await readMetrics(step.trainStep(batch, progressAt(4, 3, 4, 5)));
    expect(rateOf(opt)).toBe(0);
    model.getWeights().forEach((w, i) => expect(maxAbsDiff(w, before[i]!)).toBe(0));
    tf.dispose(before);
    // without cyclicLr the run's own rate stays
    const plain = new FastAtStep({ model, optimizer: opt, seed: 2 }, defence({ epsilon: 0.1, cyclicLr: false }));
    if (kind === 'adam') (opt as FlatAdam).setLearningRate(0.002);
    else (opt as tf.SGDOptimizer).setLearningRate(0.002);
    await readMetrics(plain.trainStep(batch, progressAt(1, 1, 4, 5)));
    expect(rateOf(opt)).toBe(0.002);
    disposeBatch(batch);
    opt.dispose();
    model.dispose();
  });
});

describe('the catastrophic-overfitting guard', () => {
  let model: tf.LayersModel;
  let probe: GuardProbe;
  const optimizer = tf.train.sgd(0.01);
  const d = defence({ epsilon: 0.05, overfitDrop: 0.2 });

  beforeAll(async () => {
    const train = mnistDigits(10, 0);
    model = await trainedModel(train, 8, 'conv', 8);
    probe = { image: digitsTensor(train), label: tf.tensor1d(train.labels, 'int32') };
  });
  afterAll(() => {
    tf.dispose([probe.image, probe.label]);
    model.dispose();
    optimizer.dispose();
  });

  /** The output layer's kernel and bias times −1: the model now ranks its classes backwards (a real collapse). */
  function negateOutput(): void {
    const out = model.layers[model.layers.length - 1]!;
    tf.tidy(() => out.setWeights(out.getWeights().map((w) => tf.neg(w))));
  }

  it('continues while PGD accuracy holds, stops keeping the best epoch once it collapses, and restores that decision from its state', async () => {
    const step = new FastAtStep({ model, optimizer, seed: 1, probe }, d);
    const before = tf.memory().numTensors;
    expect(await step.onEpochEnd(1)).toEqual({ action: 'continue' });
    expect(tf.memory().numTensors).toBe(before);
    const healthy = step.probeAccuracy();
    expect(healthy).toBeGreaterThan(0.5);
    expect(await step.onEpochEnd(2)).toEqual({ action: 'continue' });
    const state = step.state();
    expect(state.best?.epoch).toBe(1);
    expect(state.accuracies).toHaveLength(2);

    negateOutput();
    try {
      const collapsed = step.probeAccuracy();
      expect(collapsed).toBeLessThan(healthy - 0.2);
      const decision = await step.onEpochEnd(3);
      expect(decision).toMatchObject({ action: 'stop', keepEpoch: 1 });
      expect(decision.action === 'stop' && decision.reason).toMatch(/catastrophic overfitting: PGD-10 accuracy on 100 training images fell to .* after epoch 3, more than overfitDrop 0.2 below epoch 1's/);

      // a resumed run gets the history back through its checkpoint: it stops as the uninterrupted one would
      const resumed = new FastAtStep({ model, optimizer, seed: 1, probe }, d);
      resumed.restoreState(JSON.parse(JSON.stringify(state)));
      expect(await resumed.onEpochEnd(3)).toMatchObject({ action: 'stop', keepEpoch: 1 });
      // without the state the collapsed model would be its first and best epoch
      const fresh = new FastAtStep({ model, optimizer, seed: 1, probe }, d);
      expect(await fresh.onEpochEnd(3)).toEqual({ action: 'continue' });
    } finally {
      negateOutput();
    }
  });

  it('is off with overfitGuard false, or without a probe', async () => {
    negateOutput();
    try {
      const off = new FastAtStep({ model, optimizer, seed: 1, probe }, defence({ epsilon: 0.05, overfitGuard: false }));
      off.restoreState({ accuracies: [0.9], best: { epoch: 1, accuracy: 0.9 } });
      expect(await off.onEpochEnd(2)).toEqual({ action: 'continue' });
      const noProbe = new FastAtStep({ model, optimizer, seed: 1 }, d);
      noProbe.restoreState({ accuracies: [0.9], best: { epoch: 1, accuracy: 0.9 } });
      expect(await noProbe.onEpochEnd(2)).toEqual({ action: 'continue' });
    } finally {
      negateOutput();
    }
  });

  it('refuses a state that is not its own', () => {
    const step = new FastAtStep({ model, optimizer, seed: 1, probe }, d);
    expect(() => step.restoreState({ best: 3 })).toThrow(LabError);
    expect(() => step.restoreState({ accuracies: [1.5], best: null })).toThrow(/guard state/);
  });
});
