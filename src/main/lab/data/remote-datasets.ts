// Full MNIST and Fashion-MNIST: the file table with known sha256 digests, download from a mirror, build the cache entry.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LabError } from '../../../shared/errors';
import { exists, removeOrphanTemps } from './atomic-fs';
import { FASHION_MNIST_CLASS_NAMES, MNIST_CLASS_NAMES, type DatasetManifest, type ImageDataset } from './dataset';
import { downloadFile, fetchMirrorChecksum, sha256OfFile, type FileProgress } from './http-download';
import { concatPairs, readIdxPair } from './idx-pair';
import { dataCacheDir, downloadsDir } from './paths';
import { readManifest, writeDataset } from './store';

export type RemoteDatasetId = 'mnist' | 'fashion-mnist';
export type RemotePart = 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels';
const PARTS: readonly RemotePart[] = ['trainImages', 'trainLabels', 'testImages', 'testLabels'];

export interface RemoteFile {
  /** File name on the mirror, appended to the base URL. */
  file: string;
  /** Expected sha256 (hex); null means "trust `<file>.sha256` served by the mirror". */
  sha256: string | null;
}

export interface RemoteDatasetInfo {
  name: string;
  defaultBaseUrl: string;
  classNames: readonly string[];
  files: Record<RemotePart, RemoteFile>;
}

/**
 * The official archives. The digests are those of the files published by LeCun et al. (MNIST) and
 * Zalando Research (Fashion-MNIST), as pinned by torchvision, TensorFlow Datasets and Keras users;
 * every mirror serving the original files yields the same bytes. A mirror with re-packed files needs
 * its own table (DownloadOptions.files), with sha256 null to use the mirror's `<file>.sha256`.
 */
export const DATASET_FILES: Readonly<Record<RemoteDatasetId, RemoteDatasetInfo>> = {
  mnist: {
    name: 'MNIST (70,000 digits)',
    defaultBaseUrl: 'https://storage.googleapis.com/cvdf-datasets/mnist/',
    classNames: MNIST_CLASS_NAMES,
    files: {
      trainImages: { file: 'train-images-idx3-ubyte.gz', sha256: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609' },
      trainLabels: { file: 'train-labels-idx1-ubyte.gz', sha256: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c' },
      testImages: { file: 't10k-images-idx3-ubyte.gz', sha256: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6' },
      testLabels: { file: 't10k-labels-idx1-ubyte.gz', sha256: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6' },
    },
  },
  'fashion-mnist': {
    name: 'Fashion-MNIST (70,000 articles)',
    defaultBaseUrl: 'https://storage.googleapis.com/tensorflow/tf-keras-datasets/',
    classNames: FASHION_MNIST_CLASS_NAMES,
    files: {
      trainImages: { file: 'train-images-idx3-ubyte.gz', sha256: '08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc' },
      trainLabels: { file: 'train-labels-idx1-ubyte.gz', sha256: 'b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc' },
      testImages: { file: 't10k-images-idx3-ubyte.gz', sha256: '78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229' },
      testLabels: { file: 't10k-labels-idx1-ubyte.gz', sha256: '42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf' },
    },
  },
};

export interface DownloadProgress extends FileProgress {
  dataset: RemoteDatasetId;
  file: string;
  /** 0-based position of `file` among the `fileCount` files being fetched. */
  fileIndex: number;
  fileCount: number;
}

export interface DownloadOptions {
  /** Cache root; default dataCacheDir(). */
  cacheDir?: string;
  /** Mirror folder URL (http or https) the file names are appended to; default the dataset's defaultBaseUrl. */
  baseUrl?: string;
  /** Replaces entries of the file table (other names or digests for a mirror). */
  files?: Partial<Record<RemotePart, RemoteFile>>;
  onProgress?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
}

export function isRemoteDatasetId(id: string): id is RemoteDatasetId {
  return Object.hasOwn(DATASET_FILES, id);
}

/**
 * Makes a full dataset available in the cache and returns its manifest. Already cached: returns at
 * once without touching the network. Archives already verified on disk are reused. The cached
 * dataset is one pool, 60,000 training then 10,000 test examples (predefinedSplit).
 */
export async function downloadDataset(id: RemoteDatasetId, options: DownloadOptions = {}): Promise<DatasetManifest> {
  if (!isRemoteDatasetId(id)) throw new LabError('invalid_argument', `id must be one of ${Object.keys(DATASET_FILES).join(', ')} (got ${JSON.stringify(id)})`, 'id');
  const cacheDir = options.cacheDir ?? dataCacheDir();
  const cached = await readManifest(cacheDir, id);
  if (cached) return cached;

  const info = DATASET_FILES[id];
  const baseUrl = checkBaseUrl(options.baseUrl ?? info.defaultBaseUrl);
  const dir = downloadsDir(cacheDir, id);
  await removeOrphanTemps(dir);
  const local = {} as Record<RemotePart, string>;
  for (const [fileIndex, part] of PARTS.entries()) {
    const entry = options.files?.[part] ?? info.files[part];
    const url = new URL(entry.file, baseUrl).href;
    const dest = path.join(dir, path.basename(entry.file));
    local[part] = dest;
    const report = (p: FileProgress) => options.onProgress?.({ ...p, dataset: id, file: entry.file, fileIndex, fileCount: PARTS.length });
    if (await reusable(dest, entry.sha256)) {
      const { size } = await fs.stat(dest);
      report({ received: size, total: size });
      continue;
    }
    const sha256 = entry.sha256 ?? (await fetchMirrorChecksum(url, options.signal));
    await downloadFile(url, dest, { sha256, onProgress: report, signal: options.signal });
  }

  try {
    const train = await readIdxPair(local.trainImages, local.trainLabels);
    const test = await readIdxPair(local.testImages, local.testLabels);
    const pool = concatPairs(train, test);
    const ds: ImageDataset = { id, name: info.name, kind: id, source: baseUrl, classNames: [...info.classNames], ...pool, predefinedSplit: { train: train.count, test: test.count } };
    return await writeDataset(cacheDir, ds);
  } catch (err) {
    // Archives that verified but do not parse would fail the same way forever; drop them so the next try fetches again.
    await fs.rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** True when the dataset is in the cache. */
export async function isDownloaded(id: RemoteDatasetId, cacheDir = dataCacheDir()): Promise<boolean> {
  return (await readManifest(cacheDir, id)) !== undefined;
}

// A file at dest was renamed there only after verification; with a known digest it is checked again
// (cheap next to a download) so a file damaged on disk is fetched anew rather than trusted.
async function reusable(dest: string, sha256: string | null): Promise<boolean> {
  if (!(await exists(dest))) return false;
  if (sha256 === null || (await sha256OfFile(dest)) === sha256.toLowerCase()) return true;
  await fs.rm(dest, { force: true });
  return false;
}

function checkBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new LabError('invalid_argument', `baseUrl must be an http(s) URL (got ${JSON.stringify(baseUrl)})`, 'baseUrl');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new LabError('invalid_argument', `baseUrl must use http or https (got ${url.protocol})`, 'baseUrl');
  }
  // new URL(name, base) drops the last path segment unless the base ends in '/'.
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.href;
}
