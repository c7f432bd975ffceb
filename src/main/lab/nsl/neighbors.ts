// Adversarial neighbours as NSL 1.4 generates them: normalised gradient steps, projection, clipping, PGD.
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../../../shared/errors';
import { type AdvNeighborConfig, makeAdvRegConfig } from './config';
import { type AdvGradNorm, normalizeDirection, projectPerturbation } from './norms';
import { randomInNormBall } from './random-init';

/**
 * Draws the random start of randomInit: one perturbation per feature, each example inside the `radius` ball of
 * `norm` (jointly over the features). The default is randomInNormBall; a replayed draw (e.g. NSL's own, in the
 * parity tests) can be injected instead.
 */
export type RandomStart = (like: tf.Tensor[], radius: number, norm: AdvGradNorm) => tf.Tensor[];

export interface AdvNeighborArgs {
  /** The original features, batch first; all of them are perturbed jointly (one norm per example). */
  features: tf.Tensor[];
  /** The labeled loss at the given features (labels, sample weights and model captured by the closure). */
  lossFn: (features: tf.Tensor[]) => tf.Scalar;
  /** Step size, norm, iterations, projection, clipping, random start and mask. */
  config: AdvNeighborConfig;
  /**
   * Gradient of the loss at the original features when the caller already has it (the training step gets
   * it from the same backward pass as the weight gradients). Saves one forward and backward pass.
   */
  initialGrads?: tf.Tensor[];
  /** One mask per feature (undefined: unmasked). Defaults to config.featureMask, which needs a single feature. */
  masks?: (tf.Tensor | undefined)[];
  /** Seed of the default random start (randomInit); without it every call draws a fresh start. */
  seed?: number;
  /** Replaces the random start's draw (randomInit); `seed` is then unused. */
  randomStart?: RandomStart;
}

/**
 * config.featureMask (flat, one value per input value of one example, as the shared schema holds it) as a
 * tensor of the example's shape, so it broadcasts over a batch. A wrong length is reported against the field.
 */
export function featureMaskTensor(mask: readonly number[], exampleShape: readonly number[]): tf.Tensor {
  const size = exampleShape.reduce((a, b) => a * b, 1);
  if (mask.length !== size) {
    throw new LabError('invalid_argument', `featureMask must have ${size} entries, one per input value of an example of shape [${exampleShape.join(', ')}] (got ${mask.length})`, 'featureMask');
  }
  return tf.tensor(mask as number[], [...exampleShape], 'float32');
}

function clipToRange(t: tf.Tensor, min: number | undefined, max: number | undefined): tf.Tensor {
  let out = t;
  if (min !== undefined) out = tf.maximum(out, min);
  if (max !== undefined) out = tf.minimum(out, max);
  return out;
}

function applyMasks(ts: tf.Tensor[], masks: (tf.Tensor | undefined)[]): tf.Tensor[] {
  return ts.map((t, i) => {
    const m = masks[i];
    if (m === undefined) return t;
    try {
      return tf.mul(t, m);
    } catch (err) {
      throw new LabError('invalid_argument', `featureMask of shape [${m.shape.join(', ')}] does not broadcast to the feature shape [${t.shape.join(', ')}] (${err instanceof Error ? err.message : String(err)})`, 'featureMask');
    }
  });
}

/**
 * One NSL step from `current`: δ = step·direction(mask·grad) + (current − original), projected onto the
 * pgdEpsilon ball when set, then original + δ clipped to [clipValueMin, clipValueMax].
 */
function takeStep(original: tf.Tensor[], current: tf.Tensor[] | undefined, grads: tf.Tensor[], masks: (tf.Tensor | undefined)[], cfg: AdvNeighborConfig): tf.Tensor[] {
  return tf.tidy(() => {
    const directions = normalizeDirection(applyMasks(grads, masks), cfg.advGradNorm);
    let deltas = directions.map((d, i) => {
      const step = tf.mul(d, cfg.advStepSize);
      return current === undefined ? step : tf.add(step, tf.sub(current[i]!, original[i]!));
    });
    if (cfg.pgdEpsilon !== undefined) deltas = projectPerturbation(deltas, cfg.advGradNorm as 'l2' | 'infinity', cfg.pgdEpsilon);
    return deltas.map((d, i) => clipToRange(tf.add(original[i]!, d), cfg.clipValueMin, cfg.clipValueMax));
  });
}

function inputGradients(lossFn: (features: tf.Tensor[]) => tf.Scalar, at: tf.Tensor[]): tf.Tensor[] {
  return tf.tidy(() => {
    const { grads } = tf.engine().gradients(() => lossFn(at), at, undefined, true);
    // A feature the loss does not depend on has no gradient: NSL leaves it unperturbed, a zero step does the same.
    return grads.map((g, i) => g ?? tf.zerosLike(at[i]!));
  });
}

/**
 * Generates adversarial neighbours of `features` (new tensors, the caller disposes them). The result is a
 * constant: it is computed outside any weight-gradient tape, which is NSL's stop_gradient.
 *
 * Without randomInit the first step uses the gradient at the original point (`initialGrads` when given).
 * With it, as NSL (adversarial_neighbor.py, gen_neighbor): the start is a uniform draw in the ball of radius
 * pgdEpsilon, or advStepSize when pgdEpsilon is unset, added to the input unmasked (the mask applies to
 * gradients only) and clipped to range; then all pgdIterations steps take their gradient at the current point.
 */
export function genAdvNeighbors(args: AdvNeighborArgs): tf.Tensor[] {
  const { features, lossFn } = args;
  const cfg = makeAdvRegConfig(args.config);
  if (features.length === 0) throw new LabError('invalid_argument', 'features must hold at least one tensor', 'features');
  const ownedMasks: tf.Tensor[] = [];
  let masks = args.masks ?? [];
  if (args.masks === undefined && cfg.featureMask !== undefined) {
    if (features.length !== 1) throw new LabError('invalid_argument', `featureMask in the config applies to a single feature; pass one mask per feature for ${features.length} features`, 'featureMask');
    const m = featureMaskTensor(cfg.featureMask, features[0]!.shape.slice(1));
    ownedMasks.push(m);
    masks = [m];
  }
  try {
    let current: tf.Tensor[] | undefined;
    let remaining = cfg.pgdIterations;
    if (cfg.randomInit) {
      const radius = cfg.pgdEpsilon ?? cfg.advStepSize;
      const draw = args.randomStart ?? ((like: tf.Tensor[], r: number, norm: AdvGradNorm) => randomInNormBall(like, r, norm, args.seed));
      current = tf.tidy(() => {
        const noise = draw(features, radius, cfg.advGradNorm);
        if (noise.length !== features.length || noise.some((n, i) => !tf.util.arraysEqual(n.shape, features[i]!.shape))) {
          throw new LabError('invalid_argument', `randomStart must return one tensor per feature, shaped like it (got [${noise.map((n) => `[${n.shape.join(', ')}]`).join(', ')}])`, 'randomStart');
        }
        return noise.map((n, i) => clipToRange(tf.add(features[i]!, n), cfg.clipValueMin, cfg.clipValueMax));
      });
    } else {
      const grads = args.initialGrads ?? inputGradients(lossFn, features);
      current = takeStep(features, undefined, grads, masks, cfg);
      if (args.initialGrads === undefined) tf.dispose(grads);
      remaining -= 1;
    }
    for (let i = 0; i < remaining; i++) {
      const grads = inputGradients(lossFn, current);
      const next = takeStep(features, current, grads, masks, cfg);
      tf.dispose(grads);
      tf.dispose(current);
      current = next;
    }
    return current;
  } finally {
    tf.dispose(ownedMasks);
  }
}
