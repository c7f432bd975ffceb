// Loads test/fixtures/nsl-parity.json (scripts/fixtures/nsl_parity.py: NSL 1.4.0's own code on TensorFlow 2.21).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { type ModelHParams, buildModel } from '../../src/main/lab/models/builders';
import { type RandomStart } from '../../src/main/lab/nsl/neighbors';
import { type AdvRegConfig } from '../../src/shared/schemas';

interface F32Entry {
  name: string;
  shape: number[];
  f32: string;
}

export interface ParityMetrics {
  loss: number;
  sparse_categorical_crossentropy: number;
  scaled_adversarial_loss: number;
  sparse_categorical_accuracy: number;
}

/** NSL's recorded random start: the radius and norm NSL asked for and the draw random_in_norm_ball returned. */
export interface ParityDraw {
  radius: number;
  norm: 'l2' | 'l1' | 'infinity';
  f32: string;
}

export interface ParityCase {
  /** The config NSL's make_adv_reg_config built, defaults filled, in the lab's field names. */
  config: AdvRegConfig;
  /** Whether the batch's sample weights were used. */
  weighted: boolean;
  metrics: ParityMetrics;
  /** The unweighted cross-entropy of each example's neighbour. */
  adversarial_loss_per_example: number[];
  random_draw?: ParityDraw;
  /** The neighbour (neighbour cases). */
  image_f32?: string;
  /** Weight gradients of the total loss (train-step cases), in the model's weight order. */
  weight_grads?: F32Entry[];
}

export interface ParityFixture {
  versions: Record<string, string>;
  hparams: ModelHParams;
  output: 'logits';
  training: { data: string; trainSize: number; epochs: number; trainAccuracy: number; heldOutAccuracy: number };
  nsl_defaults: AdvRegConfig;
  weights: F32Entry[];
  batch: { shape: [number, number, number, number]; image_f32: string; label: number[]; sample_weight: number[] };
  forward: { logits_f32: string; labeled_loss: number; input_grad_f32: string; p_label: number[]; input_grad_norm: number[] };
  neighbors: Record<string, ParityCase>;
  train_steps: Record<string, ParityCase>;
}

export const PARITY_PATH = fileURLToPath(new URL('../fixtures/nsl-parity.json', import.meta.url));

let cached: ParityFixture | undefined;

export function loadParityFixture(): ParityFixture {
  cached ??= JSON.parse(readFileSync(PARITY_PATH, 'utf8')) as ParityFixture;
  return cached;
}

/** Decodes a little-endian float32 base64 string. */
export function decodeF32(b64: string): Float32Array {
  const buf = Buffer.from(b64, 'base64');
  const out = new Float32Array(buf.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
}

export function f32Tensor(entry: { shape: number[]; f32: string }): tf.Tensor {
  return tf.tensor(decodeF32(entry.f32), entry.shape, 'float32');
}

/**
 * The fixture's trained tutorial CNN. 'logits': the tutorial's model (last Dense without activation), built with
 * tf.layers like the notebook's build_base_model; 'softmax': the lab's builder (last Dense with softmax) holding the
 * same weights. Both must give NSL's numbers, since every loss is computed from logits.
 */
export function parityModel(fx: ParityFixture, output: 'logits' | 'softmax'): tf.LayersModel {
  let model: tf.LayersModel;
  if (output === 'softmax') model = buildModel(fx.hparams, 1);
  else {
    const h = fx.hparams;
    const input = tf.input({ shape: h.inputShape, name: 'image' });
    let x = input;
    h.convFilters.forEach((filters, i) => {
      x = tf.layers.conv2d({ filters, kernelSize: h.kernelSize, activation: 'relu' }).apply(x) as tf.SymbolicTensor;
      if (i < h.convFilters.length - 1) x = tf.layers.maxPooling2d({ poolSize: h.poolSize }).apply(x) as tf.SymbolicTensor;
    });
    x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
    for (const units of h.numFcUnits) x = tf.layers.dense({ units, activation: 'relu' }).apply(x) as tf.SymbolicTensor;
    model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: h.numClasses }).apply(x) as tf.SymbolicTensor });
  }
  const weights = fx.weights.map(f32Tensor);
  model.setWeights(weights);
  tf.dispose(weights);
  return model;
}

/** A random-start hook that replays NSL's draw and records the radius and norm it was asked for. */
export function replayDraw(draw: ParityDraw, shape: number[]): { randomStart: RandomStart; calls: { radius: number; norm: string }[] } {
  const values = decodeF32(draw.f32);
  const calls: { radius: number; norm: string }[] = [];
  return {
    calls,
    randomStart: (like, radius, norm) => {
      calls.push({ radius, norm });
      return like.map(() => tf.tensor(values, shape, 'float32'));
    },
  };
}

/** Largest absolute difference between a tensor (or its values) and expected values. */
export function maxAbsDiff(actual: tf.Tensor | ArrayLike<number>, expected: ArrayLike<number>): number {
  const a = actual instanceof tf.Tensor ? actual.dataSync() : actual;
  if (a.length !== expected.length) throw new Error(`size ${a.length} ≠ expected ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - expected[i]!));
  return worst;
}
