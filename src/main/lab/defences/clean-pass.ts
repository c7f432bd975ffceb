// The clean half of a defence step's metrics: cross-entropy and accuracy of the unperturbed batch, from one forward
// pass without gradient (the methods that train on adversarial points only still report how the clean batch does).
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../../../shared/errors';
import { batchLoss, checkSampleWeights } from '../nsl/batch-loss';
import { type Batch } from '../nsl/metrics';
import { type ModelHead, sparseAccuracy } from '../nsl/model-head';

/** A batch's tensors, checked as NSL's wrapper checks them: float32 images [b, h, w, c], one label (and weight) per image. */
export interface StepInputs {
  x: tf.Tensor4D;
  y: tf.Tensor1D;
  w: tf.Tensor1D | undefined;
}

export function stepInputs(batch: Batch): StepInputs {
  const x = batch.image;
  if (x.dtype !== 'float32' || x.rank !== 4) throw new LabError('invalid_argument', `batch.image must be a float32 tensor [batch, height, width, channels] (got ${x.dtype} [${x.shape.join(', ')}])`, 'image');
  if (batch.label.rank !== 1 || batch.label.shape[0] !== x.shape[0]) {
    throw new LabError('invalid_argument', `batch.label must have shape [${x.shape[0]}] (got [${batch.label.shape.join(', ')}])`, 'label');
  }
  checkSampleWeights(batch.weight, x.shape[0]!);
  return { x: x as tf.Tensor4D, y: batch.label, w: batch.weight };
}

/** Clean cross-entropy (sample-weighted as the training loss is) and accuracy; the caller owns both scalars. */
export function cleanPass(head: ModelHead, { x, y, w }: StepInputs, training: boolean): { crossEntropy: tf.Scalar; accuracy: tf.Scalar } {
  return tf.tidy(() => {
    const logits = head.logits(x, training);
    return { crossEntropy: batchLoss(logits, y, w), accuracy: sparseAccuracy(logits, y) };
  });
}
