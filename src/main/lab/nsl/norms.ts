// Per-example normalisation and projection of perturbations, shared by NSL neighbours and attacks.
// Every function treats a list of tensors (one per perturbed feature) as one joint vector per example,
// as NSL does: the first axis is the batch, all other axes of all features form the example's vector.
import * as tf from '@tensorflow/tfjs';

export type AdvGradNorm = 'l2' | 'l1' | 'infinity';

const L2_EPSILON = 1e-12;

function sumPerExample(ts: tf.Tensor[], f: (t: tf.Tensor) => tf.Tensor): tf.Tensor1D {
  const parts = ts.map((t) => (t.rank > 1 ? f(t).sum(Array.from({ length: t.rank - 1 }, (_, i) => i + 1)) : f(t)));
  return tf.addN(parts) as tf.Tensor1D;
}

function maxPerExample(ts: tf.Tensor[], f: (t: tf.Tensor) => tf.Tensor): tf.Tensor1D {
  const parts = ts.map((t) => (t.rank > 1 ? f(t).max(Array.from({ length: t.rank - 1 }, (_, i) => i + 1)) : f(t)));
  return parts.reduce((a, b) => tf.maximum(a, b)) as tf.Tensor1D;
}

/** Reshapes a per-example [batch] tensor so it broadcasts against a feature of rank `rank`. */
export function perExample(v: tf.Tensor1D, rank: number): tf.Tensor {
  return rank > 1 ? v.reshape([-1, ...Array<number>(rank - 1).fill(1)]) : v;
}

/** Replaces NaN and ±Inf entries by 0 (NSL drops non-finite gradient entries). */
export function zeroNonFinite(t: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.where(tf.isFinite(t), t, tf.zerosLike(t)));
}

/**
 * The unit-norm direction of steepest ascent for each example, jointly over all features.
 * - l2: g / sqrt(max(Σg², 1e-12))
 * - infinity: sign(g)
 * - l1: sign(g) on the entries where |g| is maximal (over all features), divided by their count
 * A zero gradient gives a zero direction; non-finite entries are treated as 0.
 */
export function normalizeDirection(grads: tf.Tensor[], norm: AdvGradNorm): tf.Tensor[] {
  return tf.tidy(() => {
    const g = grads.map(zeroNonFinite);
    if (norm === 'infinity') return g.map((t) => tf.sign(t));
    if (norm === 'l2') {
      const sq = sumPerExample(g, (t) => tf.square(t));
      const inv = tf.rsqrt(tf.maximum(sq, L2_EPSILON)) as tf.Tensor1D;
      return g.map((t) => tf.mul(t, perExample(inv, t.rank)));
    }
    const absMax = maxPerExample(g, (t) => tf.abs(t));
    const masks = g.map((t) => tf.logicalAnd(tf.equal(tf.abs(t), perExample(absMax, t.rank)), tf.greater(perExample(absMax, t.rank), 0)).toFloat());
    const count = tf.maximum(sumPerExample(masks, (t) => t), 1) as tf.Tensor1D;
    return g.map((t, i) => tf.div(tf.mul(tf.sign(t), masks[i]!), perExample(count, t.rank)));
  });
}

/**
 * Projects perturbations onto the ε-ball of `norm`, jointly per example.
 * infinity: clip every entry to [-ε, ε]; l2: scale down to radius ε when outside.
 * l1 has no projection (as in NSL): callers must reject pgdEpsilon with l1 before calling.
 */
export function projectPerturbation(deltas: tf.Tensor[], norm: 'l2' | 'infinity', epsilon: number): tf.Tensor[] {
  return tf.tidy(() => {
    if (norm === 'infinity') return deltas.map((d) => tf.clipByValue(d, -epsilon, epsilon));
    const n = tf.sqrt(tf.maximum(sumPerExample(deltas, (t) => tf.square(t)), L2_EPSILON)) as tf.Tensor1D;
    const scale = tf.minimum(tf.div(epsilon, n), 1) as tf.Tensor1D;
    return deltas.map((d) => tf.mul(d, perExample(scale, d.rank)));
  });
}
