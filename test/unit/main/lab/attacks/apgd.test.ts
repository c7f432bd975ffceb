// Auto-PGD: its checkpoint schedule, the ε-ball, memory, and that it is at least as strong as PGD on a trained model.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apgdCheckpoints } from '../../../../../src/main/lab/attacks/apgd';
import { evaluateAttack } from '../../../../../src/main/lab/attacks/evaluate';
import { perturb } from '../../../../../src/main/lab/attacks/perturb';
import { type AttackSpec } from '../../../../../src/main/lab/attacks/spec';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { digitsTensor, mnistDigits, perturbationNorms, trainedModel, type Digits } from './fixtures';

let conv: tf.LayersModel;
let test: Digits;
let images: { pixels: Uint8Array; shape: [number, number, number, number] };

beforeAll(async () => {
  await initEngine();
  conv = await trainedModel(mnistDigits(50, 0), 2, 'conv');
  test = mnistDigits(6, 100);
  images = { pixels: test.pixels, shape: test.shape };
});

afterAll(() => conv.dispose());

describe('apgd', () => {
  it('checks its step size after 22% of the steps, then at intervals 3% shorter, never under 6%', () => {
    expect(apgdCheckpoints(100)).toEqual([21, 40, 56, 69, 79, 86, 92, 98]);
    expect(apgdCheckpoints(10)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it.each([
    ['infinity', 0.1],
    ['l2', 1.2],
  ] as const)('is at least as strong as PGD with the same steps (%s ε=%d)', async (norm, epsilon) => {
    const pgd = await evaluateAttack({ target: conv, images, labels: test.labels, spec: { attack: 'pgd', norm, epsilon, steps: 20 } });
    const apgd = await evaluateAttack({ target: conv, images, labels: test.labels, spec: { attack: 'apgd-ce', norm, epsilon, steps: 20 } });
    const apgdT = await evaluateAttack({ target: conv, images, labels: test.labels, spec: { attack: 'apgd-t', norm, epsilon, steps: 20, targets: 3 } });
    expect(pgd.accuracy).toBeLessThan(1);
    expect(apgd.accuracy).toBeLessThanOrEqual(pgd.accuracy);
    expect(apgdT.accuracy).toBeLessThanOrEqual(pgd.accuracy + 1 / test.labels.length);
  });

  it.each([
    { attack: 'apgd-ce', norm: 'infinity', epsilon: 0.1, steps: 10, restarts: 2 },
    { attack: 'apgd-t', norm: 'l2', epsilon: 1, steps: 10, targets: 2 },
  ] as AttackSpec[])('keeps $attack/$norm perturbations in the ball and [0, 1] and leaves no tensor behind', (spec) => {
    const x = digitsTensor(test);
    const before = tf.memory().numTensors;
    const adv = perturb(conv, x, test.labels, spec);
    const { linf, l2 } = perturbationNorms(adv, x);
    for (const n of spec.norm === 'infinity' ? linf : l2) expect(n).toBeLessThanOrEqual(spec.epsilon * (1 + 1e-5) + 1e-6);
    const [lo, hi] = tf.tidy(() => [adv.min().dataSync()[0]!, adv.max().dataSync()[0]!]);
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    adv.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
