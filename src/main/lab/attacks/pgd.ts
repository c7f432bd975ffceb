// FGSM, PGD and PGD-CW on one batch: gradient ascent on the attack loss inside an ε-ball (∞ or l2), clipped to [0, 1].
// FGSM is one step of size ε from the clean input (unless randomStart). PGD keeps the best point per example over
// every iterate (start included) and every restart (best.ts); restarts after the first run only on the examples not
// fooled yet. pgd climbs the log-odds of a mistake (the cross-entropy's order and direction), pgd-cw the CW margin.
import * as tf from '@tensorflow/tfjs';
import { normalizeDirection, projectPerturbation } from '../nsl/norms';
import { randomInNormBall } from '../nsl/random-init';
import { ActiveSet, compact } from './active-set';
import { disposeBest, keepBetter, mergeRun, unfooledRows, type Best } from './best';
import { type LogitsFn } from './logits';
import { cwMargin, misclassificationLogOdds, misclassified } from './losses';
import { mixSeed, type ResolvedAttack } from './spec';

/** An untargeted per-example objective on logits. */
export type Objective = (logits: tf.Tensor2D, labels: tf.Tensor1D) => tf.Tensor1D;

export function objectiveOf(a: ResolvedAttack): Objective {
  return a.loss === 'cw' ? cwMargin : misclassificationLogOdds;
}

/** Loss and misclassification at `x`, without gradient. */
export function scoreAt(logits: LogitsFn, objective: Objective, x: tf.Tensor4D, y: tf.Tensor1D): { loss: tf.Tensor1D; fooled: tf.Tensor1D } {
  return tf.tidy(() => {
    const z = logits(x);
    return { loss: objective(z, y), fooled: misclassified(z, y) };
  });
}

/** Loss, misclassification and input gradient at `x` from one forward and backward pass. */
export function gradientAt(logits: LogitsFn, objective: (z: tf.Tensor2D) => tf.Tensor1D, x: tf.Tensor4D, y: tf.Tensor1D): { loss: tf.Tensor1D; fooled: tf.Tensor1D; grad: tf.Tensor4D } {
  return tf.tidy(() => {
    let predicted: tf.Tensor | undefined;
    const { value, grad } = tf.valueAndGrad((input: tf.Tensor) => {
      const z = logits(input);
      // argMax has no gradient; kept out of the tape's scope so it survives, then released by this tidy
      predicted = tf.keep(tf.argMax(z, 1));
      return objective(z);
    })(x);
    const fooled = tf.notEqual(predicted!, tf.cast(y, 'int32')) as tf.Tensor1D;
    predicted!.dispose();
    return { loss: value as tf.Tensor1D, fooled, grad: grad as tf.Tensor4D };
  });
}

/** x0 + δ with δ projected onto the ε-ball, clipped to [0, 1]. */
export function project(x0: tf.Tensor4D, x: tf.Tensor4D, a: Pick<ResolvedAttack, 'norm' | 'epsilon'>): tf.Tensor4D {
  return tf.tidy(() => tf.clipByValue(tf.add(x0, projectPerturbation([tf.sub(x, x0)], a.norm, a.epsilon)[0]!), 0, 1) as tf.Tensor4D);
}

/** Uniform sample of the ε-ball around `x0`, clipped to [0, 1]. */
function uniformStart(x0: tf.Tensor4D, a: ResolvedAttack, seed: number): tf.Tensor4D {
  return tf.tidy(() => tf.clipByValue(tf.add(x0, randomInNormBall([x0], a.epsilon, a.norm, seed)[0]!), 0, 1) as tf.Tensor4D);
}

/**
 * One PGD run (start + `a.steps` steps); returns its best point per example. An example leaves the run once
 * misclassified (active-set.ts), keeping the first point that fooled the model.
 */
function pgdRun(logits: LogitsFn, x0In: tf.Tensor4D, yIn: tf.Tensor1D, a: ResolvedAttack, seed: number): Best {
  const objective = objectiveOf(a);
  const active = new ActiveSet(x0In.shape);
  let s = { x: a.randomStart ? uniformStart(x0In, a, seed) : x0In.clone(), x0: x0In.clone(), y: yIn.clone() };
  let best: Best | null = null;
  try {
    for (let t = 0; t <= a.steps; t++) {
      const last = t === a.steps;
      const prev: Best | null = best;
      const cur = s;
      const out: { kept: Best; next: tf.Tensor4D | undefined } = tf.tidy(() => {
        if (last) {
          const sc = scoreAt(logits, objective, cur.x, cur.y);
          return { kept: keepBetter(prev, cur.x, sc.loss, sc.fooled), next: undefined };
        }
        const g = gradientAt(logits, (z) => objective(z, cur.y), cur.x, cur.y);
        const direction = normalizeDirection([g.grad], a.norm)[0]! as tf.Tensor4D;
        const next = project(cur.x0, tf.add(cur.x, tf.mul(direction, a.stepSize)) as tf.Tensor4D, a);
        return { kept: keepBetter(prev, cur.x, g.loss, g.fooled), next };
      });
      disposeBest(prev);
      best = out.kept;
      if (out.next === undefined) break;
      s.x.dispose();
      s = { ...s, x: out.next };
      // the start is never final: FGSM/PGD always take their first step, even from a misclassified input
      const keep = t === 0 ? null : active.retireFooled(best);
      if (keep !== null) {
        if (keep.length === 0) break;
        s = compact(s, keep);
        best = compact(best, keep);
      }
    }
    return active.finish(best);
  } finally {
    // also when a model call fails mid-attack: nothing may stay on the device
    disposeBest(best);
    tf.dispose(Object.values(s));
  }
}

/**
 * fgsm / pgd / pgd-cw on one batch, merged into `best` (the clean point's verdict, or another attack's result).
 * Without a random start every restart would retrace the same path, so restarts need randomStart.
 */
export function gradientAttack(logits: LogitsFn, x0: tf.Tensor4D, y: tf.Tensor1D, a: ResolvedAttack, seed: number, best: Best): Best {
  const restarts = a.randomStart ? a.restarts : 1;
  let merged = best;
  for (let r = 0; r < restarts; r++) {
    // the first run covers every example (an FGSM/PGD image exists for each, as galleries show); restarts only
    // the examples not fooled yet
    const rows = r === 0 ? Array.from({ length: x0.shape[0] }, (_, i) => i) : unfooledRows(merged);
    merged = mergeRun(merged, x0, y, rows, (xs, ys) => pgdRun(logits, xs, ys, a, mixSeed(seed, r)));
  }
  return merged;
}
