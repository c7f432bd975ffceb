// Turns example indices into training batches: image tensors [b, h, w, 1] in [0, 1] and int32 labels.
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../../../shared/errors';
import { type ImageDataset } from './dataset';
import { checkSeed, deriveSeed, mulberry32, shuffleInPlace } from './random';

// byte → float once, so building a batch is a table lookup per pixel instead of a division.
const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, i) => i / 255);
const TAG_EPOCH = 0x45504f43;

export type BatchSource = Pick<ImageDataset, 'count' | 'height' | 'width' | 'images' | 'labels'>;

export interface BatchOptions {
  /** Shuffle the indices with this seed before batching; omitted keeps the given order. */
  shuffleSeed?: number;
  /** Epoch number (integer ≥ 0, default 0): each epoch has its own order for the same shuffleSeed. */
  epoch?: number;
  /** Leave out a last batch smaller than batchSize (default false). */
  dropRemainder?: boolean;
}

export interface Batch {
  /** [b, height, width, 1] float32 in [0, 1]. */
  image: tf.Tensor4D;
  /** [b] int32 class indices. */
  label: tf.Tensor1D;
  /** Which examples the batch holds, in batch order. */
  indices: Uint32Array;
}

/** The order in which `batches` visits `indices` for these options (a copy; `indices` is not changed). */
export function batchOrder(indices: ArrayLike<number>, options: BatchOptions = {}): Uint32Array {
  const order = Uint32Array.from(indices);
  if (options.shuffleSeed !== undefined) {
    checkSeed(options.shuffleSeed, 'shuffleSeed');
    const epoch = options.epoch ?? 0;
    if (!Number.isSafeInteger(epoch) || epoch < 0) throw new LabError('invalid_argument', `epoch must be an integer ≥ 0 (got ${String(epoch)})`, 'epoch');
    shuffleInPlace(order, mulberry32(deriveSeed(options.shuffleSeed, TAG_EPOCH, epoch)));
  }
  return order;
}

/** Number of batches `batches` yields for n examples. */
export function batchCount(n: number, batchSize: number, dropRemainder = false): number {
  return dropRemainder ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
}

/**
 * Yields batches over `indices`. Tensors are made lazily, one batch per step, and belong to the
 * caller, who disposes them (stopping early leaks nothing that was not yielded).
 */
export function* batches(ds: BatchSource, indices: ArrayLike<number>, batchSize: number, options: BatchOptions = {}): Generator<Batch, void, undefined> {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new LabError('invalid_argument', `batchSize must be an integer ≥ 1 (got ${String(batchSize)})`, 'batchSize');
  }
  const order = batchOrder(indices, options);
  checkIndices(ds, order);
  const n = batchCount(order.length, batchSize, options.dropRemainder ?? false);
  for (let b = 0; b < n; b++) {
    const slice = order.subarray(b * batchSize, Math.min(order.length, (b + 1) * batchSize));
    yield { image: gatherImages(ds, slice), label: gatherLabels(ds, slice), indices: slice.slice() };
  }
}

/** Images of the given examples as one [n, h, w, 1] float32 tensor in [0, 1] (one tensor call, no intermediates). */
export function gatherImages(ds: BatchSource, indices: ArrayLike<number>): tf.Tensor4D {
  const pixels = ds.height * ds.width;
  const out = new Float32Array(indices.length * pixels);
  for (let k = 0; k < indices.length; k++) {
    const start = indices[k]! * pixels;
    const src = ds.images.subarray(start, start + pixels);
    const base = k * pixels;
    for (let p = 0; p < pixels; p++) out[base + p] = BYTE_TO_UNIT[src[p]!]!;
  }
  return tf.tensor4d(out, [indices.length, ds.height, ds.width, 1], 'float32');
}

/** Labels of the given examples as a [n] int32 tensor. */
export function gatherLabels(ds: BatchSource, indices: ArrayLike<number>): tf.Tensor1D {
  const out = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) out[k] = ds.labels[indices[k]!]!;
  return tf.tensor1d(out, 'int32');
}

function checkIndices(ds: BatchSource, indices: Uint32Array): void {
  for (let i = 0; i < indices.length; i++) {
    if (indices[i]! >= ds.count) {
      throw new LabError('invalid_argument', `indices must be < ${ds.count}, the number of examples (got ${indices[i]} at position ${i})`, 'indices');
    }
  }
}
