// The one interface every defence trains through: the engine worker's epoch loop calls trainStep per batch and
// onEpochEnd after each epoch, whatever the method (standard, NSL, PGD-AT, TRADES, MART, Fast-AT).
import type * as tf from '@tensorflow/tfjs';
import { type Batch, type StepMetrics } from '../nsl/metrics';

/** Where training is when a step runs: what ε ramps and learning-rate schedules depend on. */
export interface TrainProgress {
  /** 0-based epoch of this batch. */
  epoch: number;
  /** 0-based index of this batch in its epoch. */
  batch: number;
  batchesPerEpoch: number;
  /** Total epochs of the run. */
  epochs: number;
  /** 0-based global step (batches trained before this one, resumed runs included). */
  step: number;
}

/** Fractional epochs done when the step starts (epoch + batch / batchesPerEpoch). */
export function epochsDone(p: TrainProgress): number {
  return p.epoch + p.batch / p.batchesPerEpoch;
}

/** What the loop does after an epoch; 'stop' ends training early, keeping the weights of epoch `keepEpoch` (1-based). */
export type EpochDecision = { action: 'continue' } | { action: 'stop'; keepEpoch: number; reason: string };

export interface TrainingStep {
  /**
   * One optimizer update on the batch. Metrics (the caller reads and disposes them): `loss` is what was minimised,
   * `sparse_categorical_crossentropy` and `sparse_categorical_accuracy` are on the clean batch, and
   * `scaled_adversarial_loss` is the adversarial term as it entered the loss (0 for standard training).
   */
  trainStep(batch: Batch, progress: TrainProgress): StepMetrics;
  /**
   * After an epoch's last batch, before its checkpoint is written (`epoch` 1-based), so the checkpoint holds the
   * state this decision left; `keepEpoch` is ≤ epoch, whose checkpoint the worker restores. Default: continue.
   */
  onEpochEnd?(epoch: number): Promise<EpochDecision>;
  /** State to keep in the epoch checkpoint so a resumed run decides as the uninterrupted one would (JSON). */
  state?(): unknown;
  restoreState?(state: unknown): void;
  dispose(): void;
}

/** What every step is built from: the model, the run's optimizer (the caller's to dispose), and the run's seed. */
export interface TrainingStepArgs {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  /** Seeds the step's random draws (random starts, noise); a step's draw uses seed + global step. */
  seed: number;
}
