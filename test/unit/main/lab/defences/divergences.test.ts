// TRADES's and MART's losses against their definitions: hand-computed values, PyTorch running the authors' formulas
// (test/fixtures/divergences-reference.json, written by scripts/fixtures/divergences_reference.py), gradients with
// respect to both logits against PyTorch's autograd and against central finite differences, and flat memory.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { klFromLogits, martLoss, martRunnerUpClass, tradesLoss, tradesRobustLoss } from '../../../../../src/main/lab/defences/divergences';
import { initEngine } from '../../../../../src/main/lab/engine/tf';

interface Case {
  name: string;
  logits: number[][];
  logitsAdv: number[][];
  labels: number[];
  beta: number;
  trades: { loss: number; natural: number; robust: number; kl: number[]; gradLogits: number[][]; gradLogitsAdv: number[][] };
  mart: { loss: number; adv: number; robust: number; newY: number[]; gradLogits: number[][]; gradLogitsAdv: number[][] };
}

const fixture = JSON.parse(readFileSync(new URL('../../../../fixtures/divergences-reference.json', import.meta.url), 'utf8')) as { cases: Case[] };

beforeAll(async () => {
  await initEngine();
});

function num(t: tf.Tensor): number {
  return t.dataSync()[0]!;
}

/** |got − want| ≤ tol · max(1, |want|). */
function expectNear(got: number, want: number, tol: number, what: string): void {
  expect(Number.isFinite(got), `${what} finite`).toBe(true);
  if (!(Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)))) expect.fail(`${what}: got ${got}, want ${want}`);
}

function expectAllNear(got: ArrayLike<number>, want: number[], tol: number, what: string): void {
  expect(got.length, `${what} length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) expectNear(got[i]!, want[i]!, tol, `${what}[${i}]`);
}

type Loss = (clean: tf.Tensor2D, adv: tf.Tensor2D) => tf.Scalar;

/** ∂loss/∂clean and ∂loss/∂adv by tfjs' autograd. */
function autograd(loss: Loss, clean: tf.Tensor2D, adv: tf.Tensor2D): [Float32Array, Float32Array] {
  return tf.tidy(() => {
    const [gc, ga] = tf.grads((c: tf.Tensor, a: tf.Tensor) => loss(c as tf.Tensor2D, a as tf.Tensor2D))([clean, adv]);
    return [gc!.dataSync() as Float32Array, ga!.dataSync() as Float32Array];
  });
}

/** Central differences of loss over every logit of clean and adv, step h (float32 evaluation). */
function finiteDifferences(loss: Loss, clean: number[][], adv: number[][], h: number): [number[], number[]] {
  const at = (c: number[][], a: number[][]): number => tf.tidy(() => num(loss(tf.tensor2d(c), tf.tensor2d(a))));
  const diff = (which: 0 | 1): number[] => {
    const base = which === 0 ? clean : adv;
    const out: number[] = [];
    base.forEach((row, i) =>
      row.forEach((_, k) => {
        const shifted = (d: number) => base.map((r, j) => r.map((v, l) => (i === j && k === l ? v + d : v)));
        const plus = which === 0 ? at(shifted(h), adv) : at(clean, shifted(h));
        const minus = which === 0 ? at(shifted(-h), adv) : at(clean, shifted(-h));
        out.push((plus - minus) / (2 * h));
      }),
    );
    return out;
  };
  return [diff(0), diff(1)];
}

describe('hand-computed values', () => {
  // p = softmax(0, ln 2, ln 3) = (1, 2, 3)/6 and q = softmax(0, ln 2, ln 5) = (1, 2, 5)/8, for both examples.
  const z = [0, Math.log(2), Math.log(3)];
  const zAdv = [0, Math.log(2), Math.log(5)];
  const p = [1 / 6, 2 / 6, 3 / 6];
  const q = [1 / 8, 2 / 8, 5 / 8];
  // KL(p ‖ q) = 1/6·ln((1/6)/(1/8)) + 1/3·ln((1/3)/(1/4)) + 1/2·ln((1/2)/(5/8)) = 1/2·ln(4/3) + 1/2·ln(4/5) = 1/2·ln(16/15)
  const kl = 0.5 * Math.log(16 / 15);
  const labels = [2, 0];

  it('KL(p ‖ q) per example is ½·ln(16/15), and 0 between equal logits', () => {
    tf.tidy(() => {
      expect(p[0]! * Math.log(p[0]! / q[0]!) + p[1]! * Math.log(p[1]! / q[1]!) + p[2]! * Math.log(p[2]! / q[2]!)).toBeCloseTo(kl, 12);
      expectAllNear(klFromLogits(tf.tensor2d([z, z]), tf.tensor2d([zAdv, zAdv])).dataSync(), [kl, kl], 1e-6, 'kl');
      expectAllNear(klFromLogits(tf.tensor2d([z, zAdv]), tf.tensor2d([z, zAdv])).dataSync(), [0, 0], 1e-7, 'kl of equal logits');
    });
  });

  it('TRADES: CE(z, y) + β·(1/B)·Σ KL, with β 6', () => {
    // CE: example 0 (y = 2): −ln(1/2); example 1 (y = 0): −ln(1/6); mean (ln 2 + ln 6)/2 = ln(12)/2.
    const natural = Math.log(12) / 2;
    const robust = (kl + kl) / 2;
    tf.tidy(() => {
      const t = tradesLoss(tf.tensor2d([z, z]), tf.tensor2d([zAdv, zAdv]), tf.tensor1d(labels, 'int32'), 6);
      expectNear(num(t.natural), natural, 1e-6, 'natural');
      expectNear(num(t.robust), robust, 1e-6, 'robust');
      expectNear(num(t.loss), natural + 6 * robust, 1e-6, 'loss');
    });
  });

  it('MART: boosted CE on the adversarial point + β·KL weighted by 1.0000001 − p_y(x), with β 6', () => {
    // new_y: example 0 has y = 2, the adversarial arg-max, so new_y = 1 (q 2/8); example 1 has y = 0, so new_y = 2 (q 5/8).
    // loss_adv = mean CE(z′, y) + mean −ln(1.0001 − q[new_y] + 1e-12)
    const ce = (-Math.log(5 / 8) - Math.log(1 / 8)) / 2;
    const boost = (-Math.log(1.0001 - 2 / 8 + 1e-12) - Math.log(1.0001 - 5 / 8 + 1e-12)) / 2;
    // KL(p ‖ q + 1e-12) ≈ KL(p ‖ q) (1e-12 moves it by < 1e-11); weights 1.0000001 − p[2] and 1.0000001 − p[0].
    const robust = (kl * (1.0000001 - 3 / 6) + kl * (1.0000001 - 1 / 6)) / 2;
    tf.tidy(() => {
      const y = tf.tensor1d(labels, 'int32');
      expect(Array.from(martRunnerUpClass(tf.softmax(tf.tensor2d([zAdv, zAdv])) as tf.Tensor2D, y).dataSync())).toEqual([1, 2]);
      const m = martLoss(tf.tensor2d([z, z]), tf.tensor2d([zAdv, zAdv]), y, 6);
      expectNear(num(m.adversarial), ce + boost, 1e-6, 'loss_adv');
      expectNear(num(m.robust), robust, 1e-6, 'loss_robust');
      expectNear(num(m.loss), ce + boost + 6 * robust, 1e-6, 'loss');
    });
  });
});

describe.each(fixture.cases.map((c) => [c.name, c] as const))('the reference formulas (PyTorch, float64): case %s', (_name, c) => {
  const labels = () => tf.tensor1d(c.labels, 'int32');
  const trades: Loss = (clean, adv) => tradesLoss(clean, adv, labels(), c.beta).loss;
  const mart: Loss = (clean, adv) => martLoss(clean, adv, labels(), c.beta).loss;

  it('TRADES values: loss, CE, robust term and per-example KL', () => {
    tf.tidy(() => {
      const clean = tf.tensor2d(c.logits);
      const adv = tf.tensor2d(c.logitsAdv);
      const t = tradesLoss(clean, adv, labels(), c.beta);
      expectNear(num(t.loss), c.trades.loss, 1e-5, 'loss');
      expectNear(num(t.natural), c.trades.natural, 1e-5, 'natural');
      expectNear(num(t.robust), c.trades.robust, 1e-5, 'robust');
      expectNear(num(tradesRobustLoss(clean, adv)), c.trades.robust, 1e-5, 'tradesRobustLoss');
      expectAllNear(klFromLogits(clean, adv).dataSync(), c.trades.kl, 1e-5, 'kl');
    });
  });

  it('MART values: loss, loss_adv, loss_robust and new_y', () => {
    tf.tidy(() => {
      const clean = tf.tensor2d(c.logits);
      const adv = tf.tensor2d(c.logitsAdv);
      const m = martLoss(clean, adv, labels(), c.beta);
      expectNear(num(m.loss), c.mart.loss, 1e-5, 'loss');
      expectNear(num(m.adversarial), c.mart.adv, 1e-5, 'loss_adv');
      // absolute: in float32, 1.0000001 − 1 is 1.19e-7, not 1e-7 (PyTorch's float32 run rounds the same way)
      expect(Math.abs(num(m.robust) - c.mart.robust)).toBeLessThan(1e-5 * Math.max(1, c.mart.robust));
      expect(Array.from(martRunnerUpClass(tf.softmax(adv) as tf.Tensor2D, labels()).dataSync())).toEqual(c.mart.newY);
    });
  });

  it("gradients w.r.t. both logits equal PyTorch's autograd", () => {
    const clean = tf.tensor2d(c.logits);
    const adv = tf.tensor2d(c.logitsAdv);
    const [tc, ta] = autograd(trades, clean, adv);
    expectAllNear(tc, c.trades.gradLogits.flat(), 1e-5, 'TRADES ∂/∂z');
    expectAllNear(ta, c.trades.gradLogitsAdv.flat(), 1e-5, "TRADES ∂/∂z′");
    const [mc, ma] = autograd(mart, clean, adv);
    expectAllNear(mc, c.mart.gradLogits.flat(), 1e-5, 'MART ∂/∂z');
    expectAllNear(ma, c.mart.gradLogitsAdv.flat(), 1e-5, "MART ∂/∂z′");
    tf.dispose([clean, adv]);
  });
});

// Saturated softmaxes are flat to float32 at any usable step; the autograd comparison above covers that case.
describe.each(fixture.cases.filter((c) => c.name !== 'saturated').map((c) => [c.name, c] as const))('finite differences: case %s', (_name, c) => {
  const labels = () => tf.tensor1d(c.labels, 'int32');
  const trades: Loss = (clean, adv) => tradesLoss(clean, adv, labels(), c.beta).loss;
  const mart: Loss = (clean, adv) => martLoss(clean, adv, labels(), c.beta).loss;

  it('gradients w.r.t. both logits match central finite differences', () => {
    const clean = tf.tensor2d(c.logits);
    const adv = tf.tensor2d(c.logitsAdv);
    for (const [name, loss] of [['TRADES', trades], ['MART', mart]] as const) {
      const [gc, ga] = autograd(loss, clean, adv);
      const [fc, fa] = finiteDifferences(loss, c.logits, c.logitsAdv, 1e-2);
      expectAllNear(gc, fc, 2e-3, `${name} ∂/∂z vs differences`);
      expectAllNear(ga, fa, 2e-3, `${name} ∂/∂z′ vs differences`);
    }
    tf.dispose([clean, adv]);
  });
});

describe('properties', () => {
  it('KL ≥ 0 on random logits, finite on saturated ones, and the robust terms are ≥ 0', () => {
    tf.tidy(() => {
      const a = tf.mul(tf.randomNormal([64, 10], 0, 1, 'float32', 1), 5) as tf.Tensor2D;
      const b = tf.mul(tf.randomNormal([64, 10], 0, 1, 'float32', 2), 5) as tf.Tensor2D;
      const labels = tf.tensor1d(Array.from({ length: 64 }, (_, i) => i % 10), 'int32');
      expect(Math.min(...klFromLogits(a, b).dataSync())).toBeGreaterThanOrEqual(0);
      expect(num(martLoss(a, b, labels, 6).robust)).toBeGreaterThanOrEqual(0);
      const huge = tf.mul(tf.oneHot(tf.tensor1d([0, 1], 'int32'), 10).toFloat(), 500) as tf.Tensor2D;
      const flipped = tf.mul(tf.oneHot(tf.tensor1d([1, 0], 'int32'), 10).toFloat(), 500) as tf.Tensor2D;
      const kl = klFromLogits(huge, flipped).dataSync();
      expectAllNear(kl, [500, 500], 1e-6, 'kl of saturated logits');
      const m = martLoss(huge, flipped, tf.tensor1d([0, 1], 'int32'), 6);
      expect(Number.isFinite(num(m.loss))).toBe(true);
    });
  });

  it('a sample weight of 0 removes an example (Σ w·loss / batch size); weights of 1 equal none', () => {
    const c = fixture.cases.find((x) => x.name === 'random')!;
    tf.tidy(() => {
      const clean = tf.tensor2d(c.logits);
      const adv = tf.tensor2d(c.logitsAdv);
      const y = tf.tensor1d(c.labels, 'int32');
      const n = c.labels.length;
      const ones = tf.ones([n]) as tf.Tensor1D;
      expectNear(num(tradesLoss(clean, adv, y, 6, ones).loss), c.trades.loss, 1e-5, 'TRADES, weights 1');
      expectNear(num(martLoss(clean, adv, y, 6, ones).loss), c.mart.loss, 1e-5, 'MART, weights 1');
      const w = tf.tensor1d(Array.from({ length: n }, (_, i) => (i === 0 ? 0 : 1)));
      const rest = (t: tf.Tensor2D) => t.slice([1, 0], [n - 1, -1]);
      const yRest = y.slice(1);
      for (const loss of [tradesLoss, martLoss]) {
        const weighted = num(loss(clean, adv, y, 6, w).loss);
        const without = num(loss(rest(clean), rest(adv), yRest, 6).loss);
        expectNear(weighted, (without * (n - 1)) / n, 1e-5, `${loss.name}, example 0 weighted 0`);
      }
    });
  });

  it('leaves no tensors behind', () => {
    const c = fixture.cases[1]!;
    const clean = tf.tensor2d(c.logits);
    const adv = tf.tensor2d(c.logitsAdv);
    const y = tf.tensor1d(c.labels, 'int32');
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      tf.dispose(Object.values(tradesLoss(clean, adv, y, 6)));
      tf.dispose(Object.values(martLoss(clean, adv, y, 6)));
      klFromLogits(clean, adv).dispose();
      autograd((a, b) => martLoss(a, b, y, 6).loss, clean, adv);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([clean, adv, y]);
  });
});
