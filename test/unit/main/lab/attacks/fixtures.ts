// Test fixtures for attacks: real MNIST digits from the `mnist` package and small classifiers trained on them here.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface Digits {
  /** uint8 NHWC pixels, as the lab's data cache stores them. */
  pixels: Uint8Array;
  labels: Int32Array;
  shape: [number, number, number, number];
}

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const digitFiles = new Map<number, number[]>();

function rawDigits(d: number): number[] {
  let raw = digitFiles.get(d);
  if (raw === undefined) {
    const dir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
    raw = (JSON.parse(readFileSync(join(dir, `${d}.json`), 'utf8')) as { data: number[] }).data;
    digitFiles.set(d, raw);
  }
  return raw;
}

/** `perClass` digits of each class starting at sample `offset`, interleaved 0,1,…,9,0,1,… (deterministic). */
export function mnistDigits(perClass: number, offset: number): Digits {
  const count = perClass * 10;
  const pixels = new Uint8Array(count * PIXELS);
  const labels = new Int32Array(count);
  for (let k = 0; k < perClass; k++) {
    for (let d = 0; d < 10; d++) {
      const row = k * 10 + d;
      const raw = rawDigits(d);
      const from = (offset + k) * PIXELS;
      for (let i = 0; i < PIXELS; i++) pixels[row * PIXELS + i] = Math.round(raw[from + i]! * 255);
      labels[row] = d;
    }
  }
  return { pixels, labels, shape: [count, SIDE, SIDE, 1] };
}

/** The digits as a float32 [n, 28, 28, 1] tensor in [0, 1] (the caller disposes it). */
export function digitsTensor(d: Digits): tf.Tensor4D {
  return tf.tidy(() => tf.tensor4d(d.pixels, d.shape, 'int32').toFloat().div(255) as tf.Tensor4D);
}

/** A small softmax classifier (dense or conv), trained briefly on `train`; weights depend only on `seed`. */
export async function trainedModel(train: Digits, seed: number, kind: 'dense' | 'conv' = 'dense', epochs = 6): Promise<tf.LayersModel> {
  const init = (s: number) => tf.initializers.glorotUniform({ seed: s });
  const model = tf.sequential();
  if (kind === 'conv') {
    model.add(tf.layers.conv2d({ inputShape: [SIDE, SIDE, 1], filters: 8, kernelSize: 5, strides: 2, activation: 'relu', kernelInitializer: init(seed) }));
    model.add(tf.layers.flatten());
  } else {
    model.add(tf.layers.flatten({ inputShape: [SIDE, SIDE, 1] }));
    model.add(tf.layers.dense({ units: 32, activation: 'relu', kernelInitializer: init(seed) }));
  }
  model.add(tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(seed + 1) }));
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'sparseCategoricalCrossentropy' });
  const x = digitsTensor(train);
  const y = tf.tensor1d(train.labels, 'float32');
  await model.fit(x, y, { epochs, batchSize: 32, shuffle: false, verbose: 0 });
  tf.dispose([x, y]);
  return model;
}

/** Fraction of `d` that `model` classifies correctly, computed directly with model.predict. */
export function cleanAccuracy(model: tf.LayersModel, d: Digits): number {
  const predicted = tf.tidy(() => {
    const x = digitsTensor(d);
    return Array.from((model.predict(x) as tf.Tensor).argMax(1).dataSync());
  });
  return predicted.reduce((s, p, i) => s + (p === d.labels[i] ? 1 : 0), 0) / d.labels.length;
}

/** Per-example max |δ| and l2 norm of δ = adversarial − clean. */
export function perturbationNorms(adversarial: tf.Tensor4D, clean: tf.Tensor4D): { linf: Float32Array; l2: Float32Array } {
  return tf.tidy(() => {
    const delta = tf.sub(adversarial, clean);
    return {
      linf: tf.max(tf.abs(delta), [1, 2, 3]).dataSync() as Float32Array,
      l2: tf.sqrt(tf.sum(tf.square(delta), [1, 2, 3])).dataSync() as Float32Array,
    };
  });
}
