// Accuracy under attack on real MNIST digits: clean parity at ε=0, attack ordering, transfer vs white-box, batching,
// progress, cancellation, memory and input validation.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateAttack, robustnessCurve, type AttackAccuracy } from '../../../../../src/main/lab/attacks/evaluate';
import { perturb } from '../../../../../src/main/lab/attacks/perturb';
import { type AttackSpec } from '../../../../../src/main/lab/attacks/spec';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { LabError } from '../../../../../src/shared/errors';
import { cleanAccuracy, digitsTensor, mnistDigits, trainedModel, type Digits } from './fixtures';

let dense: tf.LayersModel;
let conv: tf.LayersModel;
let test: Digits;
let images: { pixels: Uint8Array; shape: [number, number, number, number] };

beforeAll(async () => {
  await initEngine();
  const train = mnistDigits(50, 0);
  dense = await trainedModel(train, 1, 'dense');
  conv = await trainedModel(train, 2, 'conv');
  test = mnistDigits(30, 100);
  images = { pixels: test.pixels, shape: test.shape };
});

afterAll(() => {
  dense.dispose();
  conv.dispose();
});

async function rejection(p: Promise<unknown>): Promise<LabError> {
  const err: unknown = await p.then(() => new Error('expected a rejection'), (e: unknown) => e);
  expect(err).toBeInstanceOf(LabError);
  return err as LabError;
}

const pgdInf: AttackSpec = { attack: 'pgd', norm: 'infinity', epsilon: 0.1, steps: 10 };

describe('evaluateAttack', () => {
  it('at ε = 0 reports exactly the clean accuracy, overall and per class', async () => {
    const r = await evaluateAttack({ target: dense, images, labels: test.labels, spec: { ...pgdInf, epsilon: 0 }, batchSize: 128 });
    expect(r.count).toBe(300);
    expect(r.accuracy).toBe(cleanAccuracy(dense, test));
    const predicted = tf.tidy(() => (dense.predict(digitsTensor(test)) as tf.Tensor).argMax(1).dataSync());
    for (let c = 0; c < 10; c++) {
      const rows = [...test.labels.keys()].filter((i) => test.labels[i] === c);
      expect(r.perClassCount[c]).toBe(rows.length);
      expect(r.perClassAccuracy[c]).toBe(rows.filter((i) => predicted[i] === c).length / rows.length);
    }
  });

  it.each([
    ['infinity', 0.1],
    ['l2', 1.5],
  ] as const)('pgd is never weaker than fgsm at the same ε (%s, ε=%d)', async (norm, epsilon) => {
    const clean = cleanAccuracy(dense, test);
    const fgsm = await evaluateAttack({ target: dense, images, labels: test.labels, spec: { attack: 'fgsm', norm, epsilon } });
    const pgd = await evaluateAttack({ target: dense, images, labels: test.labels, spec: { attack: 'pgd', norm, epsilon, steps: 10 } });
    expect(fgsm.accuracy).toBeLessThan(clean);
    expect(pgd.accuracy).toBeLessThanOrEqual(fgsm.accuracy);
  });

  it('restarts fool every example a single start fools, and never score higher', async () => {
    const spec: AttackSpec = { attack: 'pgd', norm: 'infinity', epsilon: 0.06, steps: 3, seed: 11 };
    const one = await evaluateAttack({ target: conv, images, labels: test.labels, spec, batchSize: 300 });
    const three = await evaluateAttack({ target: conv, images, labels: test.labels, spec: { ...spec, restarts: 3 }, batchSize: 300 });
    expect(three.accuracy).toBeLessThanOrEqual(one.accuracy);
    const [fooledOne, fooledThree] = tf.tidy(() => {
      const x = digitsTensor(test);
      const wrong = (s: AttackSpec) => (conv.predict(perturb(conv, x, test.labels, s)) as tf.Tensor).argMax(1).notEqual(tf.tensor1d(test.labels, 'int32')).dataSync();
      return [wrong(spec), wrong({ ...spec, restarts: 3 })];
    });
    fooledOne!.forEach((f, i) => {
      if (f) expect(fooledThree![i], `example ${i}`).toBe(1);
    });
  });

  it('transfer scores the target on perturbations made with the source gradients', async () => {
    const spec: AttackSpec = { attack: 'pgd', norm: 'infinity', epsilon: 0.15, steps: 5, randomStart: false };
    const transfer = await evaluateAttack({ target: conv, source: dense, images, labels: test.labels, spec });
    const whiteBox = await evaluateAttack({ target: conv, images, labels: test.labels, spec });
    const byHand = tf.tidy(() => {
      const adv = perturb(dense, digitsTensor(test), test.labels, spec);
      const predicted = Array.from((conv.predict(adv) as tf.Tensor).argMax(1).dataSync());
      return predicted.reduce((s, p, i) => s + (p === test.labels[i] ? 1 : 0), 0) / 300;
    });
    expect(transfer.transfer).toBe(true);
    expect(whiteBox.transfer).toBe(false);
    expect(transfer.accuracy).toBe(byHand);
    expect(transfer.accuracy).toBeGreaterThan(whiteBox.accuracy);
  });

  it('gives the same result for any batch size when the attack is deterministic', async () => {
    const spec: AttackSpec = { ...pgdInf, steps: 4, randomStart: false };
    const run = (batchSize: number) => evaluateAttack({ target: dense, images, labels: test.labels, spec, batchSize });
    const [small, large] = [await run(64), await run(1000)];
    expect(small).toEqual(large);
  });

  it('gives the same result for uint8 pixel arrays and float tensors', async () => {
    const x = digitsTensor(test);
    const fromTensor = await evaluateAttack({ target: dense, images: x, labels: tf.tensor1d(test.labels, 'int32'), spec: pgdInf });
    const fromPixels = await evaluateAttack({ target: dense, images, labels: test.labels, spec: pgdInf });
    expect(fromTensor).toEqual(fromPixels);
    x.dispose();
  });

  it('leaves the number of tensors flat over repeated evaluations', async () => {
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      await evaluateAttack({ target: conv, source: dense, images, labels: test.labels, spec: { ...pgdInf, steps: 2, restarts: 2 }, batchSize: 128 });
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('rejects bad arguments with a LabError naming the field', async () => {
    const base = { target: dense, images, labels: test.labels, spec: pgdInf };
    expect((await rejection(evaluateAttack({ ...base, spec: { ...pgdInf, epsilon: 1.2 } }))).field).toBe('epsilon');
    expect((await rejection(evaluateAttack({ ...base, spec: { ...pgdInf, steps: 0 } }))).field).toBe('steps');
    expect((await rejection(evaluateAttack({ ...base, batchSize: 0 }))).field).toBe('batchSize');
    expect((await rejection(evaluateAttack({ ...base, labels: test.labels.slice(0, 10) }))).field).toBe('labels');
    const outOfRange = Int32Array.from(test.labels);
    outOfRange[5] = 10;
    const err = await rejection(evaluateAttack({ ...base, labels: outOfRange }));
    expect(err.field).toBe('labels');
    expect(err.message).toContain('at 5');
  });
});

describe('robustnessCurve', () => {
  const spec = { attack: 'pgd', norm: 'infinity', steps: 5 } as const;

  it('scores each ε in order: ε = 0 is clean accuracy and each point equals a single evaluation', async () => {
    const epsilons = [0, 0.05, 0.2];
    const curve = await robustnessCurve({ target: dense, images, labels: test.labels, spec, epsilons, batchSize: 128 });
    expect(curve.points.map((p) => p.epsilon)).toEqual(epsilons);
    expect(curve.points[0]!.accuracy).toBe(cleanAccuracy(dense, test));
    expect(curve.points[2]!.accuracy).toBeLessThan(curve.points[0]!.accuracy);
    for (const p of curve.points.slice(1)) {
      const single: AttackAccuracy = await evaluateAttack({ target: dense, images, labels: test.labels, spec: { ...spec, epsilon: p.epsilon }, batchSize: 128 });
      expect(p).toEqual(single);
    }
    expect(curve.points[1]!.attack.stepSize).toBeCloseTo((2.5 * 0.05) / 5, 12);
  });

  it('reports progress per batch and ε, and stops between batches when cancelled', async () => {
    const seen: [number, number][] = [];
    await robustnessCurve({ target: dense, images, labels: test.labels, spec, epsilons: [0, 0.1], batchSize: 100, onProgress: (p) => seen.push([p.done, p.total]) });
    expect(seen).toEqual([1, 2, 3, 4, 5, 6].map((d) => [d, 6]));

    const controller = new AbortController();
    let calls = 0;
    const onProgress = () => {
      if (++calls === 2) controller.abort();
    };
    const err = await rejection(robustnessCurve({ target: dense, images, labels: test.labels, spec, epsilons: [0, 0.1], batchSize: 100, onProgress, signal: controller.signal }));
    expect(err.code).toBe('cancelled');
    expect(calls).toBe(2);

    let checks = 0;
    const stop = await rejection(robustnessCurve({ target: dense, images, labels: test.labels, spec, epsilons: [0.1], batchSize: 100, shouldStop: () => ++checks > 1 }));
    expect(stop.code).toBe('cancelled');
  });

  it('names the bad radius in a list and rejects an empty list', async () => {
    const base = { target: dense, images, labels: test.labels, spec };
    expect((await rejection(robustnessCurve({ ...base, epsilons: [0, 0.1, 1.5] }))).field).toBe('epsilons[2]');
    expect((await rejection(robustnessCurve({ ...base, epsilons: [] }))).field).toBe('epsilons');
  });
});
