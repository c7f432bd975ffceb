// Fast adversarial training (Wong et al. 2020, "Fast is better than free"): one FGSM step of α from a uniform start
// in the ε-ball, projected onto the ball and [0, 1], and the loss on that point only; the learning rate follows the
// cyclic schedule, set before every update; and an early stop against catastrophic overfitting: after every epoch,
// PGD-10 accuracy on a fixed probe of training images is measured and, once it falls more than overfitDrop below the
// best epoch's, training stops and keeps the best epoch's weights.
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { resolveAttack, type ResolvedAttack } from '../../../shared/attacks';
import { cyclicLearningRate, fastAtAlpha, type DefenceOf } from '../../../shared/defences';
import { LabError } from '../../../shared/errors';
import { predictClasses } from '../attacks/logits';
import { attackBatch } from '../attacks/perturb';
import { mixSeed } from '../attacks/spec';
import { batchLoss } from '../nsl/batch-loss';
import { installFastGradients } from '../nsl/fast-gradients';
import { type Batch, type StepMetrics } from '../nsl/metrics';
import { type ModelHead, makeModelHead } from '../nsl/model-head';
import { stepInputs } from './clean-pass';
import { adversarialUpdate } from './adversarial-update';
import { innerMaximize } from './inner-max';
import { setLearningRate } from './learning-rate';
import { type EpochDecision, type TrainingStep, type TrainingStepArgs, type TrainProgress } from './training-step';

/** The training images the guard attacks after every epoch (the caller owns and disposes them). */
export interface GuardProbe {
  image: tf.Tensor4D;
  label: tf.Tensor1D;
}

/** How many training images the worker gives the guard: enough to see a collapse, a small part of an epoch's cost. */
export const GUARD_PROBE_SIZE = 512;
/** The guard's PGD: 10 steps of ε/4 from a random start, one fixed seed, so every epoch is measured alike. */
const GUARD_STEPS = 10;
const GUARD_SEED = 0x6f76;
const GUARD_CHUNK = 256;

const StateSchema = z.object({
  /** PGD accuracy on the probe after each finished epoch (index 0: epoch 1). */
  accuracies: z.array(z.number().min(0).max(1)),
  best: z.object({ epoch: z.number().int().min(1), accuracy: z.number().min(0).max(1) }).nullable(),
});
export type FastAtState = z.infer<typeof StateSchema>;

/** Wong et al.'s rate for the update of this batch: the cyclic schedule at the progress after it (their (i + 1) / n). */
export function fastAtLearningRate(d: Pick<DefenceOf<'fast-at'>, 'lrMax'>, progress: TrainProgress): number {
  return cyclicLearningRate(d.lrMax, progress.epoch + (progress.batch + 1) / progress.batchesPerEpoch, progress.epochs);
}

const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;

export class FastAtStep implements TrainingStep {
  private readonly head: ModelHead;
  private readonly guardAttack: ResolvedAttack;
  private accuracies: number[] = [];
  private best: FastAtState['best'] = null;

  /** `probe`: the guard's training images; without one (or with overfitGuard off) every epoch continues. */
  constructor(
    private readonly args: TrainingStepArgs & { probe?: GuardProbe },
    readonly defence: DefenceOf<'fast-at'>,
  ) {
    installFastGradients();
    this.head = makeModelHead(args.model);
    this.guardAttack = resolveAttack({ attack: 'pgd', norm: defence.norm, epsilon: defence.epsilon, steps: GUARD_STEPS, stepSize: defence.epsilon / 4, randomStart: true, restarts: 1, seed: GUARD_SEED });
  }

  /** The FGSM point of this step (the caller disposes it). */
  adversarialBatch(batch: Batch, progress: TrainProgress): tf.Tensor4D {
    const d = this.defence;
    const { x, y, w } = stepInputs(batch);
    return innerMaximize(this.head, x, {
      norm: d.norm,
      epsilon: d.epsilon,
      steps: 1,
      stepSize: fastAtAlpha(d),
      start: 'uniform',
      seed: this.args.seed + progress.step,
      objective: (logits) => batchLoss(logits, y, w),
      training: true,
    });
  }

  trainStep(batch: Batch, progress: TrainProgress): StepMetrics {
    if (this.defence.cyclicLr) setLearningRate(this.args.optimizer, fastAtLearningRate(this.defence, progress));
    return adversarialUpdate(this.head, this.args, batch, () => this.adversarialBatch(batch, progress));
  }

  /** PGD-10 accuracy (inference mode) on the probe at the current weights. */
  probeAccuracy(): number {
    const probe = this.args.probe;
    if (probe === undefined) throw new LabError('failed_precondition', 'the overfitting guard needs a probe of training images', 'probe');
    const n = probe.image.shape[0];
    let correct = 0;
    for (let start = 0; start < n; start += GUARD_CHUNK) {
      const size = Math.min(GUARD_CHUNK, n - start);
      correct += tf.tidy(() => {
        const x = probe.image.slice([start, 0, 0, 0], [size, -1, -1, -1]);
        const y = probe.label.slice([start], [size]);
        const adv = attackBatch(this.args.model, x, y, this.guardAttack, mixSeed(this.guardAttack.seed, start));
        return tf.sum(tf.cast(tf.equal(predictClasses(this.args.model, adv), tf.cast(y, 'int32')), 'int32')).dataSync()[0]!;
      });
    }
    return n === 0 ? 0 : correct / n;
  }

  onEpochEnd(epoch: number): Promise<EpochDecision> {
    const d = this.defence;
    if (!d.overfitGuard || this.args.probe === undefined) return Promise.resolve({ action: 'continue' });
    const accuracy = this.probeAccuracy();
    this.accuracies[epoch - 1] = accuracy;
    const best = this.best;
    if (best === null || accuracy > best.accuracy) {
      this.best = { epoch, accuracy };
      return Promise.resolve({ action: 'continue' });
    }
    if (accuracy < best.accuracy - d.overfitDrop) {
      const n = this.args.probe.image.shape[0];
      const reason =
        `catastrophic overfitting: PGD-${GUARD_STEPS} accuracy on ${n} training images fell to ${pct(accuracy)} after epoch ${epoch}, ` +
        `more than overfitDrop ${d.overfitDrop} below epoch ${best.epoch}'s ${pct(best.accuracy)}; stopped early, keeping epoch ${best.epoch}'s weights`;
      return Promise.resolve({ action: 'stop', keepEpoch: best.epoch, reason });
    }
    return Promise.resolve({ action: 'continue' });
  }

  state(): FastAtState {
    return { accuracies: [...this.accuracies], best: this.best === null ? null : { ...this.best } };
  }

  restoreState(state: unknown): void {
    const parsed = StateSchema.safeParse(state);
    if (!parsed.success) throw new LabError('corrupt_data', `the checkpoint's Fast-AT guard state is not valid (${parsed.error.issues[0]?.message ?? 'unknown'})`, 'checkpoint');
    this.accuracies = [...parsed.data.accuracies];
    this.best = parsed.data.best === null ? null : { ...parsed.data.best };
  }

  dispose(): void {
    // the probe, model and optimizer are the caller's
  }
}
