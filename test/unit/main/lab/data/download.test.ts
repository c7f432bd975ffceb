// Downloading full datasets from a mirror: sha256 checks, progress, caching, atomic writes, and rejection of bad files.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LabError } from '../../../../../src/shared/errors';
import { loadDataset } from '../../../../../src/main/lab/data/catalog';
import { encodeIdx } from '../../../../../src/main/lab/data/idx';
import { DATASET_FILES, downloadDataset, type DownloadProgress, type RemoteFile, type RemotePart } from '../../../../../src/main/lab/data/remote-datasets';
import { listTree, sha256, startMirror, syntheticExamples, tmpDir, type Mirror } from './fixtures';

// Small stand-ins for the official archives, in the same format and under the same names.
const train = syntheticExamples(30, 10, 100);
const test = syntheticExamples(10, 10, 200);
const archives: Record<RemotePart, Buffer> = {
  trainImages: zlib.gzipSync(encodeIdx({ dims: [30, 28, 28], data: train.images })),
  trainLabels: zlib.gzipSync(encodeIdx({ dims: [30], data: train.labels })),
  testImages: zlib.gzipSync(encodeIdx({ dims: [10, 28, 28], data: test.images })),
  testLabels: zlib.gzipSync(encodeIdx({ dims: [10], data: test.labels })),
};
const PARTS = Object.keys(archives) as RemotePart[];
const nameOf = (part: RemotePart) => DATASET_FILES.mnist.files[part].file;
/** The file table for the stand-ins: same names, their digests (or null to use the mirror's .sha256). */
const table = (withDigests: boolean) => Object.fromEntries(PARTS.map((p) => [p, { file: nameOf(p), sha256: withDigests ? sha256(archives[p]) : null }])) as Record<RemotePart, RemoteFile>;

let mirror: Mirror;
let cacheDir: string;

function serveAll(): void {
  mirror.files.clear();
  for (const p of PARTS) {
    mirror.files.set(nameOf(p), archives[p]);
    mirror.files.set(`${nameOf(p)}.sha256`, Buffer.from(`${sha256(archives[p])}  ${nameOf(p)}\n`));
  }
}
const fileHits = () => PARTS.reduce((n, p) => n + (mirror.hits.get(`/mirror/${nameOf(p)}`) ?? 0), 0);

beforeAll(async () => {
  mirror = await startMirror(new Map());
});
afterAll(async () => {
  await mirror.close();
});
beforeEach(async () => {
  cacheDir = await tmpDir('rlab-dl-');
  serveAll();
  mirror.hits.clear();
  mirror.truncated.clear();
});
afterEach(async () => {
  await fs.rm(cacheDir, { recursive: true, force: true });
});

describe('downloadDataset', () => {
  it('downloads, verifies and caches the four files as one pool with the official split', async () => {
    const manifest = await downloadDataset('mnist', { cacheDir, baseUrl: mirror.baseUrl, files: table(true) });
    expect(manifest.counts).toMatchObject({ total: 40, train: 30, test: 10 });
    expect(manifest.source).toBe(mirror.baseUrl);
    const ds = await loadDataset({ kind: 'mnist' }, { cacheDir });
    expect(ds.predefinedSplit).toEqual({ train: 30, test: 10 });
    expect(Buffer.from(ds.images.subarray(0, 30 * 784)).equals(Buffer.from(train.images))).toBe(true);
    expect(Buffer.from(ds.images.subarray(30 * 784)).equals(Buffer.from(test.images))).toBe(true);
    expect(Array.from(ds.labels)).toEqual([...train.labels, ...test.labels]);
    expect(ds.classNames).toEqual(DATASET_FILES.mnist.classNames);
  });

  it('reports progress per file up to the full size', async () => {
    const events: DownloadProgress[] = [];
    await downloadDataset('mnist', { cacheDir, baseUrl: mirror.baseUrl, files: table(true), onProgress: (p) => events.push(p) });
    PARTS.forEach((part, index) => {
      const mine = events.filter((e) => e.file === nameOf(part));
      expect(mine.length).toBeGreaterThanOrEqual(2);
      expect(mine.every((e) => e.fileIndex === index && e.fileCount === 4 && e.dataset === 'mnist' && e.total === archives[part].length)).toBe(true);
      const received = mine.map((e) => e.received);
      expect(received).toEqual([...received].sort((a, b) => a - b));
      expect(received.at(-1)).toBe(archives[part].length);
    });
  });

  it('does not download again once the dataset is cached', async () => {
    await downloadDataset('mnist', { cacheDir, baseUrl: mirror.baseUrl, files: table(true) });
    expect(fileHits()).toBe(4);
    const again = await downloadDataset('mnist', { cacheDir, baseUrl: mirror.baseUrl, files: table(true) });
    expect(again.counts.total).toBe(40);
    expect(fileHits()).toBe(4);
    expect(mirror.hits.size).toBe(4);
  });

  it('rebuilds from verified archives on disk without the network', async () => {
    await downloadDataset('mnist', { cacheDir, baseUrl: mirror.baseUrl, files: table(true) });
    await fs.rm(path.join(cacheDir, 'datasets', 'mnist'), { recursive: true });
    await downloadDataset('mnist', { cacheDir, baseUrl: mirror.baseUrl, files: table(true) });
    expect(fileHits()).toBe(4);
  });

  it('verifies against the mirror’s <file>.sha256 when the table has no digest', async () => {
    const manifest = await downloadDataset('fashion-mnist', { cacheDir, baseUrl: mirror.baseUrl, files: table(false) });
    expect(manifest.classNames[0]).toBe('T-shirt/top');
    for (const p of PARTS) expect(mirror.hits.get(`/mirror/${nameOf(p)}.sha256`)).toBe(1);
  });

  it('rejects a corrupted file, keeps nothing of it and caches no dataset', async () => {
    const bad = Buffer.from(archives.testImages);
    bad[bad.length - 30]! ^= 0xff;
    mirror.files.set(nameOf('testImages'), bad);
    const err = await downloadDataset('mnist', { cacheDir, baseUrl: mirror.baseUrl, files: table(true) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).code).toBe('corrupt_data');
    expect((err as LabError).message).toContain(`t10k-images-idx3-ubyte.gz from ${mirror.baseUrl}t10k-images-idx3-ubyte.gz failed its sha256 check (expected ${sha256(archives.testImages)}, got ${sha256(bad)})`);
    const left = await listTree(cacheDir);
    expect(left.filter((f) => f.includes('t10k-images') || f.includes('.tmp-'))).toEqual([]);
    expect(left.some((f) => f.startsWith('datasets'))).toBe(false);
    await expect(loadDataset({ kind: 'mnist' }, { cacheDir })).rejects.toThrow(/not downloaded yet/);

    serveAll();
    const fixed = await downloadDataset('mnist', { cacheDir, baseUrl: mirror.baseUrl, files: table(true) });
    expect(fixed.counts.total).toBe(40);
  });

  it('rejects a file that matches a corrupted mirror checksum but is not IDX, and forgets it', async () => {
    const junk = Buffer.from('this is not an idx file at all');
    mirror.files.set(nameOf('trainLabels'), junk);
    mirror.files.set(`${nameOf('trainLabels')}.sha256`, Buffer.from(sha256(junk)));
    await expect(downloadDataset('mnist', { cacheDir, baseUrl: mirror.baseUrl, files: table(false) })).rejects.toThrow(/train-labels-idx1-ubyte.gz is not an IDX file/);
    // The empty downloads/ parent may stay; no archive and no dataset may.
    expect((await listTree(cacheDir)).filter((f) => f !== 'downloads')).toEqual([]);
  });

  it('rejects a download cut off midway and leaves no partial file', async () => {
    mirror.truncated.add(nameOf('trainImages'));
    const err = (await downloadDataset('mnist', { cacheDir, baseUrl: mirror.baseUrl, files: table(true) }).catch((e: unknown) => e)) as LabError;
    expect(err).toBeInstanceOf(LabError);
    expect(err.code).toBe('io_error');
    expect(err.message).toContain(`download of ${mirror.baseUrl}train-images-idx3-ubyte.gz failed`);
    expect((await listTree(cacheDir)).filter((f) => f.includes('train-images') || f.includes('.tmp-'))).toEqual([]);
  });

  it('reports a missing file on the mirror as not found, naming the URL', async () => {
    mirror.files.delete(nameOf('trainLabels'));
    const err = (await downloadDataset('mnist', { cacheDir, baseUrl: mirror.baseUrl, files: table(true) }).catch((e: unknown) => e)) as LabError;
    expect(err.code).toBe('not_found');
    expect(err.message).toBe(`${mirror.baseUrl}train-labels-idx1-ubyte.gz answered HTTP 404 Not Found`);
  });

  it('accepts a base URL without a trailing slash and rejects non-http ones', async () => {
    await downloadDataset('mnist', { cacheDir, baseUrl: mirror.baseUrl.replace(/\/$/, ''), files: table(true) });
    await expect(downloadDataset('fashion-mnist', { cacheDir, baseUrl: 'ftp://example.org/x/' })).rejects.toThrow('baseUrl must use http or https (got ftp:)');
  });

  it('loadDataset downloads only when allowed', async () => {
    await expect(loadDataset({ kind: 'mnist' }, { cacheDir })).rejects.toMatchObject({ code: 'failed_precondition' });
    const ds = await loadDataset({ kind: 'mnist' }, { cacheDir, download: { baseUrl: mirror.baseUrl, files: table(true) } });
    expect(ds.count).toBe(40);
  });
});

describe('DATASET_FILES', () => {
  it('pins a distinct sha256 for each official archive and names the usual files', () => {
    for (const info of Object.values(DATASET_FILES)) {
      const digests = Object.values(info.files).map((f) => f.sha256);
      expect(digests.every((d) => d !== null && /^[0-9a-f]{64}$/.test(d))).toBe(true);
      expect(new Set(digests).size).toBe(4);
      expect(Object.values(info.files).map((f) => f.file).sort()).toEqual(['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz', 'train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']);
      expect(info.defaultBaseUrl).toMatch(/^https:\/\/.*\/$/);
    }
  });
});
