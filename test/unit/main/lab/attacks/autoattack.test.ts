// AutoAttack and per-example results: the worst case over its components, cumulative component accuracies, the
// per-example correctness masks and their ensembles, and the zero-gradient fraction.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateAttack, robustnessCurve, type AttackAccuracy } from '../../../../../src/main/lab/attacks/evaluate';
import { perturb } from '../../../../../src/main/lab/attacks/perturb';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { autoAttackComponents } from '../../../../../src/main/lab/attacks/autoattack';
import { resolveAttack } from '../../../../../src/shared/attacks';
import { digitsTensor, mnistDigits, trainedModel, type Digits } from './fixtures';

let model: tf.LayersModel;
let test: Digits;
let images: { pixels: Uint8Array; shape: [number, number, number, number] };

beforeAll(async () => {
  await initEngine();
  model = await trainedModel(mnistDigits(30, 0), 7, 'dense', 4);
  test = mnistDigits(3, 300);
  images = { pixels: test.pixels, shape: test.shape };
});

afterAll(() => model.dispose());

const countOnes = (m: Uint8Array): number => m.reduce((s, v) => s + v, 0);

describe('autoattack', () => {
  it('runs APGD-CE, APGD-T and Square with the shared defaults', () => {
    const parts = autoAttackComponents(resolveAttack({ attack: 'autoattack', norm: 'infinity', epsilon: 0.1 }));
    expect(parts.map((p) => [p.attack, p.steps, p.targets, p.queries, p.pInit])).toEqual([
      ['apgd-ce', 100, 0, 0, 0],
      ['apgd-t', 100, 9, 0, 0],
      ['square', 0, 0, 5000, 0.8],
    ]);
  });

  it('reports the per-example worst case: never above its components or APGD-CE alone', async () => {
    // the suite with fewer steps, targets and queries than the defaults, so the test stays fast
    const aaSpec = { ...resolveAttack({ attack: 'autoattack', norm: 'infinity', epsilon: 0.06, seed: 3 }), steps: 10, targets: 3, queries: 200 };
    const apgdSpec = resolveAttack({ attack: 'apgd-ce', norm: 'infinity', epsilon: 0.06, seed: 3, steps: 10 });
    const before = tf.memory().numTensors;
    const curve = await robustnessCurve({ target: model, images, labels: test.labels, attacks: [aaSpec, apgdSpec] });
    expect(tf.memory().numTensors).toBe(before);
    const [aa, apgd] = curve.points as [AttackAccuracy, AttackAccuracy];
    expect(aa.components.map((c) => c.attack)).toEqual(['apgd-ce', 'apgd-t', 'square']);
    for (let k = 1; k < aa.components.length; k++) expect(aa.components[k]!.correct).toBeLessThanOrEqual(aa.components[k - 1]!.correct);
    expect(aa.components.at(-1)!.correct).toBe(aa.correct);
    // the first component is APGD-CE with the same seed on the same examples
    expect(aa.components[0]!.correct).toBe(apgd.correct);
    expect(aa.accuracy).toBeLessThanOrEqual(apgd.accuracy);
    expect(apgd.accuracy).toBeLessThan(1);
    aa.correctMask.forEach((v, i) => expect(v).toBeLessThanOrEqual(apgd.correctMask[i]!));
    expect(apgd.components).toEqual([]);
  });
});

describe('per-example results', () => {
  it('masks mark exactly the examples still classified correctly, and an ensemble is their AND', async () => {
    const curve = await robustnessCurve({ target: model, images, labels: test.labels, spec: { attack: 'pgd', norm: 'infinity', steps: 5, seed: 4 }, epsilons: [0, 0.05, 0.1] });
    const x = digitsTensor(test);
    curve.points.forEach((p) => {
      expect(p.correctMask.length).toBe(test.labels.length);
      expect(countOnes(p.correctMask)).toBe(p.correct);
      // one batch: the evaluation's perturbation is perturb's with the same seed
      const predicted = tf.tidy(() => (model.predict(perturb(model, x, test.labels, { attack: 'pgd', norm: 'infinity', epsilon: p.epsilon, steps: 5, seed: 4 })) as tf.Tensor).argMax(1).dataSync());
      p.correctMask.forEach((v, i) => expect(v).toBe(predicted[i] === test.labels[i] ? 1 : 0));
    });
    x.dispose();
    const fgsm = await evaluateAttack({ target: model, images, labels: test.labels, spec: { attack: 'fgsm', norm: 'infinity', epsilon: 0.1 } });
    const pgd = curve.points[2]!;
    const both = fgsm.correctMask.map((v, i) => v & pgd.correctMask[i]!);
    expect(countOnes(both)).toBeLessThanOrEqual(Math.min(fgsm.correct, pgd.correct));
  });

  it('reports the fraction of examples with an exactly zero input gradient', async () => {
    const live = await evaluateAttack({ target: model, images, labels: test.labels, spec: { attack: 'fgsm', norm: 'infinity', epsilon: 0.1 } });
    expect(live.zeroGradFraction).toBe(0);
    // a model whose output ignores its input: every gradient is zero and FGSM cannot move anything
    const flat = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 10, kernelInitializer: 'zeros', biasInitializer: 'ones' })] });
    const dead = await evaluateAttack({ target: flat, images, labels: test.labels, spec: { attack: 'fgsm', norm: 'infinity', epsilon: 0.1 } });
    expect(dead.zeroGradFraction).toBe(1);
    flat.dispose();
  });
});
