// The data and model a job starts from: the run's deterministic train/test split and its initial (or saved) model.
import * as tf from '@tensorflow/tfjs';
import { type RunConfig } from '../../../shared/contract';
import { splitSeedOf } from '../../../shared/seeds';
import { type ImageDataset } from '../data/dataset';
import { loadDataset } from '../data/catalog';
import { checkHParamsFitDataset } from '../data/model-fit';
import { splitDataset, type DatasetSplit } from '../data/split';
import { buildModel } from '../models/builders';
import { importTfjsModel } from '../models/import-tfjs';
import { FlatAdam } from '../nsl/flat-adam';

import { type TestSet } from './evaluations';
import { testSetOf } from './test-set';

export interface RunData {
  dataset: ImageDataset;
  split: DatasetSplit;
  test: TestSet;
}

/** Loads the run's dataset from the cache and splits it by the experiment's split seed (same seed → same examples, same order). */
export async function loadRunData(config: RunConfig, cacheDir: string): Promise<RunData> {
  const dataset = await loadDataset(config.data.dataset, { cacheDir });
  checkHParamsFitDataset(dataset, config.hparams);
  const split = splitDataset(dataset, { trainSize: config.data.trainSize, testSize: config.data.testSize, seed: splitSeedOf(config) });
  return { dataset, split, test: testSetOf(dataset, split.test, splitSeedOf(config)) };
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
