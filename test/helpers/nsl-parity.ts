// Loads test/fixtures/nsl-parity.json (made by scripts/fixtures/nsl_parity.py with TensorFlow 2.21) into tensors.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';

interface F32Entry {
  name: string;
  shape: number[];
  f32: string;
}

export interface ParityConfig {
  advGradNorm: 'l2' | 'l1' | 'infinity';
  advStepSize: number;
  clipValueMin: number;
  clipValueMax: number;
  pgdIterations: number;
  pgdEpsilon?: number;
  multiplier?: number;
}

export interface ParityFixture {
  versions: Record<string, string>;
  hparams: { model: 'cnn'; inputShape: [number, number, number]; numClasses: number; convFilters: number[]; kernelSize: number; poolSize: number; numFcUnits: number[] };
  weights: F32Entry[];
  batch: { shape: number[]; image_f32: string; label: number[] };
  logits: number[];
  probs: number[];
  labeled_loss: number;
  input_grad: number[];
  multiplier: number;
  perturbed: Record<'l2' | 'infinity' | 'l1' | 'pgd_infinity', { config: ParityConfig; image: number[]; adversarial_loss: number; total_loss: number }>;
  train_step: { config: ParityConfig & { multiplier: number }; metrics: Record<string, number>; weight_grads: F32Entry[] };
}

export const PARITY_PATH = fileURLToPath(new URL('../fixtures/nsl-parity.json', import.meta.url));

export function loadParityFixture(): ParityFixture {
  return JSON.parse(readFileSync(PARITY_PATH, 'utf8')) as ParityFixture;
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
