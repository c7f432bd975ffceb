// Refuses, before anything is stored, a train/test split the chosen dataset cannot give — with the data module's own rule.
import { LabError } from '../../../shared/errors';
import { type DataSplit } from '../../../shared/schemas';
import { listDatasets } from '../data/catalog';
import { splitDataset } from '../data/split';

export async function checkDataSplit(data: DataSplit, cacheDir: string): Promise<void> {
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
    const e = LabError.wrap(err, 'invalid_argument');
    throw new LabError(e.code, `config.data.${e.message}`, `config.data.${e.field ?? 'trainSize'}`);
  }
}
