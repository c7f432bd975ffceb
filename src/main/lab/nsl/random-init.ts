// Uniform random points in a norm ball, jointly per example over all features (NSL's random_in_norm_ball).
import * as tf from '@tensorflow/tfjs';
import { type AdvGradNorm, perExample } from './norms';

function sumPerExample(ts: tf.Tensor[], f: (t: tf.Tensor) => tf.Tensor): tf.Tensor1D {
  return tf.addN(ts.map((t) => (t.rank > 1 ? f(t).sum(Array.from({ length: t.rank - 1 }, (_, i) => i + 1)) : f(t)))) as tf.Tensor1D;
}

/** Derives distinct, reproducible sub-seeds; undefined stays undefined (fresh randomness). */
function subSeed(seed: number | undefined, k: number): number | undefined {
  return seed === undefined ? undefined : seed * 7919 + k;
}

/** Exponential(1) samples by inversion; 1 - U keeps the log argument in (0, 1]. */
function exponential(shape: number[], seed: number | undefined): tf.Tensor {
  return tf.neg(tf.log(tf.sub(1, tf.randomUniform(shape, 0, 1, 'float32', seed))));
}

/**
 * One random perturbation per example, uniform in the ball {δ : ‖δ‖ ≤ radius} where the norm runs over all
 * features together. Shapes follow `like`; only their shapes are used.
 * - infinity: every entry uniform in [-radius, radius].
 * - l2 / l1: the first n coordinates of a uniform point on the unit p-sphere of R^(n+p) are uniform in the
 *   unit p-ball of R^n (Barthe et al. 2005). l2 draws N(0,1) entries plus a χ²(2) = Exp(mean 2) for the two
 *   extra squared coordinates; l1 draws Laplace(0,1) entries plus an Exp(1) for the extra |coordinate|.
 * A seed makes the draw reproducible.
 */
export function randomInNormBall(like: tf.Tensor[], radius: number, norm: AdvGradNorm, seed?: number): tf.Tensor[] {
  return tf.tidy(() => {
    if (norm === 'infinity') return like.map((t, i) => tf.randomUniform(t.shape, -radius, radius, 'float32', subSeed(seed, i)));
    const batch = like[0]!.shape[0]!;
    if (norm === 'l2') {
      const samples = like.map((t, i) => tf.randomNormal(t.shape, 0, 1, 'float32', subSeed(seed, i)));
      const extra = tf.mul(2, exponential([batch], subSeed(seed, like.length)));
      const scale = tf.div(radius, tf.sqrt(tf.add(sumPerExample(samples, (t) => tf.square(t)), extra))) as tf.Tensor1D;
      return samples.map((t) => tf.mul(t, perExample(scale, t.rank)));
    }
    const samples = like.map((t, i) => tf.sub(exponential(t.shape, subSeed(seed, 2 * i)), exponential(t.shape, subSeed(seed, 2 * i + 1))));
    const extra = exponential([batch], subSeed(seed, 2 * like.length));
    const scale = tf.div(radius, tf.add(sumPerExample(samples, (t) => tf.abs(t)), extra)) as tf.Tensor1D;
    return samples.map((t) => tf.mul(t, perExample(scale, t.rank)));
  });
}
