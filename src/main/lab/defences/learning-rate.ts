// Sets the step size of the run's optimizer between updates (learning-rate schedules such as Fast-AT's cyclic rate).
import type * as tf from '@tensorflow/tfjs';
import { LabError } from '../../../shared/errors';
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
