// The dataset cache folder: complete-or-absent writes, concurrent writers, damaged entries.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ImageDataset } from '../../../../../src/main/lab/data/dataset';
import { listStored, readDataset, readManifest, removeDataset, writeDataset } from '../../../../../src/main/lab/data/store';
import { listTree, syntheticExamples, tmpDir } from './fixtures';

let cacheDir: string;
beforeEach(async () => {
  cacheDir = await tmpDir('rlab-store-');
});
afterEach(async () => {
  await fs.rm(cacheDir, { recursive: true, force: true });
});

function dataset(id: string, count = 6): ImageDataset {
  return { id, name: id, kind: 'imported', source: 'test', classNames: ['a', 'b', 'c'], count, height: 28, width: 28, ...syntheticExamples(count, 3, count) };
}

describe('dataset store', () => {
  it('writes manifest, images and labels and reads them back', async () => {
    const ds = dataset('one');
    const manifest = await writeDataset(cacheDir, ds);
    expect(manifest).toMatchObject({ format: 1, id: 'one', counts: { total: 6, perClass: [2, 2, 2] }, height: 28, width: 28 });
    expect(await listTree(path.join(cacheDir, 'datasets'))).toEqual(['one', 'one/images.idx', 'one/labels.idx', 'one/manifest.json']);
    const back = await readDataset(cacheDir, 'one');
    expect(Buffer.from(back.images).equals(Buffer.from(ds.images))).toBe(true);
    expect(await readManifest(cacheDir, 'one')).toEqual(manifest);
  });

  it('lets concurrent writers of one id end with one complete folder and no leftovers', async () => {
    const results = await Promise.all([writeDataset(cacheDir, dataset('race')), writeDataset(cacheDir, dataset('race')), writeDataset(cacheDir, dataset('race'))]);
    expect(new Set(results.map((m) => m.created)).size).toBe(1);
    expect(await listTree(path.join(cacheDir, 'datasets'))).toEqual(['race', 'race/images.idx', 'race/labels.idx', 'race/manifest.json']);
  });

  it('refuses inconsistent data before writing anything', async () => {
    const ds = dataset('bad');
    ds.labels[0] = 3;
    await expect(writeDataset(cacheDir, ds)).rejects.toThrow(/label 3 of example 0 is outside 0–2/);
    expect(await listTree(cacheDir)).toEqual([]);
  });

  it('skips damaged entries when listing but reports them when loading', async () => {
    await writeDataset(cacheDir, dataset('good'));
    await writeDataset(cacheDir, dataset('broken'));
    await fs.writeFile(path.join(cacheDir, 'datasets', 'broken', 'manifest.json'), '{"format": 1, "id": "broken"');
    expect((await listStored(cacheDir)).map((s) => s.manifest.id)).toEqual(['good']);
    await expect(readDataset(cacheDir, 'broken')).rejects.toThrow(/manifest.json is not valid JSON/);
  });

  it('detects images that no longer match the manifest', async () => {
    await writeDataset(cacheDir, dataset('grown', 6));
    await writeDataset(cacheDir, dataset('other', 9));
    await fs.copyFile(path.join(cacheDir, 'datasets', 'other', 'images.idx'), path.join(cacheDir, 'datasets', 'grown', 'images.idx'));
    await expect(readDataset(cacheDir, 'grown')).rejects.toThrow(/does not match its manifest \(images \[9, 28, 28\]/);
  });

  it('removes a dataset', async () => {
    await writeDataset(cacheDir, dataset('gone'));
    expect(await removeDataset(cacheDir, 'gone')).toBe(true);
    expect(await readManifest(cacheDir, 'gone')).toBeUndefined();
    expect(await removeDataset(cacheDir, 'gone')).toBe(false);
  });
});
