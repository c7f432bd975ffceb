// The best point per example, shared by every attack: a candidate that fools the model beats one that does not, and
// between two that agree the higher loss wins. Attacks merge every iterate, restart, target and component into it,
// so more steps, restarts or components can never make an attack weaker on the model that supplies the gradients.
import * as tf from '@tensorflow/tfjs';
import { perExample } from '../nsl/norms';

/** A type alias, not an interface, so tf.tidy accepts it as a TensorContainer. */
export type Best = {
  x: tf.Tensor4D;
  /** The attack's loss at x (higher is better for the attacker); comparable only within one loss. */
  loss: tf.Tensor1D;
  /** bool: x is misclassified by the attacked model. */
  fooled: tf.Tensor1D;
};

/**
 * Keeps, per example, whichever of `best` and the candidate fools the model, else has the higher loss. Rows where
 * `eligible` (bool) is false keep `best`. Returns new tensors; the inputs stay the caller's.
 */
export function keepBetter(best: Best | null, x: tf.Tensor4D, loss: tf.Tensor1D, fooled: tf.Tensor1D, eligible?: tf.Tensor1D): Best {
  return tf.tidy(() => {
    if (best === null) return { x: x.clone(), loss: loss.clone(), fooled: fooled.clone() };
    let better = tf.logicalOr(tf.logicalAnd(fooled, tf.logicalNot(best.fooled)), tf.logicalAnd(tf.equal(fooled, best.fooled), tf.greater(loss, best.loss))) as tf.Tensor1D;
    if (eligible !== undefined) better = tf.logicalAnd(better, eligible) as tf.Tensor1D;
    return {
      x: tf.where(perExample(better, 4), x, best.x) as tf.Tensor4D,
      loss: tf.where(better, loss, best.loss) as tf.Tensor1D,
      fooled: tf.where(better, fooled, best.fooled) as tf.Tensor1D,
    };
  });
}

export function disposeBest(best: Best | null): void {
  if (best !== null) tf.dispose([best.x, best.loss, best.fooled]);
}

/** Replaces `old` by `next`, disposing every tensor of `old` that `next` does not reuse. */
export function swap<T extends Record<string, tf.Tensor | undefined>>(old: T, next: T): T {
  const kept = new Set(Object.values(next));
  for (const t of Object.values(old)) if (t !== undefined && !kept.has(t)) t.dispose();
  return next;
}

/** Row indices where the bool tensor `mask` is true (a small device read). */
export function rowsWhere(mask: tf.Tensor1D): number[] {
  const values = mask.dataSync();
  const rows: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i]) rows.push(i);
  return rows;
}

/** Rows of `best` not fooled yet: the examples an attack still has to work on. */
export function unfooledRows(best: Best): number[] {
  const open = tf.logicalNot(best.fooled) as tf.Tensor1D;
  try {
    return rowsWhere(open);
  } finally {
    open.dispose();
  }
}

/** Rows `rows` of every tensor of `t` (new tensors). */
export function gatherRows<T extends tf.Tensor>(t: T, rows: number[]): T {
  return tf.tidy(() => tf.gather(t, tf.tensor1d(rows, 'int32')) as T);
}

/**
 * Runs `run` on the rows `rows` of (x0, y) and merges its best points into `best` by the best-point rule (the other
 * rows keep theirs). Disposes `best` and returns the merged one. Nothing to run: returns `best` unchanged.
 */
export function mergeRun(best: Best, x0: tf.Tensor4D, y: tf.Tensor1D, rows: number[], run: (x0: tf.Tensor4D, y: tf.Tensor1D) => Best): Best {
  if (rows.length === 0) return best;
  const n = x0.shape[0];
  const all = rows.length === n;
  const xs = all ? x0 : gatherRows(x0, rows);
  const ys = all ? y : gatherRows(y, rows);
  let sub: Best;
  try {
    sub = run(xs, ys);
  } finally {
    if (!all) tf.dispose([xs, ys]);
  }
  const merged = tf.tidy(() => {
    if (all) return keepBetter(best, sub.x, sub.loss, sub.fooled);
    const idx = tf.tensor2d(rows, [rows.length, 1], 'int32');
    const eligible = tf.cast(tf.scatterND(idx, tf.ones([rows.length], 'int32'), [n]), 'bool') as tf.Tensor1D;
    const spread = <T extends tf.Tensor>(t: T): T => tf.scatterND(idx, t.dtype === 'bool' ? tf.cast(t, 'int32') : t, [n, ...t.shape.slice(1)]) as T;
    return keepBetter(best, spread(sub.x), spread(sub.loss), tf.cast(spread(sub.fooled), 'bool') as tf.Tensor1D, eligible);
  });
  disposeBest(sub);
  disposeBest(best);
  return merged;
}
