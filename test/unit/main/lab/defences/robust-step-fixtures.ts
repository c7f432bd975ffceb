// Shared by the TRADES and MART step tests: real digits, training progress, SGD's expected update and a tiny training.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { type TrainingStep, type TrainProgress } from '../../../../../src/main/lab/defences/training-step';
import { trainableVariables } from '../../../../../src/main/lab/defences/weight-update';
import { type Batch, type MetricValues, METRIC_NAMES, type StepMetrics } from '../../../../../src/main/lab/nsl/metrics';
import { digitsTensor, mnistDigits } from '../attacks/fixtures';

/** `perClass` real digits of each class from sample `offset`, as one batch (the caller disposes). */
export function digitBatch(perClass: number, offset: number): Batch {
  const d = mnistDigits(perClass, offset);
  return { image: digitsTensor(d), label: tf.tensor1d(d.labels, 'int32') };
}

export function progressAt(epoch: number, batch: number, batchesPerEpoch: number, epochs: number): TrainProgress {
  return { epoch, batch, batchesPerEpoch, epochs, step: epoch * batchesPerEpoch + batch };
}

/** Reads and disposes a step's metrics. */
export function readMetrics(m: StepMetrics): MetricValues {
  expect(Object.keys(m).sort()).toEqual([...METRIC_NAMES].sort());
  const out = {} as MetricValues;
  for (const name of METRIC_NAMES) out[name] = m[name].dataSync()[0]!;
  tf.dispose(Object.values(m));
  return out;
}

/**
 * The weights after one SGD step of rate `lr` on `loss` (its gradient taken here, independently of the step under
 * test), and the loss value; the caller disposes the tensors.
 */
export function sgdExpectation(model: tf.LayersModel, lr: number, loss: () => tf.Scalar): { weights: tf.Tensor[]; loss: number } {
  const vars = trainableVariables(model);
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(loss, vars);
    const weights = vars.map((v) => tf.sub(v, tf.mul(grads[v.name]!, lr)));
    return { weights, loss: value.dataSync()[0]! };
  });
}

export function expectWeights(model: tf.LayersModel, expected: tf.Tensor[], tol: number): void {
  const vars = trainableVariables(model);
  expect(vars.length).toBe(expected.length);
  vars.forEach((v, i) => {
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(v, expected[i]!))).dataSync()[0]!);
    expect(diff, `weight ${v.name}`).toBeLessThanOrEqual(tol);
  });
}

/** Snapshot of the trainable weights (the caller disposes). */
export function weightsOf(model: tf.LayersModel): tf.Tensor[] {
  return trainableVariables(model).map((v) => v.clone());
}

/**
 * `epochs` epochs over `batches` with the step, metrics read after every step; numTensors after each step must equal
 * the count after the first (the optimizer's state is created then).
 */
export function trainEpochs(step: TrainingStep, batches: Batch[], epochs: number): MetricValues[] {
  const values: MetricValues[] = [];
  let afterFirst: number | undefined;
  for (let epoch = 0; epoch < epochs; epoch++) {
    batches.forEach((b, i) => {
      values.push(readMetrics(step.trainStep(b, progressAt(epoch, i, batches.length, epochs))));
      afterFirst ??= tf.memory().numTensors;
      expect(tf.memory().numTensors, `tensors after epoch ${epoch} batch ${i}`).toBe(afterFirst);
    });
  }
  return values;
}

/** Splits a batch into `size`-example batches (the caller disposes them). */
export function split(batch: Batch, size: number): Batch[] {
  const n = batch.image.shape[0]!;
  const out: Batch[] = [];
  for (let start = 0; start < n; start += size) {
    const count = Math.min(size, n - start);
    out.push({ image: batch.image.slice([start, 0, 0, 0], [count, -1, -1, -1]), label: batch.label.slice([start], [count]) as tf.Tensor1D });
  }
  return out;
}
