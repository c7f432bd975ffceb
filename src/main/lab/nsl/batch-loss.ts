// The labeled loss of a batch as NSL's Keras wrapper reduces it, with optional per-example sample weights.
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../../../shared/errors';
import { sparseCrossEntropy } from './model-head';

/**
 * Mean sparse categorical cross-entropy from logits. With sample weights, as NSL's _LossWrapper
 * (keras/adversarial_regularization.py, batch_size_reduction): Σᵢ wᵢ·lossᵢ / batch size, so a weight of 0
 * removes an example from the loss (and from its neighbour's gradient) without changing the denominator.
 */
export function batchLoss(logits: tf.Tensor2D, labels: tf.Tensor1D, weights?: tf.Tensor1D): tf.Scalar {
  if (weights === undefined) return sparseCrossEntropy(logits, labels);
  return tf.tidy(() => {
    const oneHot = tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1]).toFloat();
    const perExample = tf.losses.softmaxCrossEntropy(oneHot, logits, undefined, undefined, tf.Reduction.NONE);
    return tf.div(tf.sum(tf.mul(perExample, weights)), logits.shape[0]!) as tf.Scalar;
  });
}

/** A batch's sample weights must be one float32 value per example. */
export function checkSampleWeights(weights: tf.Tensor | undefined, batchSize: number): void {
  if (weights === undefined) return;
  if (weights.dtype !== 'float32' || weights.rank !== 1 || weights.shape[0] !== batchSize) {
    throw new LabError('invalid_argument', `batch.weight must be a float32 tensor of shape [${batchSize}], one weight per example (got ${weights.dtype} [${weights.shape.join(', ')}])`, 'weight');
  }
}
