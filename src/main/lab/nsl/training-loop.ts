// The epoch loop around a train step: batch and epoch callbacks, validation, cancellation, bulk metric reads.
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../../../shared/errors';
import { type Batch, type BatchSource, METRIC_NAMES, MetricMeans, type MetricValues, type StepMetrics } from './metrics';

/** Epoch logs: the epoch's weighted means, plus `val_<name>` when validation batches are given. */
export type EpochLogs = Record<string, number>;

export interface FitCallbacks {
  onEpochBegin?(epoch: number): void | Promise<void>;
  /** After every batch: that batch's metrics and its size. */
  onBatchEnd?(batch: number, logs: MetricValues, size: number): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: EpochLogs): void | Promise<void>;
}

export interface FitArgs {
  /** Number of epochs (integer >= 1). */
  epochs: number;
  /** A fresh pass over the training data for each epoch (shuffle inside if wanted). */
  batches: (epoch: number) => BatchSource;
  /** A pass over held-out data, evaluated after each epoch. */
  validationBatches?: () => BatchSource;
  callbacks?: FitCallbacks;
  /** Aborting stops before the next batch; fit then rejects with a LabError of code 'cancelled'. */
  signal?: AbortSignal;
  /** fit owns the batches it is handed and disposes them after use (default true). */
  disposeBatches?: boolean;
}

/** Keras-style history: one entry per finished epoch. */
export interface History {
  epoch: number[];
  history: Record<string, number[]>;
}

export interface Steppable {
  trainStep(batch: Batch): StepMetrics;
  evaluateStep(batch: Batch): StepMetrics;
}

/** Reads all metric scalars with one device read and disposes them. */
export async function readMetrics(metrics: StepMetrics): Promise<MetricValues> {
  const packed = tf.stack(METRIC_NAMES.map((n) => metrics[n]));
  tf.dispose(Object.values(metrics));
  try {
    const data = await packed.data();
    const out = {} as MetricValues;
    METRIC_NAMES.forEach((n, i) => {
      out[n] = data[i]!;
    });
    return out;
  } finally {
    packed.dispose();
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new LabError('cancelled', 'training was cancelled');
}

function disposeBatch(batch: Batch, dispose: boolean): void {
  if (dispose) tf.dispose([batch.image, batch.label, ...(batch.weight === undefined ? [] : [batch.weight])]);
}

/** Runs one metric function over every batch and returns the sample-weighted means. */
export async function evaluateBatches(step: (b: Batch) => StepMetrics, batches: BatchSource, options: { disposeBatches?: boolean; signal?: AbortSignal } = {}): Promise<MetricValues> {
  const dispose = options.disposeBatches ?? true;
  const means = new MetricMeans();
  for await (const batch of batches) {
    try {
      throwIfAborted(options.signal);
      const size = batch.image.shape[0]!;
      means.add(await readMetrics(step(batch)), size);
    } finally {
      disposeBatch(batch, dispose);
    }
  }
  if (means.size === 0) throw new LabError('invalid_argument', 'no batches to evaluate', 'batches');
  return means.result();
}

/** Trains for args.epochs epochs; metrics are read once per batch, after the step, never inside it. */
export async function runFit(model: Steppable, args: FitArgs): Promise<History> {
  if (!Number.isInteger(args.epochs) || args.epochs < 1) throw new LabError('invalid_argument', `epochs must be an integer >= 1 (got ${args.epochs})`, 'epochs');
  const dispose = args.disposeBatches ?? true;
  const cb = args.callbacks ?? {};
  const history: History = { epoch: [], history: {} };
  for (let epoch = 0; epoch < args.epochs; epoch++) {
    throwIfAborted(args.signal);
    await cb.onEpochBegin?.(epoch);
    const means = new MetricMeans();
    let index = 0;
    for await (const batch of args.batches(epoch)) {
      let values: MetricValues;
      const size = batch.image.shape[0]!;
      try {
        throwIfAborted(args.signal);
        values = await readMetrics(model.trainStep(batch));
      } finally {
        disposeBatch(batch, dispose);
      }
      means.add(values, size);
      await cb.onBatchEnd?.(index++, values, size);
    }
    if (means.size === 0) throw new LabError('invalid_argument', `epoch ${epoch} had no batches`, 'batches');
    const logs: EpochLogs = { ...means.result() };
    if (args.validationBatches !== undefined) {
      const val = await evaluateBatches((b) => model.evaluateStep(b), args.validationBatches(), { disposeBatches: dispose, ...(args.signal ? { signal: args.signal } : {}) });
      for (const name of METRIC_NAMES) logs[`val_${name}`] = val[name];
    }
    history.epoch.push(epoch);
    for (const [name, v] of Object.entries(logs)) (history.history[name] ??= []).push(v);
    await cb.onEpochEnd?.(epoch, logs);
  }
  return history;
}
