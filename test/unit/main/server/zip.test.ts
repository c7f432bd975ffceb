// The store-only ZIP writer, checked by real unzippers (Python's zipfile, Info-ZIP's unzip -t when installed), which
// verify every CRC-32 and offset themselves.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crc32, entryNameProblem, planZip, zipBuffers, zipLayout, zipStream } from '../../../../src/main/server/zip';

const PYTHON = ['/work/venv/bin/python', '/usr/bin/python3'].find((p) => existsSync(p));
const hasUnzip = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v unzip'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const tmp = mkdtempSync(path.join(os.tmpdir(), 'rlab-zip-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** What Python's zipfile reads back: testzip() (every CRC checked), then each entry's name, size, CRC, method and SHA-256. */
function pythonRead(file: string): { bad: string | null; entries: { name: string; size: number; crc: number; method: number; sha: string; utf8: boolean }[] } {
  const script = `
import hashlib, json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    bad = z.testzip()
    out = [{"name": i.filename, "size": i.file_size, "crc": i.CRC, "method": i.compress_type, "utf8": bool(i.flag_bits & 0x800),
            "sha": hashlib.sha256(z.read(i)).hexdigest()} for i in z.infolist()]
print(json.dumps({"bad": bad, "entries": out}))
`;
  return JSON.parse(execFileSync(PYTHON!, ['-c', script, file], { encoding: 'utf8' })) as ReturnType<typeof pythonRead>;
}

const sha = (b: Uint8Array) => execFileSync(PYTHON!, ['-c', 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())'], { input: b, encoding: 'utf8' }).trim();

describe('crc32', () => {
  it('matches the standard check value and zlib on random data, also when fed in pieces', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    const data = randomBytes(100_003);
    const zlib = Number(execFileSync(PYTHON!, ['-c', 'import sys, zlib; print(zlib.crc32(sys.stdin.buffer.read()))'], { input: data, encoding: 'utf8' }));
    expect(crc32(data)).toBe(zlib);
    expect(crc32(data.subarray(77_777), crc32(data.subarray(0, 77_777)))).toBe(zlib);
  });
});

describe.skipIf(!PYTHON)('zip writer', () => {
  const files = [
    { name: 'model/model.json', data: Buffer.from(JSON.stringify({ modelTopology: {}, weightsManifest: [] })) },
    { name: 'model/weights.bin', data: randomBytes(70_001) },
    { name: 'model/empty.txt', data: Buffer.alloc(0) },
    { name: 'model/ünïcode-名前.txt', data: Buffer.from('utf-8 name\n') },
  ];

  it('writes an archive Python reads back byte for byte, stored, with every CRC right', () => {
    const file = path.join(tmp, 'mem.zip');
    writeFileSync(file, zipBuffers(files));
    const read = pythonRead(file);
    expect(read.bad).toBeNull();
    expect(read.entries.map((e) => e.name)).toEqual(files.map((f) => f.name));
    read.entries.forEach((e, i) => {
      expect(e).toMatchObject({ size: files[i]!.data.length, crc: crc32(files[i]!.data), method: 0, utf8: i === 3 });
      expect(e.sha).toBe(sha(files[i]!.data));
    });
  });

  it.skipIf(!hasUnzip)('passes unzip -t', () => {
    const file = path.join(tmp, 'unzip.zip');
    writeFileSync(file, zipBuffers(files));
    const out = execFileSync('unzip', ['-t', file], { encoding: 'utf8' });
    expect(out).toContain('No errors detected');
  });

  it('streams files from disk into the same bytes as the in-memory writer, of the planned length', async () => {
    const dir = path.join(tmp, 'disk');
    mkdirSync(dir);
    const when = new Date(2024, 4, 17, 13, 45, 58);
    const onDisk = files.map((f, i) => {
      const p = path.join(dir, `f${i}`);
      writeFileSync(p, f.data);
      utimesSync(p, when, when);
      return [f.name, p] as const;
    });
    const plan = await planZip(onDisk);
    const parts: Buffer[] = [];
    for await (const b of zipStream(plan.entries)) parts.push(b);
    const streamed = Buffer.concat(parts);
    expect(streamed.length).toBe(plan.totalBytes);
    expect(streamed.equals(zipBuffers(files.map((f) => ({ ...f, mtime: when }))))).toBe(true);
    const file = path.join(tmp, 'disk.zip');
    writeFileSync(file, streamed);
    expect(pythonRead(file).bad).toBeNull();
    const info = execFileSync(PYTHON!, ['-c', 'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).infolist()[0].date_time)', file], { encoding: 'utf8' }).trim();
    expect(info).toBe('(2024, 5, 17, 13, 45, 58)');
  });

  it('an archive with no entries is just the end record, and Python opens it', () => {
    const file = path.join(tmp, 'empty.zip');
    writeFileSync(file, zipBuffers([]));
    expect(zipBuffers([]).length).toBe(22);
    expect(pythonRead(file)).toEqual({ bad: null, entries: [] });
  });

  it('a file that changed size after planning cuts the stream off instead of writing lying offsets', async () => {
    const p = path.join(tmp, 'grows.bin');
    writeFileSync(p, Buffer.alloc(10));
    const plan = await planZip([['grows.bin', p]]);
    writeFileSync(p, Buffer.alloc(20));
    const consume = async () => {
      for await (const b of zipStream(plan.entries)) void b;
    };
    await expect(consume()).rejects.toThrow('grew while it was being sent');
  });
});

describe('entry names and limits', () => {
  it.each(['/etc/passwd', '../x', 'a/../../x', 'a//b', 'a/./b', 'C:/x', 'a\\b', 'a\u0000b', '', 'dir/'])('refuses %j', (name) => {
    expect(entryNameProblem(name)).not.toBeNull();
    expect(() => zipLayout([{ name, size: 0, crc: 0, mtime: new Date() }])).toThrow(RangeError);
  });

  it('accepts plain relative names and refuses duplicates, 4 GiB files and ZIP64 entry counts', () => {
    expect(entryNameProblem('a/b/model.json')).toBeNull();
    const e = { name: 'a', size: 0, crc: 0, mtime: new Date() };
    expect(() => zipLayout([e, e])).toThrow('appears twice');
    expect(() => zipLayout([{ ...e, size: 0xffffffff }])).toThrow('ZIP64');
    expect(() => zipLayout(Array.from({ length: 0x10000 }, (_, i) => ({ ...e, name: `f${i}` })))).toThrow('65535');
  });
});
