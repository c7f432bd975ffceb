// A store-only (uncompressed) ZIP writer for downloads: files are planned once (size and CRC-32 read from disk), so
// the archive's exact length is known before the first byte is sent, then streamed file by file. No ZIP64: an
// archive, or any file in it, of 4 GiB or more is refused, as are more than 65,535 entries.
import { createReadStream, promises as fs } from 'node:fs';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO 3309, the one ZIP and gzip use) of `data`, continuing from `crc` (the value of the bytes before it). */
export function crc32(data: Uint8Array, crc = 0): number {
  let c = (crc ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const LOCAL_HEADER = 30;
const CENTRAL_HEADER = 46;
const END_RECORD = 22;
const MAX_U32 = 0xffffffff;
const MAX_ENTRIES = 0xffff;
/** General purpose flag bit 11: the name is UTF-8. */
const UTF8_FLAG = 0x0800;
const VERSION = 20;

export interface ZipEntry {
  /** Path inside the archive, `/`-separated, relative. */
  name: string;
  size: number;
  crc: number;
  mtime: Date;
}

/** A file on disk planned into an archive. */
export interface ZipFileEntry extends ZipEntry {
  file: string;
}

/** Why `name` cannot be an entry name, or null: no absolute paths, `..`, backslashes, empty parts or control characters. */
export function entryNameProblem(name: string): string | null {
  if (name === '' || Buffer.byteLength(name, 'utf8') > 0xffff) return 'entry names must be 1–65,535 bytes';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(name)) return `entry name ${JSON.stringify(name)} has a backslash or a control character`;
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return `entry name ${JSON.stringify(name)} is absolute`;
  if (name.split('/').some((p) => p === '' || p === '.' || p === '..')) return `entry name ${JSON.stringify(name)} has an empty, "." or ".." part`;
  return null;
}

/** MS-DOS date and time (local time, 2-second steps, 1980–2107) as ZIP stores them. */
function dosTime(d: Date): { time: number; date: number } {
  const year = d.getFullYear();
  if (year < 1980) return { time: 0, date: (1 << 5) | 1 };
  if (year > 2107) return { time: (23 << 11) | (59 << 5) | 29, date: (127 << 9) | (12 << 5) | 31 };
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

function header(e: ZipEntry, central: boolean, offset: number): Buffer {
  const name = Buffer.from(e.name, 'utf8');
  const b = Buffer.alloc((central ? CENTRAL_HEADER : LOCAL_HEADER) + name.length);
  const { time, date } = dosTime(e.mtime);
  const flags = /^[\x20-\x7e]*$/.test(e.name) ? 0 : UTF8_FLAG;
  let o = 0;
  b.writeUInt32LE(central ? 0x02014b50 : 0x04034b50, o);
  o += 4;
  if (central) {
    b.writeUInt16LE((3 << 8) | VERSION, o); // made by: Unix, so extractors apply the mode below
    o += 2;
  }
  b.writeUInt16LE(VERSION, o); // version needed
  b.writeUInt16LE(flags, o + 2);
  b.writeUInt16LE(0, o + 4); // method 0: stored
  b.writeUInt16LE(time, o + 6);
  b.writeUInt16LE(date, o + 8);
  b.writeUInt32LE(e.crc >>> 0, o + 10);
  b.writeUInt32LE(e.size, o + 14); // compressed size = size
  b.writeUInt32LE(e.size, o + 18);
  b.writeUInt16LE(name.length, o + 22);
  b.writeUInt16LE(0, o + 24); // extra field length
  o += 26;
  if (central) {
    b.writeUInt16LE(0, o); // comment length
    b.writeUInt16LE(0, o + 2); // disk number
    b.writeUInt16LE(0, o + 4); // internal attributes
    b.writeUInt32LE((0o100644 << 16) >>> 0, o + 6); // external: a regular file, rw-r--r--
    b.writeUInt32LE(offset, o + 10);
    o += 14;
  }
  name.copy(b, o);
  return b;
}

/** The local header of each entry, its offset, the central directory and the end record, for entries in order. */
export function zipLayout(entries: readonly ZipEntry[]): { locals: Buffer[]; offsets: number[]; tail: Buffer; totalBytes: number } {
  if (entries.length > MAX_ENTRIES) throw new RangeError(`a ZIP holds at most ${MAX_ENTRIES} entries here (got ${entries.length})`);
  const seen = new Set<string>();
  const locals: Buffer[] = [];
  const offsets: number[] = [];
  let offset = 0;
  for (const e of entries) {
    const problem = entryNameProblem(e.name);
    if (problem) throw new RangeError(problem);
    if (seen.has(e.name)) throw new RangeError(`entry name ${JSON.stringify(e.name)} appears twice`);
    seen.add(e.name);
    if (!Number.isSafeInteger(e.size) || e.size < 0 || e.size >= MAX_U32) throw new RangeError(`${e.name} is ${e.size} bytes; files of 4 GiB or more need ZIP64, which this writer does not do`);
    const local = header(e, false, 0);
    locals.push(local);
    offsets.push(offset);
    offset += local.length + e.size;
  }
  const central = Buffer.concat(entries.map((e, i) => header(e, true, offsets[i]!)));
  if (offset + central.length + END_RECORD >= MAX_U32) throw new RangeError('the archive would be 4 GiB or more; ZIP64 is not supported');
  const end = Buffer.alloc(END_RECORD);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0, 4); // this disk
  end.writeUInt16LE(0, 6); // disk with the central directory
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(central.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(0, 20); // comment length
  const tail = Buffer.concat([central, end]);
  return { locals, offsets, tail, totalBytes: offset + tail.length };
}

/** A whole archive in memory, for small contents. */
export function zipBuffers(files: readonly { name: string; data: Uint8Array; mtime?: Date }[]): Buffer {
  const entries = files.map((f) => ({ name: f.name, size: f.data.length, crc: crc32(f.data), mtime: f.mtime ?? new Date() }));
  const { locals, tail } = zipLayout(entries);
  return Buffer.concat([...files.flatMap((f, i) => [locals[i]!, Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength)]), tail]);
}

/** Reads each file once for its size and CRC-32; `files` are [name inside the archive, path on disk]. */
export async function planZip(files: readonly (readonly [name: string, file: string])[]): Promise<{ entries: ZipFileEntry[]; totalBytes: number }> {
  const entries: ZipFileEntry[] = [];
  for (const [name, file] of files) {
    const stat = await fs.stat(file);
    if (!stat.isFile()) throw new RangeError(`${name} is not a regular file`);
    let crc = 0;
    let size = 0;
    for await (const chunk of createReadStream(file)) {
      crc = crc32(chunk as Buffer, crc);
      size += (chunk as Buffer).length;
    }
    entries.push({ name, file, size, crc, mtime: stat.mtime });
  }
  return { entries, totalBytes: zipLayout(entries).totalBytes };
}

/**
 * The archive's bytes in order. A file whose length on disk no longer matches its plan throws, so a changed file
 * never makes an archive whose offsets lie.
 */
export async function* zipStream(entries: readonly ZipFileEntry[]): AsyncGenerator<Buffer> {
  const { locals, tail } = zipLayout(entries);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    yield locals[i]!;
    let sent = 0;
    for await (const chunk of createReadStream(e.file)) {
      const b = chunk as Buffer;
      sent += b.length;
      if (sent > e.size) throw new Error(`${e.name} grew while it was being sent`);
      yield b;
    }
    if (sent !== e.size) throw new Error(`${e.name} shrank while it was being sent`);
  }
  yield tail;
}
