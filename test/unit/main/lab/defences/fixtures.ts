// Small real models and MNIST batches for the defence steps' tests (the attack tests' digits and trained classifiers).
import * as tf from '@tensorflow/tfjs';
import { type TrainProgress } from '../../../../../src/main/lab/defences/training-step';
import { buildModel } from '../../../../../src/main/lab/models/builders';
import { type Batch } from '../../../../../src/main/lab/nsl/metrics';
import { HParamsSchema } from '../../../../../src/shared/schemas';
import { digitsTensor, mnistDigits } from '../attacks/fixtures';

/** The lab's own tiny CNN (the worker tests' architecture), seeded. */
export function tinyCnn(seed = 5): tf.LayersModel {
  return buildModel(HParamsSchema.parse({ convFilters: [4], numFcUnits: [8], epochs: 1, batchSize: 32 }), seed);
}

/** `perClass` real digits of each class as a float32 batch (the caller disposes it). */
export function digitBatch(perClass: number, offset: number): Batch {
  const d = mnistDigits(perClass, offset);
  return { image: digitsTensor(d), label: tf.tensor1d(d.labels, 'int32') };
}

export function disposeBatch(b: Batch): void {
  tf.dispose([b.image, b.label, ...(b.weight === undefined ? [] : [b.weight])]);
}

export function progressAt(epoch: number, batch: number, batchesPerEpoch = 4, epochs = 3): TrainProgress {
  return { epoch, batch, batchesPerEpoch, epochs, step: epoch * batchesPerEpoch + batch };
}

/** Copies of the model's weights (the caller disposes them). */
export function weightsOf(model: tf.LayersModel): tf.Tensor[] {
  return model.getWeights().map((w) => w.clone());
}

export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}
