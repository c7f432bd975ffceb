// Chooses a run's training step by its recorded defence (runDefence: runs stored before defences train as they did).
import { type RunConfig } from '../../../shared/contract';
import { runDefence } from '../../../shared/defences';
import { FastAtStep, type GuardProbe } from './fast-at';
import { MartStep } from './mart';
import { NslStep } from './nsl';
import { PgdAtStep } from './pgd-at';
import { StandardStep } from './standard';
import { TradesStep } from './trades';
import { type TrainingStep, type TrainingStepArgs } from './training-step';

export interface MakeStepArgs extends TrainingStepArgs {
  /** Training images for Fast-AT's overfitting guard (the caller owns them); unused by the other methods. */
  probe?: GuardProbe;
}

export function makeTrainingStep(config: Pick<RunConfig, 'role' | 'defence' | 'advReg'>, args: MakeStepArgs): TrainingStep {
  const defence = runDefence(config);
  const { probe, ...base } = args;
  switch (defence.method) {
    case 'standard':
      return new StandardStep(base);
    case 'nsl':
      return new NslStep(base, config.advReg);
    case 'pgd-at':
      return new PgdAtStep(base, defence);
    case 'fast-at':
      return new FastAtStep(probe === undefined ? base : { ...base, probe }, defence);
    case 'trades':
      return new TradesStep(base, defence);
    case 'mart':
      return new MartStep(base, defence);
  }
}

/** Whether the run's step measures a probe of training images after each epoch (the worker builds one only then). */
export function needsGuardProbe(config: Pick<RunConfig, 'role' | 'defence'>): boolean {
  const d = runDefence(config);
  return d.method === 'fast-at' && d.overfitGuard;
}
