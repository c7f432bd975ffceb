// Refuses, before anything is stored, a train/test split the chosen dataset cannot give, and a model that does not
// fit the dataset's images or classes — with the data module's and the worker's own rules.
import { LabError } from '../../../shared/errors';
import { type DataSplit, type HParams } from '../../../shared/schemas';
import { listDatasets } from '../data/catalog';
import { checkHParamsFitDataset } from '../data/model-fit';
import { splitDataset } from '../data/split';
import { readManifest } from '../data/store';


/** The split rule's refusal with `config.data.` in front, and for a pool the range the field may take. */
function splitRefusal(err: unknown, data: DataSplit, name: string, total: number, pool: boolean): LabError {
  const e = LabError.wrap(err, 'invalid_argument');
  const field = `config.data.${e.field ?? 'trainSize'}`;
  if (pool && e.message.startsWith('trainSize + testSize')) {
    if (data.testSize >= total) return new LabError(e.code, `config.data.testSize must be in [1, ${total - 1}]: dataset "${name}" has ${total} images and one at least trains (got ${data.testSize})`, 'config.data.testSize');
    return new LabError(e.code, `config.data.trainSize must be in [1, ${total - data.testSize}]: dataset "${name}" has ${total} images and config.data.testSize takes ${data.testSize} (got ${data.trainSize})`, 'config.data.trainSize');
  }
  return new LabError(e.code, `config.data.${e.message}`, field);
}

/**
 * `hparams` (an experiment's; absent for an imported model, whose shape comes from the dataset) is checked against
 * the dataset's images and classes by the rule the training worker applies when it loads the data.
 */
export async function checkDataSplit(data: DataSplit, cacheDir: string, hparams?: Pick<HParams, 'inputShape' | 'numClasses'>): Promise<void> {
  const spec = data.dataset;
  const id = spec.kind === 'imported' ? spec.id : spec.kind;
  const all = await listDatasets({ cacheDir });
  const listing = all.find((d) => d.id === id);
  if (!listing) {
    const known = all.map((d) => `"${d.id}"`).join(', ');
    throw new LabError('invalid_argument', `config.data.dataset names no dataset the lab has: "${id}" (known: ${known}); import it first`, 'config.data.dataset');
  }
  // a full set not downloaded yet would fail every run at once: refused here, for every front end
  if (!listing.ready && (spec.kind === 'mnist' || spec.kind === 'fashion-mnist')) {
    throw new LabError(
      'invalid_argument',
      `config.data.dataset "${id}" is not downloaded yet: download ${listing.name} first (\`rlab data download ${id}\`, or Download beside the dataset in the New-experiment form), or choose the offline mnist-sample`,
      'config.data.dataset',
    );
  }
  const counts = listing.counts;
  if (!counts) return;
  const predefinedSplit = counts.train !== undefined && counts.test !== undefined ? { train: counts.train, test: counts.test } : undefined;
  try {
    splitDataset({ id, count: counts.total, predefinedSplit }, { trainSize: data.trainSize, testSize: data.testSize, seed: 0 });
  } catch (err) {
    throw splitRefusal(err, data, id, counts.total, predefinedSplit === undefined);
  }
  if (hparams === undefined) return;
  const manifest = await readManifest(cacheDir, id);
  if (!manifest) return;
  try {
    checkHParamsFitDataset(manifest, hparams);
  } catch (err) {
    const e = LabError.wrap(err, 'invalid_argument');
    throw new LabError(e.code, `config.${e.message}`, `config.${e.field ?? 'hparams'}`);
  }
}
