// PGD adversarial training (Madry et al. 2018): each batch is replaced by the PGD adversary's last iterate (random
// start in the ε-ball, `steps` signed or normalised steps, projected onto the ball and [0, 1]) and the loss is the
// cross-entropy on that adversarial batch only. The training ε may ramp from 0 (epsilonRampEpochs), the step scaled
// with it. The adversary runs on the model in training mode, as the model being trained (Madry's and Rice et al.'s code).
import type * as tf from '@tensorflow/tfjs';
import { type DefenceOf } from '../../../shared/defences';
import { batchLoss } from '../nsl/batch-loss';
import { installFastGradients } from '../nsl/fast-gradients';
import { type Batch, type StepMetrics } from '../nsl/metrics';
import { type ModelHead, makeModelHead } from '../nsl/model-head';
import { stepInputs } from './clean-pass';
import { adversarialUpdate } from './adversarial-update';
import { innerMaximize, rampedBall } from './inner-max';
import { type TrainingStep, type TrainingStepArgs, type TrainProgress } from './training-step';

export class PgdAtStep implements TrainingStep {
  private readonly head: ModelHead;

  constructor(
    private readonly args: TrainingStepArgs,
    readonly defence: DefenceOf<'pgd-at'>,
  ) {
    installFastGradients();
    this.head = makeModelHead(args.model);
  }

  /** The adversarial batch of this step (the caller disposes it): what the loss is computed on. */
  adversarialBatch(batch: Batch, progress: TrainProgress): tf.Tensor4D {
    const d = this.defence;
    const inputs = stepInputs(batch);
    const { y, w } = inputs;
    return innerMaximize(this.head, inputs.x, {
      norm: d.norm,
      ...rampedBall(d, progress),
      steps: d.steps,
      start: d.randomStart ? 'uniform' : 'none',
      // a seeded start per global step: a resumed run draws what the uninterrupted one drew
      seed: this.args.seed + progress.step,
      objective: (logits) => batchLoss(logits, y, w),
      training: true,
    });
  }

  trainStep(batch: Batch, progress: TrainProgress): StepMetrics {
    return adversarialUpdate(this.head, this.args, batch, () => this.adversarialBatch(batch, progress));
  }

  dispose(): void {
    // nothing of its own: the model and optimizer are the caller's
  }
}
