// The data and model a job starts from: the run's deterministic train/test split and its initial (or saved) model.
import * as tf from '@tensorflow/tfjs';
import { type RunConfig } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { splitSeedOf } from '../../../shared/seeds';
import { type ImageDataset } from '../data/dataset';
import { loadDataset } from '../data/catalog';
import { splitDataset, type DatasetSplit } from '../data/split';
import { buildModel } from '../models/builders';
import { importTfjsModel } from '../models/import-tfjs';
import { FlatAdam } from '../nsl/flat-adam';
import { type TestSet } from './evaluations';
import { subsetOf } from './test-subset';

export interface RunData {
  dataset: ImageDataset;
  split: DatasetSplit;
  test: TestSet;
}

/** Loads the run's dataset from the cache and splits it by the experiment's split seed (same seed → same examples, same order). */
export async function loadRunData(config: RunConfig, cacheDir: string): Promise<RunData> {
  const dataset = await loadDataset(config.data.dataset, { cacheDir });
  const [h, w, c] = config.hparams.inputShape;
  if (dataset.height !== h || dataset.width !== w || c !== 1) {
    throw new LabError('invalid_argument', `hparams.inputShape must be [${dataset.height}, ${dataset.width}, 1] for dataset ${dataset.id} (got [${h}, ${w}, ${c}])`, 'hparams.inputShape');
  }
  if (config.hparams.numClasses !== dataset.classNames.length) {
    throw new LabError('invalid_argument', `hparams.numClasses must be ${dataset.classNames.length} for dataset ${dataset.id} (got ${config.hparams.numClasses})`, 'hparams.numClasses');
  }
  const split = splitDataset(dataset, { trainSize: config.data.trainSize, testSize: config.data.testSize, seed: splitSeedOf(config) });
  return { dataset, split, test: testSetOf(dataset, split.test, splitSeedOf(config)) };
}

/** The test examples copied into one contiguous uint8 block, the form the attack module converts batch by batch. */
export function testSetOf(ds: ImageDataset, indices: Uint32Array, splitSeed: number): TestSet {
  const per = ds.height * ds.width;
  const pixels = new Uint8Array(indices.length * per);
  const labels = new Uint8Array(indices.length);
  indices.forEach((idx, k) => {
    pixels.set(ds.images.subarray(idx * per, (idx + 1) * per), k * per);
    labels[k] = ds.labels[idx]!;
  });
  return { images: { pixels, shape: [indices.length, ds.height, ds.width, 1] }, labels, classNames: [...ds.classNames], subset: subsetOf(ds.id, splitSeed, indices) };
}

/**
 * The untrained model: the builder's seeded weights (identical for base and adv), or the user's saved TF.js model
 * (checked against the dataset's image shape and classes by the model importer).
 */
export async function initialModel(config: RunConfig): Promise<tf.LayersModel> {
  if (config.baseModelPath === undefined) return buildModel(config.hparams, config.seed);
  return importTfjsModel(config.baseModelPath, { inputShape: config.hparams.inputShape, numClasses: config.hparams.numClasses });
}

/**
 * The optimizer the run's hparams name, with Keras' defaults (Adam: β 0.9/0.999, ε 1e-7) so runs match NSL's.
 * Adam is the NSL module's FlatAdam (same update, far fewer kernels); the service creates it here rather than
 * by name in compile() so the checkpoint code can save and restore its state.
 */
export function makeOptimizer(config: RunConfig): tf.Optimizer {
  const lr = config.hparams.learningRate;
  return config.hparams.optimizer === 'sgd' ? tf.train.sgd(lr) : new FlatAdam({ learningRate: lr, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
}
