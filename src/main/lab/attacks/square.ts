// Square Attack (Andriushchenko et al. 2020, "Square Attack: a query-efficient black-box adversarial attack via
// random search"), ∞ and l2, score-based: it only reads the logits, never a gradient, so gradient masking cannot
// stop it. Random search on the margin loss max_{j≠y} z_j − z_y: each query changes one random square window of
// side ≈ √(p·h·w) and is kept when the loss rises; p starts at pInit and is halved at the iterations 10, 50, 200, 500,
// 1000, 2000, 4000, 6000 and 8000 (the schedule the authors use in AutoAttack). ∞: vertical stripes of ±ε to start,
// then a window set to ±ε (one sign per channel). l2: a 5×5 grid of two-rectangle patterns to start, then mass moved
// from a second window into the first, keeping ‖δ‖₂ = ε. An example stops once it is misclassified; `queries` counts
// every model evaluation of an example, the starting point included. Window positions and signs are drawn per
// example from a seeded generator, so a run repeats exactly.
import * as tf from '@tensorflow/tfjs';
import { mulberry32, randomInt, type Rng } from '../data/random';
import { perExample } from '../nsl/norms';
import { gatherRows, mergeRun, unfooledRows, type Best } from './best';
import { type LogitsFn } from './logits';
import { cwMargin, misclassified } from './losses';
import { mixSeed, type ResolvedAttack } from './spec';

/** The fraction of pixels in a square at iteration `it` (0-based). */
export function squareFraction(pInit: number, it: number): number {
  const bounds = [10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000];
  let halvings = 0;
  for (const b of bounds) if (it > b) halvings++;
  return pInit / 2 ** halvings;
}

/** Side of the square window at iteration `it` for an h×w image. */
export function squareSide(norm: 'infinity' | 'l2', pInit: number, it: number, h: number, w: number): number {
  let s = Math.round(Math.sqrt(squareFraction(pInit, it) * h * w));
  if (norm === 'infinity') s = Math.max(s, 1);
  else {
    s = Math.max(s, 3);
    if (s % 2 === 0) s++;
  }
  return Math.min(s, h, w);
}

/** r×c block: Σ_{k=d}^{K} 1/(k+1)² at Chebyshev distance d from its centre (K the largest half-size): a bump. */
function bump(r: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  const ci = Math.floor(r / 2);
  const cj = Math.floor(c / 2);
  const K = Math.max(ci, cj);
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      for (let k = Math.max(Math.abs(i - ci), Math.abs(j - cj)); k <= K; k++) out[i * c + j]! += 1 / (k + 1) ** 2;
    }
  }
  return out;
}

/** The l2 update pattern of side s: a positive bump over the top half, a negative one over the bottom, unit l2 norm. */
export function squareL2Pattern(s: number, transpose = false): Float32Array {
  const top = Math.floor(s / 2);
  const upper = bump(top, s);
  const lower = bump(s - top, s);
  const out = new Float32Array(s * s);
  for (let i = 0; i < s; i++) for (let j = 0; j < s; j++) out[i * s + j] = i < top ? upper[i * s + j]! : -lower[(i - top) * s + j]!;
  let norm = 0;
  for (const v of out) norm += v * v;
  norm = Math.sqrt(norm);
  const result = new Float32Array(s * s);
  for (let i = 0; i < s; i++) for (let j = 0; j < s; j++) result[i * s + j] = (transpose ? out[j * s + i]! : out[i * s + j]!) / norm;
  return result;
}

const sign = (rng: Rng): number => (rng() < 0.5 ? -1 : 1);

/** Writes the pattern (s×s, one sign per channel) into example `e`'s window at (top, left) of an [m, h, w, c] array. */
function place(out: Float32Array, e: number, dims: [number, number, number], top: number, left: number, s: number, values: (i: number, j: number, ch: number) => number): void {
  const [h, w, c] = dims;
  for (let i = 0; i < s; i++) for (let j = 0; j < s; j++) for (let ch = 0; ch < c; ch++) out[((e * h + top + i) * w + left + j) * c + ch] = values(i, j, ch);
}

function unitL2(delta: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.div(delta, perExample(tf.add(tf.sqrt(tf.sum(tf.square(delta), [1, 2, 3])), 1e-12) as tf.Tensor1D, 4)) as tf.Tensor4D);
}

function startingPoint(x0: tf.Tensor4D, a: ResolvedAttack, rng: Rng): tf.Tensor4D {
  const [m, h, w, c] = x0.shape;
  const delta = new Float32Array(m * h * w * c);
  if (a.norm === 'infinity') {
    for (let e = 0; e < m; e++) for (let j = 0; j < w; j++) for (let ch = 0; ch < c; ch++) {
      const v = a.epsilon * sign(rng);
      for (let i = 0; i < h; i++) delta[((e * h + i) * w + j) * c + ch] = v;
    }
    return tf.tidy(() => tf.clipByValue(tf.add(x0, tf.tensor4d(delta, x0.shape)), 0, 1) as tf.Tensor4D);
  }
  const s = Math.max(Math.floor(h / 5), 1);
  const offset = Math.floor((h - 5 * s) / 2);
  for (let gi = 0; gi < Math.floor(h / s); gi++) {
    for (let gj = 0; gj < Math.floor(w / s); gj++) {
      const top = offset + gi * s;
      const left = offset + gj * s;
      if (top + s > h || left + s > w) continue;
      const pattern = squareL2Pattern(s, rng() < 0.5);
      for (let e = 0; e < m; e++) {
        const signs = Array.from({ length: c }, () => sign(rng));
        place(delta, e, [h, w, c], top, left, s, (i, j, ch) => pattern[i * s + j]! * signs[ch]!);
      }
    }
  }
  return tf.tidy(() => tf.clipByValue(tf.add(x0, tf.mul(unitL2(tf.tensor4d(delta, x0.shape)), a.epsilon)), 0, 1) as tf.Tensor4D);
}

/** One ∞ proposal: the window of every example set to ±ε around the clean image. */
function proposeInf(x0: tf.Tensor4D, xBest: tf.Tensor4D, a: ResolvedAttack, s: number, rng: Rng): tf.Tensor4D {
  const [m, h, w, c] = x0.shape;
  const update = new Float32Array(m * h * w * c);
  for (let e = 0; e < m; e++) {
    const top = randomInt(rng, h - s + 1);
    const left = randomInt(rng, w - s + 1);
    const signs = Array.from({ length: c }, () => 2 * a.epsilon * sign(rng));
    place(update, e, [h, w, c], top, left, s, (_, __, ch) => signs[ch]!);
  }
  return tf.tidy(() => {
    const moved = tf.add(xBest, tf.tensor4d(update, x0.shape));
    return tf.clipByValue(tf.minimum(tf.maximum(moved, tf.sub(x0, a.epsilon)), tf.add(x0, a.epsilon)), 0, 1) as tf.Tensor4D;
  });
}

/** One l2 proposal: a fresh pattern in window 1 plus its old content, window 2 emptied, the freed mass moved into 1. */
function proposeL2(x0: tf.Tensor4D, xBest: tf.Tensor4D, a: ResolvedAttack, s: number, rng: Rng): tf.Tensor4D {
  const [m, h, w, c] = x0.shape;
  const mask1 = new Float32Array(m * h * w);
  const mask2 = new Float32Array(m * h * w);
  const pattern = new Float32Array(m * h * w * c);
  for (let e = 0; e < m; e++) {
    const top = randomInt(rng, h - s + 1);
    const left = randomInt(rng, w - s + 1);
    const top2 = randomInt(rng, h - s + 1);
    const left2 = randomInt(rng, w - s + 1);
    place(mask1, e, [h, w, 1], top, left, s, () => 1);
    place(mask2, e, [h, w, 1], top2, left2, s, () => 1);
    const eta = squareL2Pattern(s, rng() < 0.5);
    const signs = Array.from({ length: c }, () => sign(rng));
    place(pattern, e, [h, w, c], top, left, s, (i, j, ch) => eta[i * s + j]! * signs[ch]!);
  }
  return tf.tidy(() => {
    const m1 = tf.tensor4d(mask1, [m, h, w, 1]);
    const union = tf.maximum(m1, tf.tensor4d(mask2, [m, h, w, 1]));
    const delta = tf.sub(xBest, x0);
    const windowNorm = (t: tf.Tensor): tf.Tensor => tf.sqrt(tf.sum(tf.square(t), [1, 2], true));
    const norm1 = windowNorm(tf.mul(delta, m1));
    const normImage = tf.sqrt(tf.sum(tf.square(delta), [1, 2, 3], true));
    const normUnion = windowNorm(tf.mul(delta, union));
    let fresh = tf.add(tf.tensor4d(pattern, x0.shape), tf.div(tf.mul(delta, m1), tf.add(norm1, 1e-12)));
    const budget = tf.sqrt(tf.add(tf.div(tf.relu(tf.sub(a.epsilon ** 2, tf.square(normImage))), c), tf.square(normUnion)));
    fresh = tf.mul(tf.div(fresh, tf.add(windowNorm(fresh), 1e-12)), budget);
    const next = tf.add(tf.mul(delta, tf.sub(1, union)), tf.mul(fresh, m1)) as tf.Tensor4D;
    return tf.clipByValue(tf.add(x0, tf.mul(unitL2(next), a.epsilon)), 0, 1) as tf.Tensor4D;
  });
}

/** One Square run on a batch: at most `a.queries` model evaluations per example; its best point per example. */
export function squareRun(logits: LogitsFn, x0: tf.Tensor4D, y: tf.Tensor1D, a: ResolvedAttack, seed: number): Best {
  const [n, h, w, c] = x0.shape;
  const per = h * w * c;
  const rng = mulberry32(seed);
  const outX = new Float32Array(n * per);
  const outLoss = new Float32Array(n);
  const outFooled = new Uint8Array(n);
  let rows = Array.from({ length: n }, (_, i) => i);
  let xs = x0.clone();
  let ys = y.clone();
  let xBest = startingPoint(x0, a, rng);
  let loss: tf.Tensor1D | undefined;
  const settle = (local: number[], x: tf.Tensor4D, l: tf.Tensor1D, fooled: boolean): void => {
    const values = x.dataSync();
    const losses = l.dataSync();
    local.forEach((r, k) => {
      outX.set(values.subarray(k * per, (k + 1) * per), rows[r]! * per);
      outLoss[rows[r]!] = losses[k]!;
      outFooled[rows[r]!] = fooled ? 1 : 0;
    });
  };
  try {
    for (let it = 0; it < a.queries && rows.length > 0; it++) {
      let fooledNow: tf.Tensor1D;
      if (it === 0) {
        const z = tf.tidy(() => logits(xBest));
        loss = tf.tidy(() => cwMargin(z, ys));
        fooledNow = misclassified(z, ys);
        z.dispose();
      } else {
        const s = squareSide(a.norm, a.pInit, it - 1, h, w);
        const candidate = a.norm === 'infinity' ? proposeInf(xs, xBest, a, s, rng) : proposeL2(xs, xBest, a, s, rng);
        const prevLoss: tf.Tensor1D = loss!;
        const prevBest = xBest;
        const out = tf.tidy(() => {
          const z = logits(candidate);
          const l = cwMargin(z, ys);
          const improved = tf.greater(l, prevLoss) as tf.Tensor1D;
          return { x: tf.where(perExample(improved, 4), candidate, prevBest) as tf.Tensor4D, loss: tf.where(improved, l, prevLoss) as tf.Tensor1D, fooled: tf.logicalAnd(improved, misclassified(z, ys)) as tf.Tensor1D };
        });
        tf.dispose([candidate, prevLoss, prevBest]);
        xBest = out.x;
        loss = out.loss;
        fooledNow = out.fooled;
      }
      const flags = fooledNow.dataSync();
      fooledNow.dispose();
      const done: number[] = [];
      const open: number[] = [];
      for (let k = 0; k < rows.length; k++) (flags[k] ? done : open).push(k);
      if (done.length === 0) continue;
      const doneX = gatherRows(xBest, done);
      const doneLoss = gatherRows(loss!, done);
      settle(done, doneX, doneLoss, true);
      tf.dispose([doneX, doneLoss]);
      if (open.length === 0) {
        rows = [];
        break;
      }
      const [nx, ny, nb, nl] = [gatherRows(xs, open), gatherRows(ys, open), gatherRows(xBest, open), gatherRows(loss!, open)];
      tf.dispose([xs, ys, xBest, loss!]);
      xs = nx;
      ys = ny;
      xBest = nb;
      loss = nl;
      rows = open.map((k) => rows[k]!);
    }
    if (rows.length > 0) settle(rows.map((_, k) => k), xBest, loss!, false);
  } finally {
    tf.dispose([xs, ys, xBest, ...(loss === undefined ? [] : [loss])]);
  }
  return {
    x: tf.tensor4d(outX, x0.shape),
    loss: tf.tensor1d(outLoss),
    fooled: tf.tensor1d(outFooled, 'bool'),
  };
}

/** Square on one batch, merged into `best`, on the examples not fooled yet; each restart draws new squares. */
export function squareAttack(logits: LogitsFn, x0: tf.Tensor4D, y: tf.Tensor1D, a: ResolvedAttack, seed: number, best: Best): Best {
  let merged = best;
  for (let r = 0; r < a.restarts; r++) merged = mergeRun(merged, x0, y, unfooledRows(merged), (xs, ys) => squareRun(logits, xs, ys, a, mixSeed(seed, r)));
  return merged;
}
