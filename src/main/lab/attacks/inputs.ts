// Image and label inputs for attacks: tf tensors or plain arrays (uint8 caches), validated and cut into float batches.
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../../../shared/errors';

/** Images as a flat NHWC array: uint8 in 0..255 (a data cache) or float32 already in [0, 1]. */
export interface PixelData {
  pixels: Float32Array | Uint8Array;
  /** [count, height, width, channels] */
  shape: readonly [number, number, number, number];
}

/** A float32 NHWC tensor in [0, 1], or pixel arrays converted batch by batch (so a whole test set never sits in memory twice). */
export type ImageInput = tf.Tensor4D | PixelData;
/** Class indices, one per image. */
export type LabelInput = tf.Tensor1D | ArrayLike<number>;

function fail(field: string, message: string): never {
  throw new LabError('invalid_argument', message, field);
}

/** Checks images and labels agree; returns the number of examples and the values per image. */
export function describeInputs(images: ImageInput, labels: LabelInput): { count: number; pixels: number; imageShape: [number, number, number] } {
  let shape: readonly number[];
  if (images instanceof tf.Tensor) {
    shape = images.shape;
    if (images.rank !== 4) fail('images', `images must be a rank-4 NHWC tensor (got rank ${images.rank})`);
    if (images.dtype !== 'float32') fail('images', `images must be float32 in [0, 1] (got ${images.dtype})`);
  } else {
    shape = images.shape;
    if (shape.length !== 4 || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail('images', `images.shape must be [count, height, width, channels] (got [${shape.join(', ')}])`);
    const size = shape.reduce((a, b) => a * b, 1);
    if (images.pixels.length !== size) fail('images', `images.pixels has ${images.pixels.length} values but shape [${shape.join(', ')}] needs ${size}`);
  }
  const [count, h, w, c] = shape as [number, number, number, number];
  const labelCount = labels instanceof tf.Tensor ? labels.shape[0] : labels.length;
  if (labels instanceof tf.Tensor && labels.rank !== 1) fail('labels', `labels must be a rank-1 tensor (got rank ${labels.rank})`);
  if (labelCount !== count) fail('labels', `labels has ${labelCount} entries but there are ${count} images`);
  return { count, pixels: h * w * c, imageShape: [h, w, c] };
}

/** Float32 [n, h, w, c] tensor of the images at `indices` (or the range [start, end)). The caller disposes it. */
export function imageBatch(images: ImageInput, start: number, end: number): tf.Tensor4D;
export function imageBatch(images: ImageInput, indices: readonly number[]): tf.Tensor4D;
export function imageBatch(images: ImageInput, a: number | readonly number[], b?: number): tf.Tensor4D {
  const indices = typeof a === 'number' ? null : a;
  if (images instanceof tf.Tensor) {
    if (indices === null) return images.slice([a as number, 0, 0, 0], [(b as number) - (a as number), -1, -1, -1]);
    return tf.tidy(() => tf.gather(images, tf.tensor1d(indices as number[], 'int32')));
  }
  const [, h, w, c] = images.shape;
  const per = h * w * c;
  const rows = indices ?? Array.from({ length: (b as number) - (a as number) }, (_, i) => (a as number) + i);
  const out = new Float32Array(rows.length * per);
  const src = images.pixels;
  // uint8 caches are scaled to [0, 1] here, one batch at a time
  const scale = src instanceof Uint8Array ? 1 / 255 : 1;
  rows.forEach((row, r) => {
    const from = row * per;
    for (let i = 0; i < per; i++) out[r * per + i] = src[from + i]! * scale;
  });
  return tf.tensor4d(out, [rows.length, h, w, c]);
}

/** Int32 [n] tensor of the labels at `indices` (or the range [start, end)). The caller disposes it. */
export function labelBatch(labels: LabelInput, start: number, end: number): tf.Tensor1D;
export function labelBatch(labels: LabelInput, indices: readonly number[]): tf.Tensor1D;
export function labelBatch(labels: LabelInput, a: number | readonly number[], b?: number): tf.Tensor1D {
  const rows = typeof a === 'number' ? Array.from({ length: (b as number) - a }, (_, i) => a + i) : a;
  if (labels instanceof tf.Tensor) return tf.tidy(() => tf.gather(labels.toInt(), tf.tensor1d(rows as number[], 'int32')) as tf.Tensor1D);
  return tf.tensor1d(Int32Array.from(rows, (row) => labels[row]!), 'int32');
}

/** Plain label values, for per-class bookkeeping without a round trip through the device. */
export async function labelValues(labels: LabelInput): Promise<Int32Array> {
  if (labels instanceof tf.Tensor) {
    const t = labels.toInt();
    const values = (await t.data()) as Int32Array;
    if (t !== labels) t.dispose();
    return Int32Array.from(values);
  }
  return Int32Array.from(labels);
}

/** Number of classes the model predicts (last dimension of its output). */
export function classCount(model: tf.LayersModel): number {
  const shape = model.outputs[0]?.shape;
  const n = shape?.[shape.length - 1];
  if (typeof n !== 'number' || n < 2) fail('model', `the model must output probabilities over at least 2 classes [batch, classes] (got shape [${String(shape)}])`);
  return n;
}
