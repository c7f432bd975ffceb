// Importing user datasets: IDX pairs and PNG class folders, checked, stored compactly, and loadable by id.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../../../../src/main/lab/data/catalog';
import { writeIdxFile } from '../../../../../src/main/lab/data/idx';
import { importIdx } from '../../../../../src/main/lab/data/import-idx';
import { importPngFolder, MAX_PNG_BYTES } from '../../../../../src/main/lab/data/import-png';
import { syntheticExamples, tmpDir, writePng, rejection } from './fixtures';

let work: string;
let cacheDir: string;
beforeAll(async () => {
  work = await tmpDir('rlab-import-');
  cacheDir = path.join(work, 'cache');
});
afterAll(async () => {
  await fs.rm(work, { recursive: true, force: true });
});

describe('importIdx', () => {
  const a = syntheticExamples(12, 3, 5);
  const b = syntheticExamples(4, 3, 6);

  beforeAll(async () => {
    await writeIdxFile(path.join(work, 'a-images.gz'), { dims: [12, 28, 28], data: a.images });
    await writeIdxFile(path.join(work, 'a-labels'), { dims: [12], data: a.labels });
    await writeIdxFile(path.join(work, 'b-images'), { dims: [4, 28, 28], data: b.images });
    await writeIdxFile(path.join(work, 'b-labels.gz'), { dims: [4], data: b.labels });
  });

  it('stores a gzipped/raw pair and loads it back by id with default class names', async () => {
    const manifest = await importIdx({ name: 'My Digits!', train: { images: path.join(work, 'a-images.gz'), labels: path.join(work, 'a-labels') } }, { cacheDir });
    expect(manifest.id).toMatch(/^my-digits-[0-9a-f]{8}$/);
    expect(manifest.kind).toBe('imported');
    expect(manifest.classNames).toEqual(['0', '1', '2']);
    expect(manifest.counts).toEqual({ total: 12, perClass: [4, 4, 4] });
    const ds = await loadDataset({ kind: 'imported', id: manifest.id }, { cacheDir });
    expect(Buffer.from(ds.images).equals(Buffer.from(a.images))).toBe(true);
    expect(Array.from(ds.labels)).toEqual(Array.from(a.labels));
    expect(ds.predefinedSplit).toBeUndefined();
  });

  it('finds the existing entry when the same files are imported again under the same name', async () => {
    const req = { name: 'Same', train: { images: path.join(work, 'a-images.gz'), labels: path.join(work, 'a-labels') } };
    const first = await importIdx(req, { cacheDir });
    const second = await importIdx(req, { cacheDir });
    expect(second).toEqual(first);
  });

  it('keeps an official test part apart and uses given class names', async () => {
    const manifest = await importIdx(
      { name: 'split', classNames: ['x', 'y', 'z'], train: { images: path.join(work, 'a-images.gz'), labels: path.join(work, 'a-labels') }, test: { images: path.join(work, 'b-images'), labels: path.join(work, 'b-labels.gz') } },
      { cacheDir },
    );
    expect(manifest.counts).toMatchObject({ total: 16, train: 12, test: 4 });
    const ds = await loadDataset({ kind: 'imported', id: manifest.id }, { cacheDir });
    expect(ds.classNames).toEqual(['x', 'y', 'z']);
    expect(ds.predefinedSplit).toEqual({ train: 12, test: 4 });
    expect(Buffer.from(ds.images.subarray(12 * 784)).equals(Buffer.from(b.images))).toBe(true);
  });

  it('rejects labels outside the given classes, a count mismatch and an empty name', async () => {
    const train = { images: path.join(work, 'a-images.gz'), labels: path.join(work, 'a-labels') };
    expect((await rejection(importIdx({ name: 'two', classNames: ['p', 'q'], train }, { cacheDir }))).message).toMatch(/label 2 of example 2 is outside 0–1 \(2 classes\)/);
    const mixed = { images: path.join(work, 'a-images.gz'), labels: path.join(work, 'b-labels.gz') };
    expect((await rejection(importIdx({ name: 'mixed', train: mixed }, { cacheDir }))).message).toMatch(/has 12 images but .*b-labels.gz has 4 labels/);
    expect((await rejection(importIdx({ name: '  ', train }, { cacheDir }))).field).toBe('name');
  });
});

describe('importPngFolder', () => {
  let folder: string;
  // Pixel p of image k in class c: a value the test can recompute.
  const value = (c: number, k: number, p: number) => (c * 50 + k * 7 + p) % 256;

  beforeAll(async () => {
    folder = path.join(work, 'pngs');
    // 'cat' sorts after 'ant', so ant = 0 and cat = 1.
    for (const [c, cls] of ['ant', 'cat'].entries()) {
      for (let k = 0; k < 3; k++) {
        await writePng(path.join(folder, cls, `img${k}.png`), 28, 28, 1, Array.from({ length: 784 }, (_, p) => value(c, k, p)));
      }
    }
    await fs.writeFile(path.join(folder, 'cat', 'notes.txt'), 'ignored');
    await fs.mkdir(path.join(folder, '.hidden'));
  });

  it('reads gray PNGs with sorted subfolder names as classes', async () => {
    const manifest = await importPngFolder({ folder }, { cacheDir });
    expect(manifest.name).toBe('pngs');
    expect(manifest.classNames).toEqual(['ant', 'cat']);
    expect(manifest.counts).toEqual({ total: 6, perClass: [3, 3] });
    const ds = await loadDataset({ kind: 'imported', id: manifest.id }, { cacheDir });
    expect(Array.from(ds.labels)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(Array.from(ds.images.subarray(4 * 784, 5 * 784))).toEqual(Array.from({ length: 784 }, (_, p) => value(1, 1, p)));
  });

  it('converts RGB with luma weights and composites transparency onto black', async () => {
    const colour = path.join(work, 'colour');
    const rgb = Array.from({ length: 784 }, (_, p) => (p % 2 ? [255, 0, 0] : [10, 200, 30])).flat();
    await writePng(path.join(colour, 'a', 'rgb.png'), 28, 28, 3, rgb);
    const rgba = Array.from({ length: 784 }, (_, p) => [255, 255, 255, p % 2 ? 0 : 128]).flat();
    await writePng(path.join(colour, 'b', 'rgba.png'), 28, 28, 4, rgba);
    const ds = await loadDataset({ kind: 'imported', id: (await importPngFolder({ folder: colour, name: 'colour' }, { cacheDir })).id }, { cacheDir });
    // ITU-R 601: 0.299 R + 0.587 G + 0.114 B.
    expect(ds.images[0]).toBe(Math.round(0.299 * 10 + 0.587 * 200 + 0.114 * 30));
    expect(ds.images[1]).toBe(Math.round(0.299 * 255));
    expect(ds.images[784]).toBe(128);
    expect(ds.images[785]).toBe(0);
  });

  it('rejects an image of the wrong size, naming the file', async () => {
    const bad = path.join(work, 'badsize');
    await writePng(path.join(bad, 'one', 'ok.png'), 28, 28, 1, new Array(784).fill(0));
    await writePng(path.join(bad, 'one', 'big.png'), 32, 28, 1, new Array(32 * 28).fill(0));
    const err = await rejection(importPngFolder({ folder: bad }, { cacheDir }));
    expect(err.message).toBe(`${path.join(bad, 'one', 'big.png')} is 32×28 pixels; images must be 28×28`);
  });

  it('rejects a class folder without images, a folder without classes, a missing folder and a broken PNG', async () => {
    const empty = path.join(work, 'emptyclass');
    await writePng(path.join(empty, 'a', 'x.png'), 28, 28, 1, new Array(784).fill(1));
    await fs.mkdir(path.join(empty, 'b'));
    expect((await rejection(importPngFolder({ folder: empty }, { cacheDir }))).message).toBe(`class folder ${path.join(empty, 'b')} has no .png files; every class needs at least one image`);

    const flat = path.join(work, 'flat');
    await writePng(path.join(flat, 'x.png'), 28, 28, 1, new Array(784).fill(1));
    expect((await rejection(importPngFolder({ folder: flat }, { cacheDir }))).message).toMatch(/has no subfolders/);

    expect((await rejection(importPngFolder({ folder: path.join(work, 'absent') }, { cacheDir }))).code).toBe('not_found');

    const broken = path.join(work, 'broken');
    await fs.mkdir(path.join(broken, 'a'), { recursive: true });
    await fs.writeFile(path.join(broken, 'a', 'fake.png'), 'not a png');
    expect((await rejection(importPngFolder({ folder: broken }, { cacheDir }))).message).toBe(`${path.join(broken, 'a', 'fake.png')} is not a PNG image`);
  });

  it('refuses oversized, interlaced and damaged PNGs before decoding them, quoting nothing from the file', async () => {
    const folder = path.join(work, 'hostile');
    await writePng(path.join(folder, 'a', 'ok.png'), 28, 28, 1, new Array(784).fill(0));
    const good = await fs.readFile(path.join(folder, 'a', 'ok.png'));

    // a 28×28 header followed by megabytes of chunk data: refused by size, unread
    const big = path.join(folder, 'a', 'zbig.png');
    await fs.writeFile(big, Buffer.concat([good, Buffer.alloc(MAX_PNG_BYTES)]));
    expect((await rejection(importPngFolder({ folder }, { cacheDir }))).message).toBe(`${big} is ${good.length + MAX_PNG_BYTES} bytes; a 28×28 PNG is at most ${MAX_PNG_BYTES}`);
    await fs.rm(big);

    // pngjs inflates interlaced images without an output limit: refused from the header
    const interlaced = Buffer.from(good);
    interlaced[28] = 1;
    await fs.writeFile(path.join(folder, 'a', 'zinterlaced.png'), interlaced);
    const inter = await rejection(importPngFolder({ folder }, { cacheDir }));
    expect(inter).toMatchObject({ code: 'unsupported', message: `${path.join(folder, 'a', 'zinterlaced.png')} is an interlaced PNG; save it without interlacing` });
    await fs.rm(path.join(folder, 'a', 'zinterlaced.png'));

    // a valid header with garbage chunks: the decoder's own message (which may quote chunk names) is not passed on
    const damaged = Buffer.concat([good.subarray(0, 33), Buffer.from('\0\0\0\x04SECRxxxxyyyy'), good.subarray(33)]);
    await fs.writeFile(path.join(folder, 'a', 'zdamaged.png'), damaged);
    const dam = await rejection(importPngFolder({ folder }, { cacheDir }));
    expect(dam.message).toBe(`${path.join(folder, 'a', 'zdamaged.png')} is not a readable PNG (its data is damaged or uses a feature that cannot be decoded)`);
    expect(dam.message).not.toContain('SECR');
  });
});
