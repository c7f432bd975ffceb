// IDX files: round trips raw and gzipped, and clear errors for every way a file can be wrong.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeIdx, encodeIdx, MAX_IDX_BYTES, readIdxFile, writeIdxFile } from '../../../../../src/main/lab/data/idx';
import { readIdxPair } from '../../../../../src/main/lab/data/idx-pair';
import { syntheticExamples, tmpDir, rejection } from './fixtures';

let dir: string;
beforeAll(async () => {
  dir = await tmpDir('rlab-idx-');
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('IDX encoding', () => {
  it('writes the header LeCun documents: two zero bytes, type 0x08, rank, then big-endian sizes', () => {
    const bytes = encodeIdx({ dims: [2, 3], data: Uint8Array.from([1, 2, 3, 4, 5, 6]) });
    expect(Array.from(bytes.subarray(0, 12))).toEqual([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3]);
    expect(Array.from(bytes.subarray(12))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('refuses data whose length does not match the dimensions', () => {
    expect(() => encodeIdx({ dims: [2, 3], data: new Uint8Array(5) })).toThrow(/data has 5 bytes but dims \[2, 3\] describe 6/);
  });

  it('decodes what it encodes', () => {
    const data = Uint8Array.from({ length: 24 }, (_, i) => i * 10);
    const back = decodeIdx(encodeIdx({ dims: [2, 3, 4], data }), 'mem');
    expect(back.dims).toEqual([2, 3, 4]);
    expect(Array.from(back.data)).toEqual(Array.from(data));
  });
});

describe('IDX files', () => {
  const { images, labels } = syntheticExamples(5, 3, 1);

  it('round-trips raw and gzipped files, recognising gzip by content', async () => {
    const raw = path.join(dir, 'rt-images.idx');
    const gz = path.join(dir, 'rt-images.idx.gz');
    await writeIdxFile(raw, { dims: [5, 28, 28], data: images });
    await writeIdxFile(gz, { dims: [5, 28, 28], data: images });
    const gzBytes = await fs.readFile(gz);
    expect([gzBytes[0], gzBytes[1]]).toEqual([0x1f, 0x8b]);
    for (const file of [raw, gz]) {
      const back = await readIdxFile(file);
      expect(back.dims).toEqual([5, 28, 28]);
      expect(Buffer.from(back.data).equals(Buffer.from(images))).toBe(true);
    }
    const misnamed = path.join(dir, 'misnamed.idx');
    await fs.copyFile(gz, misnamed);
    expect((await readIdxFile(misnamed)).dims).toEqual([5, 28, 28]);
  });

  it('rejects a wrong magic number, naming the file', async () => {
    const file = path.join(dir, 'bad-magic.idx');
    const bytes = encodeIdx({ dims: [5], data: labels });
    bytes[0] = 1;
    await fs.writeFile(file, bytes);
    const err = await rejection(readIdxFile(file));
    expect(err.code).toBe('corrupt_data');
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/not an IDX file: it does not start with an IDX magic number/);
    // the message describes the file, never quotes its bytes
    expect(err.message).not.toContain('01000801');
  });

  it('rejects element types other than unsigned bytes', async () => {
    const file = path.join(dir, 'floats.idx');
    const bytes = encodeIdx({ dims: [4], data: new Uint8Array(4) });
    bytes[2] = 0x0d;
    await fs.writeFile(file, bytes);
    const err = await rejection(readIdxFile(file));
    expect(err.code).toBe('unsupported');
    expect(err.message).toMatch(/float32.*only uint8/);
  });

  it('rejects truncated raw files, truncated headers and truncated gzip streams', async () => {
    const full = encodeIdx({ dims: [5, 28, 28], data: images });
    const cut = path.join(dir, 'cut.idx');
    await fs.writeFile(cut, full.subarray(0, full.length - 1));
    const e1 = await rejection(readIdxFile(cut));
    expect(e1.message).toContain(cut);
    expect(e1.message).toMatch(/truncated: dimensions \[5, 28, 28\] need 3920 data bytes, found 3919/);

    const header = path.join(dir, 'header.idx');
    await fs.writeFile(header, full.subarray(0, 10));
    expect((await rejection(readIdxFile(header))).message).toMatch(/truncated: header declares 3 dimensions/);

    const gz = path.join(dir, 'cut.idx.gz');
    const zipped = zlib.gzipSync(full);
    await fs.writeFile(gz, zipped.subarray(0, zipped.length - 20));
    const e3 = await rejection(readIdxFile(gz));
    expect(e3.code).toBe('corrupt_data');
    expect(e3.message).toContain(gz);
  });

  it('rejects bytes after the data', async () => {
    const file = path.join(dir, 'long.idx');
    await fs.writeFile(file, Buffer.concat([encodeIdx({ dims: [5], data: labels }), Buffer.from([9, 9])]));
    expect((await rejection(readIdxFile(file))).message).toMatch(/has 2 bytes after the data/);
  });

  it('stops inflating a gzipped file the moment it exceeds the size its header declares', async () => {
    const bomb = path.join(dir, 'bomb.gz');
    const header = encodeIdx({ dims: [5, 28, 28], data: images });
    // the declared data, then 64 MiB more of zeros
    await fs.writeFile(bomb, Buffer.concat([zlib.gzipSync(header), zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024))]));
    const err = await rejection(readIdxFile(bomb));
    expect(err).toMatchObject({ code: 'corrupt_data', field: 'file', message: `${bomb} inflates to more than the 3936 bytes its dimensions [5, 28, 28] describe; it is not a valid IDX file` });
  });

  it('refuses a header declaring more than the cap before allocating, raw or gzipped', async () => {
    const header = encodeIdx({ dims: [5, 28, 28], data: images }).subarray(0, 16);
    header.writeUInt32BE(100_000_000, 4);
    for (const [name, bytes] of [['decl.idx', header], ['decl.idx.gz', zlib.gzipSync(header)]] as const) {
      const file = path.join(dir, name);
      await fs.writeFile(file, bytes);
      const err = await rejection(readIdxFile(file));
      expect(err).toMatchObject({ code: 'unsupported', message: `${file} declares dimensions [100000000, 28, 28], ${78_400_000_016} bytes; an IDX file may hold at most ${MAX_IDX_BYTES} bytes` });
    }
    // a smaller cap applies the same way
    const small = path.join(dir, 'small.idx');
    await writeIdxFile(small, { dims: [5, 28, 28], data: images });
    expect((await rejection(readIdxFile(small, { maxBytes: 1000 }))).message).toBe(`${small} declares dimensions [5, 28, 28], 3936 bytes; an IDX file may hold at most 1000 bytes`);
  });

  it('refuses a raw file whose size disagrees with its header without reading its data, and a folder', async () => {
    const file = path.join(dir, 'sparse.idx');
    // a 1 GiB sparse file whose header says 5 images: refused from its size alone
    const handle = await fs.open(file, 'w');
    await handle.write(encodeIdx({ dims: [5, 28, 28], data: images }), 0);
    await handle.truncate(1024 * 1024 * 1024);
    await handle.close();
    expect((await rejection(readIdxFile(file))).message).toBe(`${file} has ${1024 * 1024 * 1024 - 3936} bytes after the data that dimensions [5, 28, 28] describe`);
    expect((await rejection(readIdxFile(dir))).message).toBe(`${dir} is not a regular file`);
  });

  it('reports a missing file as not found', async () => {
    const err = await rejection(readIdxFile(path.join(dir, 'nope.idx')));
    expect(err.code).toBe('not_found');
  });
});

describe('IDX image/label pairs', () => {
  const { images, labels } = syntheticExamples(6, 3, 2);

  it('reads a matching pair', async () => {
    await writeIdxFile(path.join(dir, 'p-images.gz'), { dims: [6, 28, 28], data: images });
    await writeIdxFile(path.join(dir, 'p-labels'), { dims: [6], data: labels });
    const pair = await readIdxPair(path.join(dir, 'p-images.gz'), path.join(dir, 'p-labels'));
    expect(pair.count).toBe(6);
    expect(Array.from(pair.labels)).toEqual(Array.from(labels));
  });

  it('rejects a count mismatch, naming both files', async () => {
    const img = path.join(dir, 'm-images');
    const lab = path.join(dir, 'm-labels');
    await writeIdxFile(img, { dims: [6, 28, 28], data: images });
    await writeIdxFile(lab, { dims: [5], data: labels.subarray(0, 5) });
    const err = await rejection(readIdxPair(img, lab));
    expect(err.message).toBe(`${img} has 6 images but ${lab} has 5 labels; they must match`);
  });

  it('rejects images of the wrong rank or size and labels of the wrong rank', async () => {
    const lab = path.join(dir, 'ok-labels');
    await writeIdxFile(lab, { dims: [6], data: labels });
    const flat = path.join(dir, 'flat-images');
    await writeIdxFile(flat, { dims: [6, 784], data: images });
    expect((await rejection(readIdxPair(flat, lab))).message).toMatch(/dimensions \[6, 784\]; an images file needs 3/);

    const small = path.join(dir, 'small-images');
    await writeIdxFile(small, { dims: [6, 14, 56], data: images });
    expect((await rejection(readIdxPair(small, lab))).message).toBe(`${small} holds 14×56 images; the lab needs 28×28`);

    const img = path.join(dir, 'ok-images');
    await writeIdxFile(img, { dims: [6, 28, 28], data: images });
    const lab2 = path.join(dir, '2d-labels');
    await writeIdxFile(lab2, { dims: [3, 2], data: labels });
    expect((await rejection(readIdxPair(img, lab2))).message).toMatch(/2d-labels has dimensions \[3, 2\]; a labels file needs 1/);
  });
});
