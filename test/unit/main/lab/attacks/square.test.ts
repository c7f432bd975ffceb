// Square Attack: its schedule and l2 pattern, the ε-ball and [0, 1] box, the query budget, memory, effectiveness.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { logitsOf, type LogitsFn } from '../../../../../src/main/lab/attacks/logits';
import { squareFraction, squareL2Pattern, squareRun, squareSide } from '../../../../../src/main/lab/attacks/square';
import { resolveAttack } from '../../../../../src/shared/attacks';
import { evaluateAttack } from '../../../../../src/main/lab/attacks/evaluate';
import { cleanAccuracy, digitsTensor, mnistDigits, perturbationNorms, trainedModel, type Digits } from './fixtures';

let model: tf.LayersModel;
let test: Digits;

beforeAll(async () => {
  await initEngine();
  model = await trainedModel(mnistDigits(30, 0), 7, 'dense', 4);
  test = mnistDigits(2, 200);
});

afterAll(() => model.dispose());

describe('square schedule and pattern', () => {
  it('halves p at iterations 10, 50, 200, 500, 1000, 2000, 4000, 6000 and 8000', () => {
    expect([0, 10, 11, 50, 51, 200, 201, 4000, 4001, 9000].map((i) => squareFraction(0.8, i))).toEqual([0.8, 0.8, 0.4, 0.4, 0.2, 0.2, 0.1, 0.8 / 64, 0.8 / 128, 0.8 / 512]);
  });

  it('uses a window of √(p·h·w) pixels a side (l2: odd, at least 3)', () => {
    expect(squareSide('infinity', 0.8, 0, 28, 28)).toBe(25);
    expect(squareSide('l2', 0.8, 11, 28, 28)).toBe(19);
    expect(squareSide('infinity', 0.8, 9000, 28, 28)).toBe(1);
    expect(squareSide('l2', 0.8, 9000, 28, 28)).toBe(3);
  });

  it('builds a unit-l2 pattern: positive over the top half, negative over the bottom, peaked at the centres', () => {
    const s = 5;
    const p = squareL2Pattern(s);
    expect(p.reduce((a, v) => a + v * v, 0)).toBeCloseTo(1, 6);
    for (let j = 0; j < s; j++) {
      expect(p[0 * s + j]).toBeGreaterThan(0);
      expect(p[1 * s + j]).toBeGreaterThan(0);
      for (let i = 2; i < s; i++) expect(p[i * s + j]).toBeLessThan(0);
    }
    expect(Math.abs(p[3 * s + 2]!)).toBeGreaterThan(Math.abs(p[2 * s + 0]!));
    const t = squareL2Pattern(s, true);
    for (let i = 0; i < s; i++) for (let j = 0; j < s; j++) expect(t[i * s + j]).toBe(p[j * s + i]);
  });
});

describe('squareRun', () => {
  it.each([
    ['infinity', 0.15],
    ['l2', 1.5],
  ] as const)('stays in the %s ball and [0, 1], within its query budget, and only reports real mistakes', (norm, epsilon) => {
    const queries = 40;
    const a = resolveAttack({ attack: 'square', norm, epsilon, queries });
    let evaluated = 0;
    const base = logitsOf(model);
    const counting: LogitsFn = (x) => {
      evaluated += x.shape[0]!;
      return base(x);
    };
    const x0 = digitsTensor(test);
    const y = tf.tensor1d(test.labels, 'int32');
    const before = tf.memory().numTensors;
    const best = squareRun(counting, x0, y, a, 3);
    const { linf, l2 } = perturbationNorms(best.x, x0);
    for (const n of norm === 'infinity' ? linf : l2) expect(n).toBeLessThanOrEqual(epsilon * (1 + 1e-5) + 1e-6);
    expect(Math.max(...(norm === 'infinity' ? linf : l2))).toBeGreaterThan(epsilon * 0.9);
    const [lo, hi] = tf.tidy(() => [best.x.min().dataSync()[0]!, best.x.max().dataSync()[0]!]);
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    expect(evaluated).toBeLessThanOrEqual(test.labels.length * queries);
    expect(evaluated).toBeGreaterThan(test.labels.length);
    const fooled = best.fooled.dataSync();
    const predicted = tf.tidy(() => base(best.x).argMax(1).dataSync());
    fooled.forEach((f, i) => expect(f === 1).toBe(predicted[i] !== test.labels[i]));
    tf.dispose([best.x, best.loss, best.fooled]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x0, y]);
  });

  it('lowers accuracy without any gradient and leaves no tensor behind', async () => {
    const images = { pixels: test.pixels, shape: test.shape };
    const before = tf.memory().numTensors;
    const r = await evaluateAttack({ target: model, images, labels: test.labels, spec: { attack: 'square', norm: 'infinity', epsilon: 0.3, queries: 300 } });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.accuracy).toBeLessThan(cleanAccuracy(model, test) - 0.2);
    expect(r.attack.queries).toBe(300);
  });
});
