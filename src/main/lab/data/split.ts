// Deterministic train/test index sets for a dataset, fixed by a seed.
import { LabError } from '../../../shared/errors';
import { type ImageDataset } from './dataset';
import { checkSeed, deriveSeed, seededPermutation } from './random';

export const DEFAULT_TRAIN_SIZE = 8000;
export const DEFAULT_TEST_SIZE = 2000;

// Purpose tags keep the split's random stream apart from batch shuffling with the same user seed.
const TAG_POOL = 0x53504c54;
const TAG_TRAIN_PART = 0x54524e50;
const TAG_TEST_PART = 0x54535450;

export interface SplitOptions {
  /** Number of training examples; default 8,000, capped at 80% of a smaller pool (or at the official training part). */
  trainSize?: number;
  /** Number of test examples; default 2,000, capped at what the training part leaves (or at the official test part). */
  testSize?: number;
  /** Any integer; the same seed gives the same split. */
  seed: number;
}

/** Example indices into the dataset, in a seeded random order; train and test never share an example. */
export interface DatasetSplit {
  train: Uint32Array;
  test: Uint32Array;
}

/**
 * Splits a dataset deterministically.
 * A pool (no predefined split) is permuted once: train is the head of the permutation and test its tail,
 * so for one seed the test set stays the same whatever trainSize is, and runs with different training
 * budgets are scored on the same examples.
 * A dataset with an official split draws train only from its training part and test only from its test part.
 */
export function splitDataset(ds: Pick<ImageDataset, 'id' | 'count' | 'predefinedSplit'>, options: SplitOptions): DatasetSplit {
  const { seed } = options;
  checkSeed(seed);
  checkSize(options.trainSize, 'trainSize', 1);
  checkSize(options.testSize, 'testSize', 0);
  return ds.predefinedSplit ? splitPredefined(ds.id, ds.predefinedSplit, options) : splitPool(ds.id, ds.count, options);
}

function splitPool(id: string, count: number, { trainSize, testSize, seed }: SplitOptions): DatasetSplit {
  const train = trainSize ?? Math.max(1, Math.min(DEFAULT_TRAIN_SIZE, Math.floor(0.8 * count), count - (testSize ?? 0)));
  const test = testSize ?? Math.max(0, Math.min(DEFAULT_TEST_SIZE, count - train));
  if (train + test > count) {
    throw new LabError('invalid_argument', `trainSize + testSize must be ≤ ${count}, the number of examples in "${id}" (got ${train} + ${test})`, trainSize === undefined ? 'testSize' : 'trainSize');
  }
  const perm = seededPermutation(count, deriveSeed(seed, TAG_POOL));
  return { train: perm.slice(0, train), test: perm.slice(count - test) };
}

function splitPredefined(id: string, parts: { train: number; test: number }, { trainSize, testSize, seed }: SplitOptions): DatasetSplit {
  const train = trainSize ?? Math.min(DEFAULT_TRAIN_SIZE, parts.train);
  const test = testSize ?? Math.min(DEFAULT_TEST_SIZE, parts.test);
  if (train > parts.train) {
    throw new LabError('invalid_argument', `trainSize must be ≤ ${parts.train}, the size of the official training part of "${id}" (got ${train})`, 'trainSize');
  }
  if (test > parts.test) {
    throw new LabError('invalid_argument', `testSize must be ≤ ${parts.test}, the size of the official test part of "${id}" (got ${test})`, 'testSize');
  }
  const trainIdx = seededPermutation(parts.train, deriveSeed(seed, TAG_TRAIN_PART)).slice(0, train);
  const testIdx = seededPermutation(parts.test, deriveSeed(seed, TAG_TEST_PART)).slice(0, test);
  for (let i = 0; i < testIdx.length; i++) testIdx[i]! += parts.train;
  return { train: trainIdx, test: testIdx };
}

function checkSize(value: number | undefined, field: string, min: number): void {
  if (value === undefined) return;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new LabError('invalid_argument', `${field} must be an integer ≥ ${min} (got ${String(value)})`, field);
  }
}
