// Standard training (the base run): cross-entropy on the clean batch. It is NSL's wrapper with the adversarial term
// off (multiplier 0 skips the neighbour entirely), so base runs keep the numbers they had before defences existed.
import { NslStep } from './nsl';
import { type TrainingStepArgs } from './training-step';

export class StandardStep extends NslStep {
  constructor(args: TrainingStepArgs) {
    super(args, { multiplier: 0 });
  }
}
