// The in-memory dataset shape every part of the lab shares, its on-disk manifest, and their consistency checks.
import { z } from 'zod';
import { LabError } from '../../../shared/errors';

/** Which dataset to load; the built-ins have fixed ids equal to their kind. */
export type DatasetSpec = { kind: 'mnist-sample' } | { kind: 'mnist' } | { kind: 'fashion-mnist' } | { kind: 'imported'; id: string };
export type DatasetKind = DatasetSpec['kind'];

export const MNIST_CLASS_NAMES: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
/** Label order of Fashion-MNIST as published by Zalando Research. */
export const FASHION_MNIST_CLASS_NAMES: readonly string[] = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** Lab models take MNIST-shaped input; every dataset is stored at this size. */
export const IMAGE_HEIGHT = 28;
export const IMAGE_WIDTH = 28;

/**
 * A labelled image dataset held as one pool of examples.
 * Images are grayscale bytes (0 = black, 255 = white), row-major, example after example.
 */
export interface ImageDataset {
  id: string;
  name: string;
  kind: DatasetKind;
  /** Where the examples came from (package, URL, imported files), for the run record. */
  source: string;
  classNames: string[];
  count: number;
  height: number;
  width: number;
  /** `count * height * width` bytes. */
  images: Uint8Array;
  /** `count` class indices, each < classNames.length. */
  labels: Uint8Array;
  /**
   * Present when the source ships an official split (full MNIST: 60,000 train then 10,000 test):
   * examples [0, train) are the official training part and [train, train + test) the test part.
   */
  predefinedSplit?: { train: number; test: number };
}

const manifestSchema = z.object({
  format: z.literal(1),
  id: z.string(),
  name: z.string(),
  kind: z.enum(['mnist-sample', 'mnist', 'fashion-mnist', 'imported']),
  source: z.string(),
  classNames: z.array(z.string()).min(1).max(256),
  height: z.number().int().positive(),
  width: z.number().int().positive(),
  counts: z.object({
    total: z.number().int().nonnegative(),
    perClass: z.array(z.number().int().nonnegative()),
    train: z.number().int().nonnegative().optional(),
    test: z.number().int().nonnegative().optional(),
  }),
  /** ISO 8601 time the cache entry was written. */
  created: z.string(),
});

/** The JSON stored next to a cached dataset (manifest.json); what listDatasets shows without reading images. */
export type DatasetManifest = z.infer<typeof manifestSchema>;

export function parseManifest(json: unknown, source: string): DatasetManifest {
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LabError('corrupt_data', `${source} is not a valid dataset manifest: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unknown problem'}`, 'manifest');
  }
  return parsed.data;
}

/** The manifest describing `ds`, created now. */
export function manifestOf(ds: ImageDataset): DatasetManifest {
  const perClass = new Array<number>(ds.classNames.length).fill(0);
  for (let i = 0; i < ds.count; i++) perClass[ds.labels[i]!]! += 1;
  const counts: DatasetManifest['counts'] = { total: ds.count, perClass };
  if (ds.predefinedSplit) {
    counts.train = ds.predefinedSplit.train;
    counts.test = ds.predefinedSplit.test;
  }
  return { format: 1, id: ds.id, name: ds.name, kind: ds.kind, source: ds.source, classNames: [...ds.classNames], height: ds.height, width: ds.width, counts, created: new Date().toISOString() };
}

/** Checks that sizes, labels and the split agree; `source` names the origin in the error. */
export function checkDataset(ds: ImageDataset, source: string): void {
  const { count, height, width, classNames } = ds;
  if (classNames.length < 1 || classNames.length > 256) {
    throw new LabError('invalid_argument', `${source}: a dataset needs 1–256 classes (got ${classNames.length})`, 'classNames');
  }
  if (new Set(classNames).size !== classNames.length) {
    throw new LabError('invalid_argument', `${source}: class names must be distinct (got ${classNames.join(', ')})`, 'classNames');
  }
  if (ds.images.length !== count * height * width) {
    throw new LabError('corrupt_data', `${source}: ${ds.images.length} image bytes do not make ${count} images of ${height}×${width}`, 'images');
  }
  if (ds.labels.length !== count) {
    throw new LabError('corrupt_data', `${source}: ${count} images but ${ds.labels.length} labels`, 'labels');
  }
  for (let i = 0; i < count; i++) {
    if (ds.labels[i]! >= classNames.length) {
      throw new LabError('corrupt_data', `${source}: label ${ds.labels[i]} of example ${i} is outside 0–${classNames.length - 1} (${classNames.length} classes)`, 'labels');
    }
  }
  const split = ds.predefinedSplit;
  if (split && split.train + split.test !== count) {
    throw new LabError('corrupt_data', `${source}: predefined split ${split.train} + ${split.test} does not equal ${count} examples`, 'predefinedSplit');
  }
}
