// NSL's adversarial regularization as a training step: an adapter over the NSL module's wrapper, so NSL runs train
// exactly as before defences existed (same kernels, same random-start stream, same parity with NSL's own numbers).
import { type AdvRegConfigInput } from '../../../shared/schemas';
import { AdversarialRegularization } from '../nsl/adversarial-regularization';
import { type Batch, type StepMetrics } from '../nsl/metrics';
import { type TrainingStep, type TrainingStepArgs, type TrainProgress } from './training-step';

export class NslStep implements TrainingStep {
  private adv: AdversarialRegularization | undefined;

  /** `advReg`: the run's AdvRegConfig (an NSL defence's overrides already merged in by the service). */
  constructor(
    private readonly args: TrainingStepArgs,
    private readonly advReg: AdvRegConfigInput,
  ) {}

  trainStep(batch: Batch, progress: TrainProgress): StepMetrics {
    // NSL draws its k-th random start from seed + k; starting k at the global step keeps a resumed run on the same stream
    this.adv ??= this.wrapper(progress.step);
    return this.adv.trainStep(batch);
  }

  private wrapper(step: number): AdversarialRegularization {
    const adv = new AdversarialRegularization(this.args.model, this.advReg, { seed: this.args.seed + step });
    adv.compile({ optimizer: this.args.optimizer, loss: 'sparse_categorical_crossentropy' });
    return adv;
  }

  dispose(): void {
    // the optimizer is the caller's (compile with a ready optimizer does not own it)
    this.adv?.dispose();
    this.adv = undefined;
  }
}
