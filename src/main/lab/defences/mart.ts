// MART (Wang et al. 2020) as a training step: x′ is PGD on the cross-entropy from x + 0.001·N(0, 1), then one update
// on MART's loss (divergences.ts: boosted CE on x′ + β·KL weighted by how misclassified x is), gradients through both
// predictions (as mart.py). Like mart.py, the ascent runs with the model in inference mode (model.eval()), the update
// in training mode.
import * as tf from '@tensorflow/tfjs';
import { type DefenceOf } from '../../../shared/defences';
import { batchLoss } from '../nsl/batch-loss';
import { installFastGradients } from '../nsl/fast-gradients';
import { type Batch, type StepMetrics } from '../nsl/metrics';
import { type ModelHead, makeModelHead, sparseAccuracy, sparseCrossEntropy } from '../nsl/model-head';
import { stepInputs } from './clean-pass';
import { martLoss } from './divergences';
import { innerMaximize, rampedBall } from './inner-max';
import { type TrainingStep, type TrainingStepArgs, type TrainProgress } from './training-step';
import { minimize, trainableVariables } from './weight-update';

export class MartStep implements TrainingStep {
  private readonly head: ModelHead;

  constructor(
    private readonly args: TrainingStepArgs,
    private readonly defence: DefenceOf<'mart'>,
  ) {
    installFastGradients();
    this.head = makeModelHead(args.model);
  }

  /**
   * Metrics: loss = loss_adv + β·loss_robust (MART has no clean term); clean CE and accuracy (training mode, before the
   * update, not part of the loss); scaled_adversarial_loss = the whole loss, since every term of MART's loss is on the
   * adversarial point (as PGD-AT reports its adversarial CE).
   */
  trainStep(batch: Batch, progress: TrainProgress): StepMetrics {
    const { x, y, w } = stepInputs(batch);
    const d = this.defence;
    const xAdv = innerMaximize(this.head, x, {
      norm: d.norm,
      // ε ramped and the step scaled with it, as PGD-AT's: the methods of one experiment climb the same balls
      ...rampedBall(d, progress),
      steps: d.steps,
      start: 'gaussian',
      seed: this.args.seed + progress.step,
      // mart.py ascends the batch-mean cross-entropy, unweighted
      objective: (advLogits) => sparseCrossEntropy(advLogits, y),
      training: false,
    });
    let crossEntropy: tf.Scalar | undefined;
    let accuracy: tf.Scalar | undefined;
    let loss: tf.Scalar;
    try {
      loss = minimize(this.args.optimizer, trainableVariables(this.args.model), () => {
        const clean = this.head.logits(x, true);
        crossEntropy = tf.keep(batchLoss(clean, y, w));
        accuracy = tf.keep(sparseAccuracy(clean, y));
        return martLoss(clean, this.head.logits(xAdv, true), y, d.beta, w).loss;
      });
    } catch (e) {
      tf.dispose([crossEntropy, accuracy].filter((t) => t !== undefined));
      throw e;
    } finally {
      xAdv.dispose();
    }
    return { loss, sparse_categorical_crossentropy: crossEntropy!, scaled_adversarial_loss: loss.clone(), sparse_categorical_accuracy: accuracy! };
  }

  dispose(): void {
    // nothing of its own: the model and the optimizer are the caller's
  }
}
