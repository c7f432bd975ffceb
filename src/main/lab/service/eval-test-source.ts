// Which test images an evaluate request scores when it names a dataset or a test size: checked against the run's model
// (image shape, classes) and the dataset's size before anything is queued or stored.
import { type RunConfig } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { type DatasetSpec } from '../../../shared/schemas';
import { splitSeedOf } from '../../../shared/seeds';
import { ensureMnistSample } from '../data/mnist-sample';
import { readManifest } from '../data/store';
import { type TestSource } from '../worker/protocol';
import { checkDatasetFits, datasetIdOf, testCapacity, testIndicesOf } from '../worker/test-data';

export async function testSourceFor(cacheDir: string, config: RunConfig, dataset: DatasetSpec | undefined, testSize: number | undefined): Promise<TestSource> {
  const spec = dataset ?? config.data.dataset;
  const id = datasetIdOf(spec);
  if (spec.kind === 'mnist-sample') await ensureMnistSample(cacheDir);
  const manifest = await readManifest(cacheDir, id);
  if (!manifest || (spec.kind === 'imported' && manifest.kind !== 'imported')) {
    const why = spec.kind === 'imported' ? 'no imported dataset has this id; `rlab data ls` (or the dataset list of the New-experiment form) shows the available ones' : `it is not downloaded yet; download it first (\`rlab data download ${id}\`, or Download beside the dataset in the New-experiment form)`;
    throw new LabError('invalid_argument', `dataset "${id}" cannot be evaluated on: ${why}`, 'dataset');
  }
  checkDatasetFits(manifest, config.hparams);
  const { counts } = manifest;
  const shape = { id, count: counts.total, ...(counts.train !== undefined && counts.test !== undefined ? { predefinedSplit: { train: counts.train, test: counts.test } } : {}) };
  const size = testSize ?? Math.min(config.data.testSize, testCapacity(shape));
  const splitSeed = splitSeedOf(config);
  testIndicesOf(shape, size, splitSeed);
  return { dataset: spec, testSize: size, splitSeed };
}
