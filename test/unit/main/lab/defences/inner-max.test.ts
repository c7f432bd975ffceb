// The inner maximisation of PGD-AT/TRADES/MART: the iterate stays in the ε-ball (∞ and L2) and in [0, 1], the
// objective rises on a real trained model, seeds reproduce the start, ε 0 is the point itself, and nothing leaks.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { innerMaximize, type InnerMaxArgs } from '../../../../../src/main/lab/defences/inner-max';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { makeModelHead, sparseCrossEntropy, type ModelHead } from '../../../../../src/main/lab/nsl/model-head';
import { LabError } from '../../../../../src/shared/errors';
import { digitsTensor, mnistDigits, perturbationNorms, trainedModel } from '../attacks/fixtures';

let model: tf.LayersModel;
let head: ModelHead;
let x: tf.Tensor4D;
let y: tf.Tensor1D;

beforeAll(async () => {
  await initEngine();
  model = await trainedModel(mnistDigits(6, 0), 3, 'conv', 4);
  head = makeModelHead(model);
  const d = mnistDigits(2, 20);
  x = digitsTensor(d);
  y = tf.tensor1d(d.labels, 'int32');
});

afterAll(() => {
  tf.dispose([x, y]);
  model.dispose();
});

const ce = (logits: tf.Tensor2D): tf.Scalar => sparseCrossEntropy(logits, y);
const args = (over: Partial<InnerMaxArgs>): InnerMaxArgs => ({ norm: 'infinity', epsilon: 0.3, steps: 5, stepSize: 0.1, start: 'uniform', seed: 11, objective: ce, training: false, ...over });
const lossAt = (xs: tf.Tensor4D): number => tf.tidy(() => ce(head.logits(xs, false)).dataSync()[0]!);

describe('innerMaximize', () => {
  it.each([
    ['infinity', 0.3, 0.1],
    ['l2', 2, 0.8],
  ] as const)('stays within the %s ball of radius %s and inside [0, 1], from every start', (norm, epsilon, stepSize) => {
    for (const start of ['none', 'uniform', 'gaussian'] as const) {
      const adv = innerMaximize(head, x, args({ norm, epsilon, stepSize, start }));
      const { linf, l2 } = perturbationNorms(adv, x);
      const bound = norm === 'infinity' ? linf : l2;
      expect(Math.max(...bound), `${start}`).toBeLessThanOrEqual(epsilon * (1 + 1e-5) + 1e-6);
      const [min, max] = tf.tidy(() => [adv.min().dataSync()[0]!, adv.max().dataSync()[0]!]);
      expect(min).toBeGreaterThanOrEqual(0);
      expect(max).toBeLessThanOrEqual(1);
      // the steps move the point: the budget is used, not left at the start
      expect(Math.max(...bound)).toBeGreaterThan(epsilon * 0.5);
      adv.dispose();
    }
  });

  it('raises the objective on a trained model, more with more steps', () => {
    const clean = lossAt(x);
    const one = innerMaximize(head, x, args({ steps: 1, epsilon: 0.1, stepSize: 0.025, start: 'none' }));
    const ten = innerMaximize(head, x, args({ steps: 10, epsilon: 0.1, stepSize: 0.025, start: 'none' }));
    expect(lossAt(one)).toBeGreaterThan(clean);
    expect(lossAt(ten)).toBeGreaterThan(lossAt(one));
    tf.dispose([one, ten]);
  });

  it('takes signed steps of stepSize from x without a random start (one ∞ step = FGSM)', () => {
    const adv = innerMaximize(head, x, args({ steps: 1, epsilon: 0.05, stepSize: 0.05, start: 'none' }));
    const expected = tf.tidy(() => {
      const g = tf.grad((xi: tf.Tensor) => ce(head.logits(xi, false)))(x);
      return tf.clipByValue(tf.add(x, tf.mul(tf.sign(g), 0.05)), 0, 1);
    });
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(adv, expected))).dataSync()[0]!);
    expect(diff).toBeLessThan(1e-6);
    tf.dispose([adv, expected]);
  });

  it('draws the same start for the same seed and another for another seed', () => {
    const a = innerMaximize(head, x, args({ steps: 0 }));
    const b = innerMaximize(head, x, args({ steps: 0 }));
    const c = innerMaximize(head, x, args({ steps: 0, seed: 12 }));
    const maxDiff = (p: tf.Tensor, q: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(p, q))).dataSync()[0]!);
    expect(maxDiff(a, b)).toBe(0);
    expect(maxDiff(a, c)).toBeGreaterThan(0);
    // the gaussian start is a jitter of 0.001·N(0, 1): well inside the ball
    const g = innerMaximize(head, x, args({ steps: 0, start: 'gaussian' }));
    expect(Math.max(...perturbationNorms(g, x).linf)).toBeLessThan(0.01);
    tf.dispose([a, b, c, g]);
  });

  it('returns x itself at ε 0 (the first batch of an ε ramp)', () => {
    const adv = innerMaximize(head, x, args({ epsilon: 0 }));
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(adv, x))).dataSync()[0]!)).toBe(0);
    adv.dispose();
  });

  it('refuses a negative ε, a fractional step count and a zero step size, naming the field', () => {
    expect(() => innerMaximize(head, x, args({ epsilon: -0.1 }))).toThrow(LabError);
    expect(() => innerMaximize(head, x, args({ steps: 1.5 }))).toThrow(/steps/);
    expect(() => innerMaximize(head, x, args({ stepSize: 0 }))).toThrow(/stepSize/);
  });

  it('leaves no tensor behind but its result', () => {
    innerMaximize(head, x, args({})).dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) for (const norm of ['infinity', 'l2'] as const) innerMaximize(head, x, args({ norm, epsilon: norm === 'l2' ? 2 : 0.3, training: true })).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
