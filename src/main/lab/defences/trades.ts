// TRADES (Zhang et al. 2019) as a training step: x′ maximises Σ KL(p(x) ‖ p(x′)) from x + 0.001·N(0, 1) with p(x)
// held constant, then one update on CE(z, y) + β·(1/B)·Σ KL(p(x) ‖ p(x′)), gradients through both predictions (as
// trades.py). Like trades.py, the ascent runs with the model in inference mode (model.eval()), the update in training
// mode; one clean forward pass serves both the CE and p(x) (trades.py runs two, which differ only under dropout).
// L2 uses the inner loop's normalised steps of `stepSize` (trades.py's l_2 branch takes SGD steps of 2ε/steps on δ).
import * as tf from '@tensorflow/tfjs';
import { type DefenceOf } from '../../../shared/defences';
import { installFastGradients } from '../nsl/fast-gradients';
import { type Batch, type StepMetrics } from '../nsl/metrics';
import { type ModelHead, makeModelHead, sparseAccuracy } from '../nsl/model-head';
import { stepInputs } from './clean-pass';
import { klFromLogits, tradesLoss } from './divergences';
import { innerMaximize, rampedBall } from './inner-max';
import { type TrainingStep, type TrainingStepArgs, type TrainProgress } from './training-step';
import { minimize, trainableVariables } from './weight-update';

export class TradesStep implements TrainingStep {
  private readonly head: ModelHead;

  constructor(
    private readonly args: TrainingStepArgs,
    private readonly defence: DefenceOf<'trades'>,
  ) {
    installFastGradients();
    this.head = makeModelHead(args.model);
  }

  /** Metrics: loss = CE + β·robust; clean CE and accuracy (training mode, before the update); scaled_adversarial_loss = β·robust. */
  trainStep(batch: Batch, progress: TrainProgress): StepMetrics {
    const { x, y, w } = stepInputs(batch);
    const d = this.defence;
    const xAdv = tf.tidy(() => {
      const cleanLogits = this.head.logits(x, false);
      return innerMaximize(this.head, x, {
        norm: d.norm,
        // ε ramped and the step scaled with it, as PGD-AT's: the methods of one experiment climb the same balls
        ...rampedBall(d, progress),
        steps: d.steps,
        start: 'gaussian',
        seed: this.args.seed + progress.step,
        // p(x) is a constant of the ascent: the clean logits are computed once, outside its gradient
        objective: (advLogits) => tf.sum(klFromLogits(cleanLogits, advLogits)),
        training: false,
      });
    });
    let natural: tf.Scalar | undefined;
    let scaled: tf.Scalar | undefined;
    let accuracy: tf.Scalar | undefined;
    let loss: tf.Scalar;
    try {
      loss = minimize(this.args.optimizer, trainableVariables(this.args.model), () => {
        const clean = this.head.logits(x, true);
        const terms = tradesLoss(clean, this.head.logits(xAdv, true), y, d.beta, w);
        natural = tf.keep(terms.natural);
        scaled = tf.keep(tf.mul(terms.robust, d.beta) as tf.Scalar);
        accuracy = tf.keep(sparseAccuracy(clean, y));
        return terms.loss;
      });
    } catch (e) {
      tf.dispose([natural, scaled, accuracy].filter((t) => t !== undefined));
      throw e;
    } finally {
      xAdv.dispose();
    }
    return { loss, sparse_categorical_crossentropy: natural!, scaled_adversarial_loss: scaled!, sparse_categorical_accuracy: accuracy! };
  }

  dispose(): void {
    // nothing of its own: the model and the optimizer are the caller's
  }
}
