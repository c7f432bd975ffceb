// FGSM/PGD perturbations: output kinds, exact steps on linear softmax models, the ε-ball and [0,1] box, random starts, seeds, memory.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { perturb } from '../../../../../src/main/lab/attacks/perturb';
import { type AttackSpec } from '../../../../../src/main/lab/attacks/spec';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { outputKind } from '../../../../../src/main/lab/nsl/model-head';
import { buildModel, TUTORIAL_HPARAMS } from '../../../../../src/main/lab/models/builders';
import { LabError } from '../../../../../src/shared/errors';
import { expectTensorsClose } from '../../../../helpers/tensors';
import { digitsTensor, mnistDigits, perturbationNorms, trainedModel } from './fixtures';

// A 2-class linear model on 2x2 images: logits z = flatten(x)·W. For label 0 the cross-entropy gradient w.r.t. x is
// (1 − p_0)(W[:,1] − W[:,0]) = (1 − p_0)·[-2, 3, 0, -2], so FGSM-∞ moves by ε·[-1, 1, 0, -1] and l2 by ε·[-2, 3, 0, -2]/√17.
const W = [[1, -1], [-2, 1], [0.5, 0.5], [3, 1]];
const DIFF = [-2, 3, 0, -2];

type Head = 'dense-softmax' | 'activation-layer' | 'softmax-layer' | 'unrecognised-tail';

function linearModel(head: Head, scale = 1): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.flatten({ inputShape: [2, 2, 1] }));
  model.add(tf.layers.dense({ units: 2, useBias: true, activation: head === 'dense-softmax' || head === 'unrecognised-tail' ? 'softmax' : 'linear' }));
  if (head === 'activation-layer') model.add(tf.layers.activation({ activation: 'softmax' }));
  if (head === 'softmax-layer') model.add(tf.layers.softmax());
  if (head === 'unrecognised-tail') model.add(tf.layers.reshape({ targetShape: [2] }));
  tf.tidy(() => model.layers[1]!.setWeights([tf.tensor2d(W).mul(scale), tf.zeros([2])]));
  return model;
}

const HEADS: Head[] = ['dense-softmax', 'activation-layer', 'softmax-layer', 'unrecognised-tail'];
/** Heads whose softmax the lab recognises; the unrecognised tail's output is taken as logits. */
const SOFTMAX_HEADS: Head[] = ['dense-softmax', 'activation-layer', 'softmax-layer'];
let models: Record<Head, tf.LayersModel>;

beforeAll(async () => {
  await initEngine();
  models = Object.fromEntries(HEADS.map((h) => [h, linearModel(h)])) as Record<Head, tf.LayersModel>;
});

afterAll(() => Object.values(models).forEach((m) => m.dispose()));

function attack(model: tf.LayersModel, x: number[], label: number, spec: AttackSpec): number[] {
  return tf.tidy(() => Array.from(perturb(model, tf.tensor4d(x, [1, 2, 2, 1]), [label], spec).dataSync()));
}

describe('fgsm on a linear softmax model', () => {
  it('classifies each head once: a final softmax means probabilities, anything else logits', () => {
    expect(HEADS.map((h) => outputKind(models[h]))).toEqual(['probabilities', 'probabilities', 'probabilities', 'logits']);
  });

  it.each(SOFTMAX_HEADS)('infinity moves each pixel by ε along sign(w_other − w_true), clipped to [0,1] (%s head)', (head) => {
    const adv = attack(models[head], [0.5, 0.5, 0.5, 0.02], 0, { attack: 'fgsm', norm: 'infinity', epsilon: 0.1 });
    // 0.02 − 0.1 is clipped to 0; the zero-gradient pixel stays
    expectTensorsClose(tf.tensor(adv), [0.4, 0.6, 0.5, 0], 1e-6);
  });

  it.each(SOFTMAX_HEADS)('l2 moves by ε along the normalised gradient (%s head)', (head) => {
    const adv = attack(models[head], [0.5, 0.5, 0.5, 0.5], 0, { attack: 'fgsm', norm: 'l2', epsilon: 0.3 });
    const expected = DIFF.map((d) => 0.5 + (0.3 * d) / Math.sqrt(17));
    expectTensorsClose(tf.tensor(adv), expected, 1e-5);
  });

  it('still takes a full l2 step on a saturated model whose probability gradient underflows to zero', () => {
    const confident = linearModel('dense-softmax', 100);
    const x0 = [0.9, 0.1, 0.5, 0.9]; // logit gap 330: p_0 = 1 and p_1 = 0 in float32
    // the premise: differentiating −log p_0 through the probabilities gives exactly zero
    const naive = tf.tidy(() => {
      const x = tf.tensor4d(x0, [1, 2, 2, 1]);
      return tf.grad((v: tf.Tensor) => tf.neg(tf.log((confident.predict(v) as tf.Tensor).slice([0, 0], [1, 1]))).sum())(x).abs().sum().dataSync()[0];
    });
    expect(naive).toBe(0);
    const adv = attack(confident, x0, 0, { attack: 'fgsm', norm: 'l2', epsilon: 0.3 });
    expectTensorsClose(tf.tensor(adv), x0.map((v, i) => v + (0.3 * DIFF[i]!) / Math.sqrt(17)), 1e-5);
    confident.dispose();
  });

  it('pgd without random start and one step of size ε equals fgsm', () => {
    const x = [0.3, 0.7, 0.5, 0.5];
    const pgd = attack(models['dense-softmax'], x, 0, { attack: 'pgd', norm: 'infinity', epsilon: 0.1, steps: 1, stepSize: 0.1, randomStart: false });
    const fgsm = attack(models['dense-softmax'], x, 0, { attack: 'fgsm', norm: 'infinity', epsilon: 0.1 });
    expect(pgd).toEqual(fgsm);
  });

  it('pgd projects back onto the ε-ball when steps overshoot it', () => {
    const adv = attack(models['dense-softmax'], [0.5, 0.5, 0.5, 0.5], 0, { attack: 'pgd', norm: 'infinity', epsilon: 0.05, steps: 5, stepSize: 0.04, randomStart: false });
    expectTensorsClose(tf.tensor(adv), [0.45, 0.55, 0.5, 0.45], 1e-6);
  });
});

describe('fgsm on the lab models', () => {
  it.each(['mlp', 'cnn'] as const)('steps along the sign of the cross-entropy gradient of a %s from buildModel', (kind) => {
    const model = buildModel({ ...TUTORIAL_HPARAMS, model: kind, convFilters: [4, 4], numFcUnits: [16] }, 3);
    const test = mnistDigits(1, 0);
    tf.tidy(() => {
      const x = digitsTensor(test);
      const y = tf.tensor1d(test.labels, 'int32');
      // plain autodiff of −log p_y through the model's probabilities: the direction FGSM must follow
      const g = tf.grad((v: tf.Tensor) => tf.neg(tf.log(tf.sum(tf.mul(model.predict(v) as tf.Tensor, tf.oneHot(y, 10)), 1))).sum())(x);
      const adv = perturb(model, x, y, { attack: 'fgsm', norm: 'infinity', epsilon: 0.1 });
      const expected = tf.clipByValue(tf.add(x, tf.mul(tf.sign(g), 0.1)), 0, 1);
      // compare where the gradient is clearly non-zero, so float noise cannot flip a sign
      const clear = tf.greater(tf.abs(g), tf.mul(tf.max(tf.abs(g), [1, 2, 3], true), 1e-3));
      const mismatches = tf.logicalAnd(clear, tf.greater(tf.abs(tf.sub(adv, expected)), 1e-6)).sum().dataSync()[0];
      expect(clear.sum().dataSync()[0]).toBeGreaterThan(1000);
      expect(mismatches).toBe(0);
    });
    model.dispose();
  });
});

describe('pgd on a trained MNIST model', () => {
  let model: tf.LayersModel;
  let x: tf.Tensor4D;
  let labels: Int32Array;

  beforeAll(async () => {
    model = await trainedModel(mnistDigits(30, 0), 7, 'dense', 4);
    const test = mnistDigits(4, 200);
    x = digitsTensor(test);
    labels = test.labels;
  });

  afterAll(() => {
    model.dispose();
    x.dispose();
  });

  it.each([
    { attack: 'pgd', norm: 'infinity', epsilon: 0.15, steps: 5, restarts: 2 },
    { attack: 'fgsm', norm: 'infinity', epsilon: 0.3, randomStart: true },
    { attack: 'pgd', norm: 'l2', epsilon: 1.5, steps: 5, restarts: 2 },
    { attack: 'fgsm', norm: 'l2', epsilon: 3 },
  ] as AttackSpec[])('keeps $attack/$norm ε=$epsilon perturbations inside the ball and [0,1]', (spec) => {
    const adv = perturb(model, x, labels, spec);
    const { linf, l2 } = perturbationNorms(adv, x);
    const bound = spec.norm === 'infinity' ? linf : l2;
    for (const n of bound) expect(n).toBeLessThanOrEqual(spec.epsilon * (1 + 1e-5) + 1e-6);
    expect(Math.max(...bound)).toBeGreaterThan(spec.epsilon * 0.5); // it did move
    expect(adv.min().dataSync()[0]).toBeGreaterThanOrEqual(0);
    expect(adv.max().dataSync()[0]).toBeLessThanOrEqual(1);
    adv.dispose();
  });

  it('draws infinity random starts uniformly from the ball', () => {
    const grey = tf.fill([8, 28, 28, 1], 0.5) as tf.Tensor4D;
    // a vanishing step leaves the iterate at its random start
    const adv = perturb(model, grey, Array(8).fill(3), { attack: 'pgd', norm: 'infinity', epsilon: 0.2, steps: 1, stepSize: 1e-9 });
    const delta = tf.sub(adv, grey);
    expect(delta.abs().mean().dataSync()[0]).toBeCloseTo(0.1, 2); // E|U(-ε, ε)| = ε/2
    expect(Math.abs(delta.mean().dataSync()[0]!)).toBeLessThan(0.005);
    expect(delta.abs().max().dataSync()[0]).toBeLessThanOrEqual(0.2 + 1e-6);
    tf.dispose([grey, adv, delta]);
  });

  it('draws l2 random starts from the ball with the radius law of 784 dimensions', () => {
    const grey = tf.fill([8, 28, 28, 1], 0.5) as tf.Tensor4D;
    const adv = perturb(model, grey, Array(8).fill(3), { attack: 'pgd', norm: 'l2', epsilon: 2, steps: 1, stepSize: 1e-9 });
    const { l2 } = perturbationNorms(adv, grey);
    // radius ε·u^(1/784): above 0.99·ε unless u < 0.99^784 ≈ 4e-4
    for (const n of l2) {
      expect(n).toBeGreaterThan(1.98);
      expect(n).toBeLessThanOrEqual(2 + 1e-5);
    }
    tf.dispose([grey, adv]);
  });

  it('is reproducible for a seed and changes with the seed', () => {
    const spec: AttackSpec = { attack: 'pgd', norm: 'infinity', epsilon: 0.1, steps: 2, seed: 5 };
    const [a, b, c] = [perturb(model, x, labels, spec), perturb(model, x, labels, spec), perturb(model, x, labels, { ...spec, seed: 6 })];
    expectTensorsClose(a, b, 0);
    expect(tf.sub(a, c).abs().max().dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([a, b, c]);
  });

  it('leaves no tensor behind and keeps its inputs alive over repeated attacks', () => {
    const y = tf.tensor1d(labels, 'int32');
    const before = tf.memory().numTensors;
    for (const spec of [
      { attack: 'pgd', norm: 'l2', epsilon: 1, steps: 3, restarts: 2 },
      { attack: 'pgd', norm: 'infinity', epsilon: 0.1, steps: 3 },
      { attack: 'fgsm', norm: 'infinity', epsilon: 0 },
    ] as AttackSpec[]) {
      perturb(model, x, y, spec).dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
    expect(x.isDisposed || y.isDisposed).toBe(false);
    y.dispose();
  });

  it('returns the clean images for ε = 0', () => {
    const adv = perturb(model, x, labels, { attack: 'pgd', norm: 'infinity', epsilon: 0 });
    expectTensorsClose(adv, x, 0);
    adv.dispose();
  });

  it('rejects bad specs and mismatched labels with a LabError naming the field', () => {
    const fieldOf = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        expect(err).toBeInstanceOf(LabError);
        return (err as LabError).field;
      }
      return 'no error';
    };
    expect(fieldOf(() => perturb(model, x, labels, { attack: 'pgd', norm: 'infinity', epsilon: 2 }))).toBe('epsilon');
    expect(fieldOf(() => perturb(model, x, labels, { attack: 'pgd', norm: 'l2', epsilon: 1, steps: 0 }))).toBe('steps');
    expect(fieldOf(() => perturb(model, x, labels, { attack: 'pgd', norm: 'linf' as 'l2', epsilon: 1 }))).toBe('norm');
    expect(fieldOf(() => perturb(model, x, labels.slice(1), { attack: 'fgsm', norm: 'l2', epsilon: 1 }))).toBe('labels');
  });
});
