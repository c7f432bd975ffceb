// The inner maximisation of adversarial training (PGD-AT, TRADES, MART): gradient ascent on a method's objective
// inside the ε-ball around a clean batch, with the attack module's steps (normalised direction, projection onto the
// ball and [0, 1]) and NSL's uniform ball sampling. It returns the last iterate (the papers' recipe), not the best.
import * as tf from '@tensorflow/tfjs';
import { rampedEpsilon } from '../../../shared/defences';
import { LabError } from '../../../shared/errors';
import { project } from '../attacks/pgd';
import { type ModelHead } from '../nsl/model-head';
import { normalizeDirection } from '../nsl/norms';
import { randomInNormBall } from '../nsl/random-init';
import { epochsDone, type TrainProgress } from './training-step';

export interface InnerMaxArgs {
  norm: 'infinity' | 'l2';
  epsilon: number;
  steps: number;
  stepSize: number;
  /** 'uniform': uniform in the ε-ball (PGD-AT, Madry); 'gaussian': x + 0.001·N(0,1) (TRADES, MART); 'none': from x. */
  start: 'none' | 'uniform' | 'gaussian';
  seed: number;
  /** The scalar to ascend, from the logits at the current point (e.g. mean CE, or Σ KL(p(x)‖p(x′)) with p(x) constant). */
  objective: (logits: tf.Tensor2D) => tf.Scalar;
  /** Forward passes in training mode (dropout, batch norm), where the method asks for it. */
  training: boolean;
}

/** TRADES' start: a tiny Gaussian jitter, so the KL (0 at x′ = x, with a zero gradient) has a direction to climb. */
const GAUSSIAN_START_STD = 0.001;

/** A step of 0 is allowed only with ε 0 (a ramp's first batch scales both). */
function check(args: InnerMaxArgs): void {
  if (!Number.isFinite(args.epsilon) || args.epsilon < 0) throw new LabError('invalid_argument', `epsilon must be a finite number ≥ 0 (got ${args.epsilon})`, 'epsilon');
  if (!Number.isSafeInteger(args.steps) || args.steps < 0) throw new LabError('invalid_argument', `steps must be an integer ≥ 0 (got ${args.steps})`, 'steps');
  if (!Number.isFinite(args.stepSize) || args.stepSize < 0 || (args.stepSize === 0 && args.epsilon > 0)) {
    throw new LabError('invalid_argument', `stepSize must be a finite number > 0 (got ${args.stepSize})`, 'stepSize');
  }
}

/** The start point, already inside the ball and [0, 1]. */
function startPoint(x: tf.Tensor4D, args: InnerMaxArgs): tf.Tensor4D {
  return tf.tidy(() => {
    if (args.start === 'none') return x.clone();
    const noise = args.start === 'uniform' ? randomInNormBall([x], args.epsilon, args.norm, args.seed)[0]! : tf.randomNormal(x.shape, 0, GAUSSIAN_START_STD, 'float32', args.seed);
    return project(x, tf.add(x, noise) as tf.Tensor4D, args);
  });
}

/**
 * The final iterate of `steps` ascent steps (∞: signed; L2: normalised), projected onto the ε-ball and [0, 1]; a
 * constant (no gradient reaches the weights): call it outside the weight-gradient tape, as every step does. The
 * caller owns the result. At ε 0 (the first batch of an ε ramp) the ball is the point itself: x is returned as a copy
 * without any forward pass.
 */
export function innerMaximize(head: ModelHead, x: tf.Tensor4D, args: InnerMaxArgs): tf.Tensor4D {
  check(args);
  if (args.epsilon === 0) return x.clone();
  const ascend = tf.grad((xi: tf.Tensor) => args.objective(head.logits(xi, args.training)));
  let current = startPoint(x, args);
  for (let t = 0; t < args.steps; t++) {
    const at = current;
    const next = tf.tidy(() => {
      const direction = normalizeDirection([ascend(at)], args.norm)[0]!;
      return project(x, tf.add(at, tf.mul(direction, args.stepSize)) as tf.Tensor4D, args);
    });
    at.dispose();
    current = next;
  }
  return current;
}

/**
 * The ball a method with an ε ramp attacks at `progress`: ε from `rampedEpsilon` (fractional epochs done), and the
 * step scaled with it, so every step of the ramp keeps the recipe's ratio of step to ε (e.g. 2.5ε/steps).
 */
export function rampedBall(d: { epsilon: number; stepSize: number; epsilonRampEpochs: number }, progress: TrainProgress): { epsilon: number; stepSize: number } {
  const epsilon = rampedEpsilon(d.epsilon, d.epsilonRampEpochs, epochsDone(progress));
  return { epsilon, stepSize: (d.stepSize * epsilon) / d.epsilon };
}
