// What every import shares: checking the request's name, deriving a stable id, and storing the result in the cache.
import { createHash } from 'node:crypto';
import { LabError } from '../../../shared/errors';
import { IMAGE_HEIGHT, IMAGE_WIDTH, type DatasetManifest, type ImageDataset } from './dataset';
import { dataCacheDir } from './paths';
import { writeDataset } from './store';

export interface ImportOptions {
  /** Cache root; default dataCacheDir(). */
  cacheDir?: string;
}

/** Examples gathered by an importer, before they get an id. */
export interface ImportedExamples {
  name: string;
  source: string;
  classNames: string[];
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  predefinedSplit?: { train: number; test: number };
}

const MAX_NAME = 100;

/** Trims and checks a dataset name given by a person. */
export function checkName(name: unknown): string {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (trimmed.length < 1 || trimmed.length > MAX_NAME) {
    throw new LabError('invalid_argument', `name must be 1–${MAX_NAME} characters (got ${JSON.stringify(name)})`, 'name');
  }
  return trimmed;
}

/**
 * Id = slug of the name + the first 8 hex digits of a digest of the content. Importing the same files
 * under the same name again therefore finds the existing entry instead of storing a second copy, and
 * imports can never take a built-in id (those have no 8-hex suffix).
 */
export function importedId(ex: ImportedExamples): string {
  const slug = ex.name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48).replace(/-+$/, '') || 'dataset';
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ classNames: ex.classNames, split: ex.predefinedSplit ?? null }));
  hash.update(ex.images);
  hash.update(ex.labels);
  return `${slug}-${hash.digest('hex').slice(0, 8)}`;
}

/** Stores imported examples (as kind 'imported') and returns the manifest; an identical earlier import is reused. */
export async function storeImported(ex: ImportedExamples, options: ImportOptions): Promise<DatasetManifest> {
  if (ex.count < 1) throw new LabError('invalid_argument', `${ex.source} holds no examples`, 'source');
  const ds: ImageDataset = {
    id: importedId(ex),
    name: ex.name,
    kind: 'imported',
    source: ex.source,
    classNames: ex.classNames,
    count: ex.count,
    height: IMAGE_HEIGHT,
    width: IMAGE_WIDTH,
    images: ex.images,
    labels: ex.labels,
  };
  if (ex.predefinedSplit) ds.predefinedSplit = ex.predefinedSplit;
  return writeDataset(options.cacheDir ?? dataCacheDir(), ds);
}
