// Per-epoch test (validation) metrics: the model in inference mode on the first images of the run's test split, so
// training curves can show how the model does on images it does not train on. Capped to bound each epoch's extra cost.
import * as tf from '@tensorflow/tfjs';
import { type MetricValues } from '../../../shared/contract';
import { logitsOf } from '../attacks/logits';
import { imageBatch, labelBatch } from '../attacks/inputs';
import { type TestSet } from './evaluations';

/** How many test images (the first ones, in split order) each epoch's val_loss and val_accuracy are measured on. */
export const VAL_MAX_IMAGES = 1000;

/**
 * val_loss (mean softmax cross-entropy of the logits) and val_accuracy (fraction whose arg-max is the label) of
 * `model` in inference mode (dropout off) on the first VAL_MAX_IMAGES images of `test`; nothing for an empty split.
 */
export async function testMetrics(model: tf.LayersModel, test: TestSet, batchSize = 256): Promise<MetricValues> {
  const count = Math.min(VAL_MAX_IMAGES, test.labels.length);
  if (count === 0) return {};
  const logits = logitsOf(model);
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < count; start += batchSize) {
    const end = Math.min(count, start + batchSize);
    const [loss, right] = tf.tidy(() => {
      const z = logits(imageBatch(test.images, start, end));
      const y = labelBatch(test.labels, start, end);
      const picked = tf.sum(tf.mul(tf.oneHot(y, z.shape[1]), tf.logSoftmax(z)));
      return [tf.neg(picked), tf.sum(tf.cast(tf.equal(tf.argMax(z, 1), y), 'int32'))];
    });
    try {
      const [l, r] = await Promise.all([loss.data(), right.data()]);
      lossSum += l[0]!;
      correct += r[0]!;
    } finally {
      tf.dispose([loss, right]);
    }
  }
  return { val_loss: lossSum / count, val_accuracy: correct / count };
}
