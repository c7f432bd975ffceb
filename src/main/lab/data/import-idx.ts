// Imports IDX image/label pairs (raw or gzipped) chosen by the user into the dataset cache.
import path from 'node:path';
import { LabError } from '../../../shared/errors';
import { type DatasetManifest } from './dataset';
import { checkName, storeImported, type ImportOptions } from './import-common';
import { concatPairs, readIdxPair, type ImageLabelPair } from './idx-pair';

export interface IdxFilePair {
  images: string;
  labels: string;
}

export interface ImportIdxRequest {
  /** Display name (1–100 characters); the id is derived from it. */
  name: string;
  /** The examples, or the official training part when `test` is given. */
  train: IdxFilePair;
  /** An official test part; kept apart so splitDataset draws test examples only from it. */
  test?: IdxFilePair;
  /** Names of classes 0, 1, ...; default "0", "1", ... up to the largest label found. */
  classNames?: string[];
}

/** Reads, checks and stores the pairs; returns the new (or identical existing) dataset's manifest. */
export async function importIdx(req: ImportIdxRequest, options: ImportOptions = {}): Promise<DatasetManifest> {
  const name = checkName(req.name);
  const train = await readPair(req.train, 'train');
  const test = req.test ? await readPair(req.test, 'test') : undefined;
  const pool = test ? concatPairs(train, test) : train;
  if (req.classNames !== undefined) checkClassNames(req.classNames);
  const classNames = req.classNames ?? defaultClassNames(pool.labels);
  const files = [req.train, ...(req.test ? [req.test] : [])].flatMap((p) => [p.images, p.labels]);
  return storeImported(
    {
      name,
      source: `idx:${files.map((f) => path.resolve(f)).join(',')}`,
      classNames,
      images: pool.images,
      labels: pool.labels,
      count: pool.count,
      ...(test ? { predefinedSplit: { train: train.count, test: test.count } } : {}),
    },
    options,
  );
}

async function readPair(pair: IdxFilePair, field: string): Promise<ImageLabelPair> {
  if (!pair || typeof pair.images !== 'string' || typeof pair.labels !== 'string') {
    throw new LabError('invalid_argument', `${field} must name an images file and a labels file`, field);
  }
  const read = await readIdxPair(pair.images, pair.labels);
  if (read.count < 1) throw new LabError('invalid_argument', `${pair.images} holds no images; ${field} needs at least one`, field);
  return read;
}

function defaultClassNames(labels: Uint8Array): string[] {
  let max = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]! > max) max = labels[i]!;
  return Array.from({ length: max + 1 }, (_, i) => String(i));
}

function checkClassNames(names: unknown): void {
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string' || n.trim() === '')) {
    throw new LabError('invalid_argument', 'classNames must be a list of non-empty strings', 'classNames');
  }
}
