// The update PGD-AT and Fast-AT share: cross-entropy of the adversarial batch only, minimised once, with the clean
// batch's cross-entropy and accuracy reported beside it; the methods differ only in how they make the batch.
import * as tf from '@tensorflow/tfjs';
import { batchLoss } from '../nsl/batch-loss';
import { type Batch, type StepMetrics } from '../nsl/metrics';
import { type ModelHead } from '../nsl/model-head';
import { cleanPass, stepInputs } from './clean-pass';
import { type TrainingStepArgs } from './training-step';
import { minimize, trainableVariables } from './weight-update';

/** `adversarial` makes the batch to train on (a constant; disposed here). Metrics as TrainingStep documents them. */
export function adversarialUpdate(head: ModelHead, args: TrainingStepArgs, batch: Batch, adversarial: () => tf.Tensor4D): StepMetrics {
  const inputs = stepInputs(batch);
  const { y, w } = inputs;
  const clean = cleanPass(head, inputs, true);
  let xAdv: tf.Tensor4D | undefined;
  try {
    xAdv = adversarial();
    const adv = xAdv;
    const loss = minimize(args.optimizer, trainableVariables(args.model), () => batchLoss(head.logits(adv, true), y, w));
    return { loss, sparse_categorical_crossentropy: clean.crossEntropy, scaled_adversarial_loss: loss.clone(), sparse_categorical_accuracy: clean.accuracy };
  } catch (err) {
    tf.dispose([clean.crossEntropy, clean.accuracy]);
    throw err;
  } finally {
    xAdv?.dispose();
  }
}
