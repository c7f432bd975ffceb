// Gallery samples: plain typed arrays for chosen indices, consistent with the attack and the models' own predictions.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleGallery } from '../../../../../src/main/lab/attacks/gallery';
import { perturb } from '../../../../../src/main/lab/attacks/perturb';
import { type AttackSpec } from '../../../../../src/main/lab/attacks/spec';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { LabError } from '../../../../../src/shared/errors';
import { digitsTensor, mnistDigits, trainedModel, type Digits } from './fixtures';

let base: tf.LayersModel;
let adv: tf.LayersModel;
let test: Digits;
let images: { pixels: Uint8Array; shape: [number, number, number, number] };
const indices = [17, 3, 42, 0, 99];
const spec: AttackSpec = { attack: 'pgd', norm: 'l2', epsilon: 1.2, steps: 5, randomStart: false };

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

describe('sampleGallery', () => {
  it('returns clean, adversarial and perturbation pixels with labels for each index, in order', async () => {
    const g = await sampleGallery({ models: { base, adv }, images, labels: test.labels, indices, spec });
    expect(g.imageShape).toEqual([28, 28, 1]);
    expect(g.attack.stepSize).toBeCloseTo((2.5 * 1.2) / 5, 12);
    expect(g.samples.map((s) => s.index)).toEqual(indices);
    for (const s of g.samples) {
      expect(s.label).toBe(test.labels[s.index]);
      expect(s.clean).toBeInstanceOf(Float32Array);
      expect(s.clean.length).toBe(784);
      for (let i = 0; i < 784; i++) expect(s.clean[i]).toBeCloseTo(test.pixels[s.index * 784 + i]! / 255, 6);
      expect(s.perturbation.every((d, i) => Math.abs(d - (s.adversarial[i]! - s.clean[i]!)) < 1e-7)).toBe(true);
      expect(Math.hypot(...s.perturbation)).toBeLessThanOrEqual(1.2 * (1 + 1e-5));
      expect(s.adversarial.every((v) => v >= 0 && v <= 1)).toBe(true);
    }
  });

  it('uses the base model gradients by default and reports both models on clean and adversarial images', async () => {
    const g = await sampleGallery({ models: { base, adv }, images, labels: test.labels, indices, spec });
    const expected = tf.tidy(() => {
      const x = tf.gather(digitsTensor(test), indices);
      const a = perturb(base, x, indices.map((i) => test.labels[i]!), spec);
      return {
        adversarial: a.dataSync(),
        base: [(base.predict(x) as tf.Tensor).dataSync(), (base.predict(a) as tf.Tensor).dataSync()],
        adv: [(adv.predict(x) as tf.Tensor).dataSync(), (adv.predict(a) as tf.Tensor).dataSync()],
      };
    });
    g.samples.forEach((s, r) => {
      expect(Array.from(s.adversarial)).toEqual(Array.from(expected.adversarial.slice(r * 784, (r + 1) * 784)));
      for (const [name, pred] of [['base', s.base], ['adv', s.adv!]] as const) {
        const [clean, attacked] = expected[name];
        const cleanRow = Array.from(clean!.slice(r * 10, (r + 1) * 10));
        const advRow = Array.from(attacked!.slice(r * 10, (r + 1) * 10));
        expect(Array.from(pred.cleanProbabilities)).toEqual(cleanRow);
        expect(Array.from(pred.adversarialProbabilities)).toEqual(advRow);
        expect(pred.clean).toBe(cleanRow.indexOf(Math.max(...cleanRow)));
        expect(pred.adversarial).toBe(advRow.indexOf(Math.max(...advRow)));
      }
    });
  });

  it('perturbs with an explicit source model and omits adv predictions for a single model', async () => {
    const fromAdv = await sampleGallery({ models: { base }, source: adv, images, labels: test.labels, indices, spec });
    const fromBase = await sampleGallery({ models: { base }, images, labels: test.labels, indices, spec });
    expect(fromAdv.samples.every((s) => s.adv === undefined)).toBe(true);
    const differs = fromAdv.samples.some((s, r) => s.perturbation.some((d, i) => d !== fromBase.samples[r]!.perturbation[i]));
    expect(differs).toBe(true);
  });

  it('leaves the number of tensors flat over repeated samples', async () => {
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      await sampleGallery({ models: { base, adv }, images, labels: test.labels, indices, spec: { ...spec, randomStart: true, restarts: 2 } });
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('rejects indices outside the dataset and an empty list, naming the field', async () => {
    for (const bad of [[0, 100], [-1], [1.5], []]) {
      const err: unknown = await sampleGallery({ models: { base }, images, labels: test.labels, indices: bad, spec }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(LabError);
      expect((err as LabError).field).toBe('indices');
    }
  });
});
