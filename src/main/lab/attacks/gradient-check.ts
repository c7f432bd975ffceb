// Gradient-masking check: how many examples have an input gradient that is exactly zero (every entry), for the
// objective the gradient attacks climb (the log-odds of a mistake, losses.ts) at the clean input. Gradient attacks
// cannot move such an example, so a large fraction means their numbers may overstate robustness.
import * as tf from '@tensorflow/tfjs';
import { type LogitsFn } from './logits';
import { misclassificationLogOdds } from './losses';
import { gradientAt } from './pgd';

/** Number of examples in the batch whose input gradient is exactly zero. */
export function zeroGradientCount(logits: LogitsFn, x: tf.Tensor4D, y: tf.Tensor1D): number {
  const zero = tf.tidy(() => {
    const { grad } = gradientAt(logits, (z) => misclassificationLogOdds(z, y), x, y);
    return tf.sum(tf.cast(tf.equal(tf.sum(tf.abs(grad), [1, 2, 3]), 0), 'int32'));
  });
  try {
    return zero.dataSync()[0]!;
  } finally {
    zero.dispose();
  }
}
