// Test fixtures for model export/import: real MNIST digits from the lab's bundled sample, the lab's builders, and brief training.
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type RunConfig } from '../../../../../../src/shared/contract';
import { AdvRegSchema, DataSplitSchema, HParamsSchema } from '../../../../../../src/shared/schemas';
import { gatherImages, gatherLabels, loadDataset, splitDataset, type ImageDataset } from '../../../../../../src/main/lab/data/index';
import { buildModel, TUTORIAL_HPARAMS, type ModelHParams } from '../../../../../../src/main/lab/models/builders';
import { type ExportMeta } from '../../../../../../src/main/lab/models/export-meta';

export interface MnistFixture {
  dataset: ImageDataset;
  train: Uint32Array;
  /** 200 held-out test examples of the seed-0 split. */
  test: Uint32Array;
}

/** The bundled MNIST sample, converted into a private cache folder that `cleanup` removes. */
export async function mnistFixture(): Promise<MnistFixture & { cleanup: () => Promise<void> }> {
  const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'rlab-export-data-'));
  const dataset = await loadDataset({ kind: 'mnist-sample' }, { cacheDir });
  const { train, test } = splitDataset(dataset, { seed: 0, trainSize: 600, testSize: 200 });
  return { dataset, train, test, cleanup: () => rm(cacheDir, { recursive: true, force: true }) };
}

/** Images of `indices` as float32 NHWC in [0, 1] (the caller disposes). */
export function images(fx: MnistFixture, indices: Uint32Array): tf.Tensor4D {
  return gatherImages(fx.dataset, indices);
}

export const MLP_HPARAMS: ModelHParams = { ...TUTORIAL_HPARAMS, model: 'mlp', numFcUnits: [64] };

/** A lab model trained one epoch on 600 digits, so its predictions are decisive rather than near-uniform. */
export async function trainedLabModel(fx: MnistFixture, hparams: ModelHParams, seed = 1): Promise<tf.LayersModel> {
  const model = buildModel(hparams, seed);
  await trainBriefly(fx, model);
  return model;
}

export async function trainBriefly(fx: MnistFixture, model: tf.LayersModel): Promise<void> {
  model.compile({ optimizer: tf.train.adam(0.003), loss: 'sparseCategoricalCrossentropy' });
  const x = images(fx, fx.train);
  const y = gatherLabels(fx.dataset, fx.train).toFloat();
  try {
    await model.fit(x, y, { epochs: 1, batchSize: 32, shuffle: false, verbose: 0 });
  } finally {
    tf.dispose([x, y]);
  }
}

/** A complete ExportMeta as the service would pass it. */
export function exportMeta(hparams: ModelHParams = TUTORIAL_HPARAMS): ExportMeta {
  const training: RunConfig = {
    role: 'adv',
    hparams: HParamsSchema.parse({ ...hparams, epochs: 1 }),
    advReg: AdvRegSchema.parse({ multiplier: 0.2, advStepSize: 0.05, advGradNorm: 'infinity' }),
    data: DataSplitSchema.parse({ trainSize: 600, testSize: 200 }),
    seed: 1,
    attacks: [],
  };
  return {
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    run: { id: 'run_abc123', name: 'adv model', role: 'adv', experimentId: 'exp_xyz789', experimentName: 'export test' },
    training,
    cleanAccuracy: 0.9712,
    robustAccuracy: 0.6543,
    robustLabel: 'PGD-20 ∞ ε0.2',
  };
}

/** Largest |a − b| over two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Row-wise argmax of an [n, classes] matrix stored flat. */
export function argmaxRows(values: ArrayLike<number>, classes: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < values.length / classes; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (values[r * classes + c]! > values[r * classes + best]!) best = c;
    out.push(best);
  }
  return out;
}
