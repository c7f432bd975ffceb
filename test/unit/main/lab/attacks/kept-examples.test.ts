// The first examples of an evaluation as it scored them: the kept images are the ones behind the mask (their
// probabilities give the recorded predictions), inside the ε-ball, for every model asked for, with no tensor left over.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { robustnessCurve } from '../../../../../src/main/lab/attacks/evaluate';
import { type AttackSpec } from '../../../../../src/main/lab/attacks/spec';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { mnistDigits, trainedModel, type Digits } from './fixtures';

let base: tf.LayersModel;
let adv: tf.LayersModel;
let test: Digits;
let images: { pixels: Uint8Array; shape: [number, number, number, number] };
const spec: Omit<AttackSpec, 'epsilon'> = { attack: 'pgd', norm: 'l2', steps: 5, randomStart: true, restarts: 2 };

beforeAll(async () => {
  await initEngine();
  const train = mnistDigits(30, 0);
  base = await trainedModel(train, 3, 'dense', 4);
  adv = await trainedModel(train, 4, 'conv', 4);
  test = mnistDigits(10, 100);
  images = { pixels: test.pixels, shape: test.shape };
});

afterAll(() => {
  base.dispose();
  adv.dispose();
});

const argMax = (v: Float32Array): number => v.indexOf(Math.max(...v));

describe('robustnessCurve keep', () => {
  it('keeps the first examples across batch boundaries, exactly as scored: mask, predictions and the ε-ball agree', async () => {
    const kept = 37;
    const curve = await robustnessCurve({ target: base, images, labels: test.labels, batchSize: 16, spec, epsilons: [1.2], keep: { examples: kept, models: [base, adv] } });
    const point = curve.points[0]!;
    const k = point.kept!;
    expect(k.count).toBe(kept);
    expect(k.clean).toHaveLength(kept * 784);
    expect(k.probabilities).toHaveLength(2);
    for (let i = 0; i < kept; i++) {
      const clean = k.clean.subarray(i * 784, (i + 1) * 784);
      const adversarial = k.adversarial.subarray(i * 784, (i + 1) * 784);
      for (let p = 0; p < 784; p += 97) expect(clean[p]).toBeCloseTo(test.pixels[i * 784 + p]! / 255, 6);
      expect(Math.hypot(...adversarial.map((v, p) => v - clean[p]!))).toBeLessThanOrEqual(1.2 * (1 + 1e-5));
      expect(adversarial.every((v) => v >= 0 && v <= 1)).toBe(true);
      // the random start makes a second attack differ: agreement means these are the scored images
      const own = argMax(k.probabilities[0]!.adversarial.subarray(i * 10, (i + 1) * 10));
      expect(own).toBe(point.predictions[i]);
      expect(point.correctMask[i]).toBe(own === test.labels[i] ? 1 : 0);
      for (const probs of k.probabilities) {
        const row = probs.clean.subarray(i * 10, (i + 1) * 10);
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      }
    }
    // the peer's probabilities are its own predictions on the same adversarial images
    const peer = tf.tidy(() => (adv.predict(tf.tensor4d(k.adversarial, [kept, 28, 28, 1])) as tf.Tensor).dataSync());
    expect(Array.from(k.probabilities[1]!.adversarial).every((v, j) => Math.abs(v - peer[j]!) < 1e-5)).toBe(true);
  });

  it('keeps at most the examples there are, nothing unless asked, and leaves the number of tensors flat', async () => {
    const before = tf.memory().numTensors;
    const all = await robustnessCurve({ target: base, images, labels: test.labels, spec, epsilons: [0.5, 1], keep: { examples: 1000, models: [base] } });
    expect(all.points.map((p) => p.kept!.count)).toEqual([100, 100]);
    expect(tf.memory().numTensors).toBe(before);
    const none = await robustnessCurve({ target: base, images, labels: test.labels, spec, epsilons: [0.5] });
    expect(none.points[0]!.kept).toBeNull();
    expect(tf.memory().numTensors).toBe(before);
  });
});
