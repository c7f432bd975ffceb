// Auto-PGD (Croce & Hein 2020, "Reliable evaluation of adversarial robustness with an ensemble of diverse
// parameter-free attacks", Algorithm 1), ∞ and l2. Step size 2ε, halved per example at checkpoints w_j when
// (1) the loss rose in at most ρ = 0.75 of the steps since the last checkpoint, or (2) the step was not halved at
// the last checkpoint and the best loss has not improved since; a halving restarts from the best point and its
// gradient. Checkpoints: the first after ⌈0.22·N⌉ steps, each interval 0.03·N shorter, never below 0.06·N (as in the
// authors' implementation). Steps use momentum 0.75 on the previous move. apgd-ce climbs the log-odds of a mistake
// (the cross-entropy's order; losses.ts); apgd-t climbs the targeted DLR loss, once per target class — the
// classes with the 2nd, 3rd, … highest clean logit — on the examples not fooled yet, keeping the worst case.
import * as tf from '@tensorflow/tfjs';
import { normalizeDirection, perExample } from '../nsl/norms';
import { ActiveSet, compact } from './active-set';
import { disposeBest, keepBetter, mergeRun, swap, unfooledRows, type Best } from './best';
import { type LogitsFn } from './logits';
import { dlrTargeted, misclassificationLogOdds } from './losses';
import { gradientAt, project } from './pgd';
import { mixSeed, type ResolvedAttack } from './spec';

/** Fraction of steps with a loss increase below which the step size is halved. */
const RHO = 0.75;
const MOMENTUM = 0.75;

/** The checkpoint interval lengths of Auto-PGD for `steps` iterations. */
export function apgdSchedule(steps: number): { first: number; decrease: number; min: number } {
  return { first: Math.max(Math.floor(0.22 * steps), 1), decrease: Math.max(Math.floor(0.03 * steps), 1), min: Math.max(Math.floor(0.06 * steps), 1) };
}

/** Iterations after which Auto-PGD checks its step size (0-based iteration indices). */
export function apgdCheckpoints(steps: number): number[] {
  const { first, decrease, min } = apgdSchedule(steps);
  const out: number[] = [];
  let k = first;
  let counter = 0;
  for (let i = 0; i < steps; i++) {
    if (++counter === k) {
      out.push(i);
      k = Math.max(k - decrease, min);
      counter = 0;
    }
  }
  return out;
}

/** A point on the ε-sphere (∞: scaled uniform noise; l2: a Gaussian direction), clipped to [0, 1]. */
function sphereStart(x0: tf.Tensor4D, a: ResolvedAttack, seed: number): tf.Tensor4D {
  return tf.tidy(() => {
    const t = a.norm === 'infinity' ? tf.randomUniform(x0.shape, -1, 1, 'float32', seed) : tf.randomNormal(x0.shape, 0, 1, 'float32', seed);
    const size = a.norm === 'infinity' ? tf.max(tf.abs(t), [1, 2, 3]) : tf.sqrt(tf.sum(tf.square(t), [1, 2, 3]));
    const direction = tf.div(t, perExample(tf.add(size, 1e-12) as tf.Tensor1D, 4));
    return tf.clipByValue(tf.add(x0, tf.mul(direction, a.epsilon)), 0, 1) as tf.Tensor4D;
  });
}

type State = {
  x0: tf.Tensor4D;
  y: tf.Tensor1D;
  /** apgd-t: the target class per example; ce: unused (a copy of y). */
  target: tf.Tensor1D;
  x: tf.Tensor4D;
  xOld: tf.Tensor4D;
  grad: tf.Tensor4D;
  xBest: tf.Tensor4D;
  gradBest: tf.Tensor4D;
  lossBest: tf.Tensor1D;
  prevLoss: tf.Tensor1D;
  step: tf.Tensor1D;
  increases: tf.Tensor1D;
  lossBestLastCheck: tf.Tensor1D;
  reducedLastCheck: tf.Tensor1D;
};

/** A per-example objective on logits, given the labels and (apgd-t) the target classes. */
export type ApgdObjective = (z: tf.Tensor2D, y: tf.Tensor1D, target: tf.Tensor1D) => tf.Tensor1D;

/**
 * One Auto-PGD run on a batch; returns its best point per example. An example leaves the run once misclassified
 * (active-set.ts): every quantity of the algorithm is per example, so this changes no other example's path.
 */
export function apgdRun(logits: LogitsFn, x0In: tf.Tensor4D, yIn: tf.Tensor1D, a: ResolvedAttack, seed: number, objective: ApgdObjective, targetIn?: tf.Tensor1D): Best {
  const { first, decrease, min } = apgdSchedule(a.steps);
  const active = new ActiveSet(x0In.shape);
  let best: Best | null = null;
  let s: State | null = null;
  try {
    const init = tf.tidy(() => {
      const x0 = x0In.clone();
      const y = yIn.clone();
      const target = (targetIn ?? yIn).clone();
      const x = a.randomStart ? sphereStart(x0, a, seed) : x0.clone();
      const g = gradientAt(logits, (z) => objective(z, y, target), x, y);
      const n = x0.shape[0];
      const state: State = {
        x0,
        y,
        target,
        x,
        xOld: x.clone(),
        grad: g.grad,
        xBest: x.clone(),
        gradBest: g.grad.clone(),
        lossBest: g.loss.clone(),
        prevLoss: g.loss.clone(),
        step: tf.fill([n], a.stepSize) as tf.Tensor1D,
        increases: tf.zeros([n]) as tf.Tensor1D,
        lossBestLastCheck: g.loss.clone(),
        reducedLastCheck: tf.ones([n], 'bool') as tf.Tensor1D,
      };
      return { state, best: keepBetter(null, x, g.loss, g.fooled) };
    });
    s = init.state;
    best = init.best;
    let k = first;
    let counter = 0;
    for (let i = 0; i < a.steps; i++) {
      const checkpoint = ++counter === k;
      const cur: State = s;
      const prevBest: Best = best;
      const out = tf.tidy(() => {
        const coef = i > 0 ? MOMENTUM : 1;
        const direction = normalizeDirection([cur.grad], a.norm)[0]!;
        const z = project(cur.x0, tf.add(cur.x, tf.mul(direction, perExample(cur.step, 4))) as tf.Tensor4D, a);
        const moved = tf.add(tf.add(cur.x, tf.mul(tf.sub(z, cur.x), coef)), tf.mul(tf.sub(cur.x, cur.xOld), 1 - coef)) as tf.Tensor4D;
        const xNew = project(cur.x0, moved, a);
        const g = gradientAt(logits, (zz) => objective(zz, cur.y, cur.target), xNew, cur.y);
        const kept = keepBetter(prevBest, xNew, g.loss, g.fooled);
        const improved = tf.greater(g.loss, cur.lossBest) as tf.Tensor1D;
        const improved4 = perExample(improved, 4);
        const next: State = {
          x0: cur.x0.clone(),
          y: cur.y.clone(),
          target: cur.target.clone(),
          x: xNew,
          xOld: cur.x.clone(),
          grad: g.grad,
          xBest: tf.where(improved4, xNew, cur.xBest) as tf.Tensor4D,
          gradBest: tf.where(improved4, g.grad, cur.gradBest) as tf.Tensor4D,
          lossBest: tf.where(improved, g.loss, cur.lossBest) as tf.Tensor1D,
          prevLoss: g.loss,
          step: cur.step.clone(),
          increases: tf.add(cur.increases, tf.cast(tf.greater(g.loss, cur.prevLoss), 'float32')) as tf.Tensor1D,
          lossBestLastCheck: cur.lossBestLastCheck.clone(),
          reducedLastCheck: cur.reducedLastCheck.clone(),
        };
        if (checkpoint) {
          const oscillating = tf.lessEqual(next.increases, k * RHO);
          const stalled = tf.logicalAnd(tf.logicalNot(cur.reducedLastCheck), tf.greaterEqual(cur.lossBestLastCheck, next.lossBest));
          const reduce = tf.logicalOr(oscillating, stalled) as tf.Tensor1D;
          const reduce4 = perExample(reduce, 4);
          next.step = tf.where(reduce, tf.div(next.step, 2), next.step) as tf.Tensor1D;
          next.x = tf.where(reduce4, next.xBest, next.x) as tf.Tensor4D;
          next.grad = tf.where(reduce4, next.gradBest, next.grad) as tf.Tensor4D;
          next.reducedLastCheck = reduce;
          next.lossBestLastCheck = next.lossBest.clone();
          next.increases = tf.zerosLike(next.increases);
        }
        return { next, kept };
      });
      s = swap(cur, out.next);
      disposeBest(prevBest);
      best = out.kept;
      if (checkpoint) {
        k = Math.max(k - decrease, min);
        counter = 0;
      }
      const keep = active.retireFooled(best);
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
    if (s !== null) tf.dispose(Object.values(s));
  }
}

/** apgd-ce / apgd-t on one batch, merged into `best`; every run works on the examples not fooled yet. */
export function apgdAttack(logits: LogitsFn, x0: tf.Tensor4D, y: tf.Tensor1D, a: ResolvedAttack, seed: number, best: Best): Best {
  const restarts = a.randomStart ? a.restarts : 1;
  let merged = best;
  if (a.attack !== 'apgd-t') {
    for (let r = 0; r < restarts; r++) {
      merged = mergeRun(merged, x0, y, unfooledRows(merged), (xs, ys) => apgdRun(logits, xs, ys, a, mixSeed(seed, r), (z, yy) => misclassificationLogOdds(z, yy)));
    }
    return merged;
  }
  for (let t = 1; t <= a.targets; t++) {
    for (let r = 0; r < restarts; r++) {
      merged = mergeRun(merged, x0, y, unfooledRows(merged), (xs, ys) => {
        // the t-th most likely class other than the top one, at the clean input
        const target = tf.tidy(() => tf.squeeze(tf.slice(tf.topk(logits(xs), t + 1).indices, [0, t], [-1, 1]), [1]) as tf.Tensor1D);
        try {
          return apgdRun(logits, xs, ys, a, mixSeed(seed, t, r), dlrTargeted, target);
        } finally {
          target.dispose();
        }
      });
    }
  }
  return merged;
}
