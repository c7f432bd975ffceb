// Builds the classifiers of the NSL MNIST tutorial (CNN) and a plain MLP from HParams, with Keras default initialisers.
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../../../shared/errors';
import { TUTORIAL_HPARAMS as PRESET_HPARAMS } from '../../../shared/presets';

/** Architecture hyperparameters; the shared zod schema produces exactly this shape. */
export interface ModelHParams {
  /** 'cnn': conv/pool stack then dense layers; 'mlp': dense layers only. */
  model: 'cnn' | 'mlp';
  /** Per-example input shape, channels last: [height, width, channels]. */
  inputShape: [number, number, number];
  /** Size of the softmax output. */
  numClasses: number;
  /** Filters of each Conv2D layer (cnn only); a max-pool follows every conv except the last. */
  convFilters: number[];
  /** Square kernel size of every Conv2D layer (cnn only). */
  kernelSize: number;
  /** Square pool size (and stride) of every max-pool layer (cnn only). */
  poolSize: number;
  /** Units of each hidden Dense layer (relu), in order. */
  numFcUnits: number[];
}

/** The architecture of the NSL adversarial MNIST tutorial (the mnist-tutorial preset): 93,322 parameters. */
export const TUTORIAL_HPARAMS: Readonly<ModelHParams> = Object.freeze({
  model: PRESET_HPARAMS.model,
  inputShape: [...PRESET_HPARAMS.inputShape] as [number, number, number],
  numClasses: PRESET_HPARAMS.numClasses,
  convFilters: [...PRESET_HPARAMS.convFilters],
  kernelSize: PRESET_HPARAMS.kernelSize,
  poolSize: PRESET_HPARAMS.poolSize,
  numFcUnits: [...PRESET_HPARAMS.numFcUnits],
});

/** Name of the model's input; NSL feeds features by this key. */
export const INPUT_NAME = 'image';

function positiveInt(v: number, field: string): void {
  if (!Number.isInteger(v) || v < 1) throw new LabError('invalid_argument', `${field} must be an integer >= 1 (got ${v})`, field);
}

function checkHParams(h: ModelHParams): void {
  if (h.model !== 'cnn' && h.model !== 'mlp') throw new LabError('invalid_argument', `model must be 'cnn' or 'mlp' (got ${String(h.model)})`, 'model');
  if (!Array.isArray(h.inputShape) || h.inputShape.length !== 3) throw new LabError('invalid_argument', 'inputShape must be [height, width, channels]', 'inputShape');
  h.inputShape.forEach((d) => positiveInt(d, 'inputShape'));
  positiveInt(h.numClasses, 'numClasses');
  h.numFcUnits.forEach((u) => positiveInt(u, 'numFcUnits'));
  if (h.model === 'mlp') return;
  if (h.convFilters.length === 0) throw new LabError('invalid_argument', 'convFilters must list at least one conv layer for a cnn', 'convFilters');
  h.convFilters.forEach((f) => positiveInt(f, 'convFilters'));
  positiveInt(h.kernelSize, 'kernelSize');
  positiveInt(h.poolSize, 'poolSize');
  // 'valid' padding shrinks the map at every conv and pool: reject stacks that run out of pixels.
  let [height, width] = h.inputShape;
  h.convFilters.forEach((_, i) => {
    height -= h.kernelSize - 1;
    width -= h.kernelSize - 1;
    if (height < 1 || width < 1) throw new LabError('invalid_argument', `conv layer ${i} has no output: the ${h.inputShape[0]}x${h.inputShape[1]} input is too small for ${h.convFilters.length} convs of kernelSize ${h.kernelSize} and poolSize ${h.poolSize}`, 'convFilters');
    if (i < h.convFilters.length - 1) {
      height = Math.floor(height / h.poolSize);
      width = Math.floor(width / h.poolSize);
      if (height < 1 || width < 1) throw new LabError('invalid_argument', `max-pool ${i} has no output: lower poolSize (${h.poolSize}) or use fewer conv layers`, 'poolSize');
    }
  });
}

/**
 * Builds an uncompiled functional model. Layer names are stable: conv2d_i, max_pooling2d_i, flatten,
 * dense_i (hidden), dense_out (softmax). Kernels are glorotUniform and biases zero, as Keras does; with a
 * seed, layer k's kernel uses seed + k so the same seed always gives the same weights.
 */
export function buildModel(h: ModelHParams, seed?: number): tf.LayersModel {
  checkHParams(h);
  if (seed !== undefined && !Number.isFinite(seed)) throw new LabError('invalid_argument', `seed must be a finite number (got ${seed})`, 'seed');
  let layerIndex = 0;
  const kernelInitializer = (): ReturnType<typeof tf.initializers.glorotUniform> => tf.initializers.glorotUniform(seed === undefined ? {} : { seed: seed + layerIndex++ });
  const biasInitializer = 'zeros' as const;

  const input = tf.input({ shape: h.inputShape, dtype: 'float32', name: INPUT_NAME });
  let x = input;
  if (h.model === 'cnn') {
    h.convFilters.forEach((filters, i) => {
      x = tf.layers.conv2d({ name: `conv2d_${i}`, filters, kernelSize: h.kernelSize, activation: 'relu', kernelInitializer: kernelInitializer(), biasInitializer }).apply(x) as tf.SymbolicTensor;
      if (i < h.convFilters.length - 1) x = tf.layers.maxPooling2d({ name: `max_pooling2d_${i}`, poolSize: h.poolSize }).apply(x) as tf.SymbolicTensor;
    });
  }
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  h.numFcUnits.forEach((units, i) => {
    x = tf.layers.dense({ name: `dense_${i}`, units, activation: 'relu', kernelInitializer: kernelInitializer(), biasInitializer }).apply(x) as tf.SymbolicTensor;
  });
  const output = tf.layers.dense({ name: 'dense_out', units: h.numClasses, activation: 'softmax', kernelInitializer: kernelInitializer(), biasInitializer }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: h.model === 'cnn' ? 'cnn' : 'mlp' });
}
