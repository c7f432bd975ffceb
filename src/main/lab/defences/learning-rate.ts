// Sets the step size of the run's optimizer between updates (learning-rate schedules such as Fast-AT's cyclic rate).
import type * as tf from '@tensorflow/tfjs';
import { type RunConfig } from '../../../shared/contract';
import { runDefence } from '../../../shared/defences';
import { LabError } from '../../../shared/errors';
import { scheduledLearningRate } from '../../../shared/lr-schedule';
import { FlatAdam } from '../nsl/flat-adam';

interface HasSetter {
  setLearningRate(lr: number): void;
}

function hasSetter(o: tf.Optimizer): o is tf.Optimizer & HasSetter {
  return typeof (o as Partial<HasSetter>).setLearningRate === 'function';
}

/** FlatAdam (the lab's Adam) and tfjs' SGD (and momentum) take a new rate; any other optimizer is refused. */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  if (FlatAdam.isFlatAdam(optimizer) || hasSetter(optimizer)) {
    optimizer.setLearningRate(learningRate);
    return;
  }
  throw new LabError('unsupported', `a learning-rate schedule needs the adam or sgd optimizer (the run uses ${optimizer.getClassName()})`, 'hparams.optimizer');
}

/**
 * The rate the run's step decay sets at the start of 0-based epoch `epoch`, or undefined where the run keeps its rate
 * as it is: no milestones, or Fast-AT's cyclic rate, which sets its own every step.
 */
export function epochLearningRate(config: Pick<RunConfig, 'role' | 'defence' | 'hparams'>, epoch: number): number | undefined {
  const h = config.hparams;
  if ((h.lrMilestones ?? []).length === 0) return undefined;
  const d = runDefence(config);
  if (d.method === 'fast-at' && d.cyclicLr) return undefined;
  return scheduledLearningRate(h, epoch);
}
