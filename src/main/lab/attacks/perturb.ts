// FGSM and PGD on one batch: gradient ascent on the cross-entropy inside an ε-ball (∞ or l2), clipped to [0, 1].
// FGSM is one step of size ε from the clean input (unless randomStart). PGD keeps, per example, the best point it
// visited — over every iterate (start included) and every restart — ranked by "fools the model", then by loss. So
// more steps or more restarts can never make the attack weaker on the model that supplies the gradients.
// "Loss" is the log-odds of a mistake (see logits.ts): the cross-entropy's order and direction, without saturation.
import * as tf from '@tensorflow/tfjs';
import { normalizeDirection, perExample, projectPerturbation } from '../nsl/norms';
import { randomInNormBall } from '../nsl/random-init';
import { describeInputs, labelBatch, type LabelInput } from './inputs';
import { logitsOf, misclassificationLogOdds, type LogitsFn } from './logits';
import { mixSeed, resolveAttackSpec, type AttackSpec, type ResolvedAttack } from './spec';

/** The best point per example so far: the candidate, its loss and whether it is misclassified. A type alias, not an interface, so tf.tidy accepts it as a TensorContainer. */
type Best = {
  x: tf.Tensor4D;
  loss: tf.Tensor1D;
  fooled: tf.Tensor1D;
};

/** Uniform sample of the ε-ball around `x0`, clipped to [0, 1]. */
function randomStart(x0: tf.Tensor4D, a: ResolvedAttack, seed: number): tf.Tensor4D {
  return tf.tidy(() => tf.clipByValue(tf.add(x0, randomInNormBall([x0], a.epsilon, a.norm, seed)[0]!), 0, 1) as tf.Tensor4D);
}

/** Keeps, per example, whichever of `best` and the candidate fools the model, else has the higher loss. */
function keepBetter(best: Best | null, x: tf.Tensor4D, loss: tf.Tensor1D, fooled: tf.Tensor1D): Best {
  if (best === null) return { x: x.clone(), loss: loss.clone(), fooled: fooled.clone() };
  const better = tf.logicalOr(
    tf.logicalAnd(fooled, tf.logicalNot(best.fooled)),
    tf.logicalAnd(tf.equal(fooled, best.fooled), tf.greater(loss, best.loss)),
  ) as tf.Tensor1D;
  return {
    x: tf.where(perExample(better, 4), x, best.x),
    loss: tf.where(better, loss, best.loss),
    fooled: tf.logicalOr(fooled, best.fooled) as tf.Tensor1D,
  };
}

function disposeBest(best: Best | null): void {
  if (best !== null) tf.dispose([best.x, best.loss, best.fooled]);
}

/** Loss and misclassification at `x`, without gradient (the last iterate of a run). */
function score(logits: LogitsFn, x: tf.Tensor4D, y: tf.Tensor1D): { loss: tf.Tensor1D; fooled: tf.Tensor1D } {
  const z = logits(x);
  return { loss: misclassificationLogOdds(z, y), fooled: tf.notEqual(tf.argMax(z, 1), y) as tf.Tensor1D };
}

/** One ascent step from `x`: returns the next iterate and the loss/fooled at `x` (from the same forward pass). */
function ascend(logits: LogitsFn, x0: tf.Tensor4D, x: tf.Tensor4D, y: tf.Tensor1D, a: ResolvedAttack) {
  let predicted: tf.Tensor | undefined;
  const { value, grad } = tf.valueAndGrad((input: tf.Tensor) => {
    const z = logits(input);
    // argMax has no gradient; kept out of the tape's scope so the caller can use it, then disposed below
    predicted = tf.keep(tf.argMax(z, 1));
    return misclassificationLogOdds(z, y);
  })(x);
  const fooled = tf.notEqual(predicted!, y) as tf.Tensor1D;
  predicted!.dispose();
  const direction = normalizeDirection([grad], a.norm)[0]!;
  const delta = projectPerturbation([tf.sub(tf.add(x, tf.mul(direction, a.stepSize)), x0)], a.norm, a.epsilon)[0]!;
  const next = tf.clipByValue(tf.add(x0, delta), 0, 1) as tf.Tensor4D;
  return { next, loss: value as tf.Tensor1D, fooled };
}

/**
 * Adversarial examples for one batch, attacking `model` (its gradients and its predictions pick the result).
 * `x0`: float32 [n, h, w, c] in [0, 1]; `y`: int32 [n]; `seed`: already mixed for this batch.
 * Returns a new tensor the caller owns; no other tensor survives the call.
 */
export function attackBatch(model: tf.LayersModel, x0: tf.Tensor4D, y: tf.Tensor1D, a: ResolvedAttack, seed: number): tf.Tensor4D {
  if (a.epsilon === 0) return x0.clone();
  const logits = logitsOf(model);
  // without a random start every restart would retrace the same path
  const restarts = a.randomStart ? a.restarts : 1;
  let best: Best | null = null;
  let x: tf.Tensor4D | undefined;
  try {
    for (let r = 0; r < restarts; r++) {
      let current = a.randomStart ? randomStart(x0, a, mixSeed(seed, r)) : x0.clone();
      x = current;
      for (let t = 0; t <= a.steps; t++) {
        const at = current;
        const last = t === a.steps;
        const prev: Best | null = best;
        const out: { kept: Best; next: tf.Tensor4D | undefined } = tf.tidy(() => {
          const step = last ? { next: undefined, ...score(logits, at, y) } : ascend(logits, x0, at, y, a);
          return { kept: keepBetter(prev, at, step.loss, step.fooled), next: step.next };
        });
        disposeBest(prev);
        best = out.kept;
        at.dispose();
        if (out.next === undefined) break;
        current = x = out.next;
      }
    }
  } catch (err) {
    // a failing model call mid-attack must not strand the iterate or the best-so-far on the device
    disposeBest(best);
    x?.dispose();
    throw err;
  }
  const result = best!.x;
  tf.dispose([best!.loss, best!.fooled]);
  return result;
}

/**
 * Adversarial examples for `images` against `model` (white-box). Validates `spec` (LabError naming the field).
 * `images`: float32 [n, h, w, c] in [0, 1]; `labels`: class indices. Returns a tensor the caller must dispose.
 */
export function perturb(model: tf.LayersModel, images: tf.Tensor4D, labels: LabelInput, spec: AttackSpec): tf.Tensor4D {
  const { pixels } = describeInputs(images, labels);
  const a = resolveAttackSpec(spec, pixels);
  const y = labelBatch(labels, 0, images.shape[0]);
  try {
    return attackBatch(model, images, y, a, mixSeed(a.seed, 0));
  } finally {
    y.dispose();
  }
}
