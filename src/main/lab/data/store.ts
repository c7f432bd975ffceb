// The dataset cache on disk: one folder per dataset with manifest.json + uncompressed IDX images and labels.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LabError } from '../../../shared/errors';
import { exists, publishDirAtomic, writeFileDurable } from './atomic-fs';
import { checkDataset, manifestOf, parseManifest, type DatasetManifest, type ImageDataset } from './dataset';
import { encodeIdx, readIdxFile } from './idx';
import { datasetDir } from './paths';

// Uncompressed IDX is already the compact uint8 layout and loads with one read and no copy.
const MANIFEST = 'manifest.json';
const IMAGES = 'images.idx';
const LABELS = 'labels.idx';

/**
 * Stores `ds` under <cacheDir>/datasets/<ds.id>. The folder appears complete or not at all.
 * If the id is already stored, the stored copy is kept and its manifest returned.
 */
export async function writeDataset(cacheDir: string, ds: ImageDataset): Promise<DatasetManifest> {
  checkDataset(ds, ds.id);
  const target = datasetDir(cacheDir, ds.id);
  const manifest = manifestOf(ds);
  const published = await publishDirAtomic(target, async (dir) => {
    await writeFileDurable(path.join(dir, IMAGES), encodeIdx({ dims: [ds.count, ds.height, ds.width], data: ds.images }));
    await writeFileDurable(path.join(dir, LABELS), encodeIdx({ dims: [ds.count], data: ds.labels }));
    await writeFileDurable(path.join(dir, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
  });
  if (published) return manifest;
  const kept = await readManifest(cacheDir, ds.id);
  if (!kept) throw new LabError('io_error', `dataset folder ${target} exists but has no ${MANIFEST}; delete the folder and try again`, 'id');
  return kept;
}

/** The manifest of a stored dataset, or undefined when it is not in the cache. */
export async function readManifest(cacheDir: string, id: string): Promise<DatasetManifest | undefined> {
  const file = path.join(datasetDir(cacheDir, id), MANIFEST);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LabError('io_error', `cannot read ${file}: ${(err as Error).message}`, 'id');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new LabError('corrupt_data', `${file} is not valid JSON; delete ${path.dirname(file)} to rebuild or re-import it`, 'manifest');
  }
  const manifest = parseManifest(json, file);
  if (manifest.id !== id) throw new LabError('corrupt_data', `${file} describes dataset "${manifest.id}" but sits in the folder for "${id}"`, 'manifest');
  return manifest;
}

/** Loads a stored dataset; throws not_found when it is not in the cache. */
export async function readDataset(cacheDir: string, id: string): Promise<ImageDataset> {
  const manifest = await readManifest(cacheDir, id);
  const dir = datasetDir(cacheDir, id);
  if (!manifest) throw new LabError('not_found', `dataset "${id}" is not in the cache (${dir})`, 'id');
  const [images, labels] = await Promise.all([readIdxFile(path.join(dir, IMAGES)), readIdxFile(path.join(dir, LABELS))]);
  const want = [manifest.counts.total, manifest.height, manifest.width];
  if (images.dims.join() !== want.join() || labels.dims.join() !== String(manifest.counts.total)) {
    throw new LabError('corrupt_data', `cached dataset ${dir} does not match its manifest (images [${images.dims.join(', ')}], labels [${labels.dims.join(', ')}], expected [${want.join(', ')}]); delete the folder to rebuild it`, 'id');
  }
  const { train, test } = manifest.counts;
  const ds: ImageDataset = {
    id: manifest.id,
    name: manifest.name,
    kind: manifest.kind,
    source: manifest.source,
    classNames: manifest.classNames,
    count: manifest.counts.total,
    height: manifest.height,
    width: manifest.width,
    images: images.data,
    labels: labels.data,
  };
  if (train !== undefined && test !== undefined) ds.predefinedSplit = { train, test };
  checkDataset(ds, dir);
  return ds;
}

/** Every stored dataset's manifest with the bytes its folder takes; unreadable folders are skipped. */
export async function listStored(cacheDir: string): Promise<Array<{ manifest: DatasetManifest; bytes: number }>> {
  const root = path.join(cacheDir, 'datasets');
  if (!(await exists(root))) return [];
  const out: Array<{ manifest: DatasetManifest; bytes: number }> = [];
  for (const entry of await fs.readdir(root, { withFileTypes: true })) {
    // Dot-names are folders still being built by publishDirAtomic.
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    try {
      const manifest = await readManifest(cacheDir, entry.name);
      if (manifest) out.push({ manifest, bytes: await folderBytes(path.join(root, entry.name)) });
    } catch {
      // A damaged entry must not hide the others; loading it reports the problem.
    }
  }
  return out.sort((a, b) => a.manifest.id.localeCompare(b.manifest.id));
}

/** Removes a stored dataset; true when something was removed. */
export async function removeDataset(cacheDir: string, id: string): Promise<boolean> {
  const dir = datasetDir(cacheDir, id);
  if (!(await exists(dir))) return false;
  await fs.rm(dir, { recursive: true, force: true });
  return true;
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    if (entry.isFile()) total += (await fs.stat(path.join(dir, entry.name))).size;
  }
  return total;
}
