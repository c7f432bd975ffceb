// Another dataset's test split for an evaluation: the same rule for the host (checking before anything is stored) and
// the worker (loading the images), so both agree on which images are scored.
import { type DatasetSpec, type HParams } from '../../../shared/schemas';
import { LabError } from '../../../shared/errors';
import { loadDataset } from '../data/catalog';
import { type ImageDataset } from '../data/dataset';
import { splitDataset } from '../data/split';
import { type TestSet } from './evaluations';
import { type TestSource } from './protocol';
import { testSetOf } from './test-set';

export const datasetIdOf = (spec: DatasetSpec): string => (spec.kind === 'imported' ? spec.id : spec.kind);

/** How many test images the dataset can give: its official test part, or all but one image of a pool (one stays "train"). */
export function testCapacity(ds: Pick<ImageDataset, 'count' | 'predefinedSplit'>): number {
  return ds.predefinedSplit ? ds.predefinedSplit.test : ds.count - 1;
}

/**
 * The test indices: for a set with an official split, its test part permuted by the seed; for a pool, the tail of
 * the seeded permutation, so the run's own dataset, seed and test size give exactly the run's own test subset.
 */
export function testIndicesOf(ds: Pick<ImageDataset, 'id' | 'count' | 'predefinedSplit'>, testSize: number, splitSeed: number): Uint32Array {
  const max = testCapacity(ds);
  if (!Number.isSafeInteger(testSize) || testSize < 1 || testSize > max) {
    throw new LabError('invalid_argument', `testSize must be an integer in [1, ${max}] for dataset "${ds.id}" (got ${String(testSize)})`, 'testSize');
  }
  const trainSize = ds.predefinedSplit ? 1 : ds.count - testSize;
  return splitDataset(ds, { trainSize, testSize, seed: splitSeed }).test;
}

/** Refuses a dataset whose images or classes do not fit the model, naming the request field. */
export function checkDatasetFits(ds: Pick<ImageDataset, 'id' | 'height' | 'width' | 'classNames'>, hparams: Pick<HParams, 'inputShape' | 'numClasses'>): void {
  const [h, w, c] = hparams.inputShape;
  if (ds.height !== h || ds.width !== w || c !== 1) {
    throw new LabError('invalid_argument', `dataset "${ds.id}" has ${ds.height}×${ds.width}×1 images but the run's model takes ${h}×${w}×${c}; choose a dataset with the model's image shape`, 'dataset');
  }
  if (ds.classNames.length !== hparams.numClasses) {
    throw new LabError('invalid_argument', `dataset "${ds.id}" has ${ds.classNames.length} classes but the run's model predicts ${hparams.numClasses}; choose a dataset with the model's classes`, 'dataset');
  }
}

/**
 * `testSize` test images of `ds` under the split seed (testIndicesOf's rule): always a part of any larger test split
 * with that seed, in its order, so a part-suite attack scores images of the run's own test split. For a set with an
 * official split they are the first `testSize` of it; for a pool the last (the permutation's tail).
 */
export function testPart(ds: ImageDataset, testSize: number, splitSeed: number): TestSet {
  return testSetOf(ds, testIndicesOf(ds, testSize, splitSeed), splitSeed);
}

/** Loads the test images of `source` for a model with `hparams`. */
export async function loadTestSource(source: TestSource, hparams: Pick<HParams, 'inputShape' | 'numClasses'>, cacheDir: string): Promise<TestSet> {
  const ds = await loadDataset(source.dataset, { cacheDir });
  checkDatasetFits(ds, hparams);
  return testPart(ds, source.testSize, source.splitSeed);
}
