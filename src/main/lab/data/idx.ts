// The IDX file format (MNIST's): decode and encode unsigned-byte arrays, read and write raw or gzipped files.
// Reading is bounded: the header's dimensions give the exact size the data must have, a global cap bounds that,
// and a gzipped file is inflated as a stream that stops the moment it would produce more than the header declares.
import { createReadStream, promises as fs } from 'node:fs';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { LabError } from '../../../shared/errors';
import { writeFileAtomic } from './atomic-fs';

const gzip = promisify(zlib.gzip);

/** An n-dimensional unsigned-byte array as stored in an IDX file, row-major. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/**
 * The most bytes one IDX file may hold, header included: full MNIST's training images are 47 MB, the lab's whole
 * cache of a 70,000-image dataset 55 MB. A header declaring more is refused before anything is allocated.
 */
export const MAX_IDX_BYTES = 256 * 1024 * 1024;

const UBYTE = 0x08;
// The other element types the format defines; named so the error can say what the file holds.
const TYPE_NAMES: Record<number, string> = { 0x08: 'uint8', 0x09: 'int8', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64' };
const MAX_DIMS = 8;
const MAX_HEADER_BYTES = 4 + 4 * MAX_DIMS;

/** What an IDX header declares: the dimensions and the exact size of the whole file. */
export interface IdxHeader {
  dims: number[];
  headerBytes: number;
  /** header + data bytes the dimensions describe. */
  totalBytes: number;
}

export interface ReadIdxOptions {
  /** Cap on the file's (uncompressed) size; default MAX_IDX_BYTES. */
  maxBytes?: number;
}

/**
 * Parses the header at the start of `bytes`; null when more bytes are needed to see all of it. Errors name `source`
 * and say what is wrong, never which bytes the file holds.
 */
export function parseIdxHeader(bytes: Uint8Array, source: string, maxBytes = MAX_IDX_BYTES): IdxHeader | null {
  if (bytes.length < 4) return null;
  const type = bytes[2]!;
  const ndims = bytes[3]!;
  if (bytes[0] !== 0 || bytes[1] !== 0 || TYPE_NAMES[type] === undefined || ndims < 1 || ndims > MAX_DIMS) {
    throw new LabError('corrupt_data', `${source} is not an IDX file: it does not start with an IDX magic number (0x000008NN, e.g. 0x00000803 for images, 0x00000801 for labels)`, 'file');
  }
  if (type !== UBYTE) {
    throw new LabError('unsupported', `${source} holds ${TYPE_NAMES[type]} values (IDX type 0x${type.toString(16).padStart(2, '0')}); only uint8 (0x08) is supported`, 'file');
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let total = 1;
  for (let i = 0; i < ndims; i++) {
    const d = view.getUint32(4 + 4 * i);
    dims.push(d);
    total *= d;
  }
  total += headerBytes;
  if (total > maxBytes) {
    throw new LabError('unsupported', `${source} declares dimensions [${dims.join(', ')}], ${total} bytes; an IDX file may hold at most ${maxBytes} bytes`, 'file');
  }
  return { dims, headerBytes, totalBytes: total };
}

/** Parses IDX bytes; `source` names the file in every error. Returns a view into `bytes`, not a copy. */
export function decodeIdx(bytes: Uint8Array, source: string, maxBytes = MAX_IDX_BYTES): IdxArray {
  if (bytes.length < 4) {
    throw new LabError('corrupt_data', `${source} is truncated: ${bytes.length} bytes, too short for an IDX header`, 'file');
  }
  const header = parseIdxHeader(bytes, source, maxBytes);
  if (header === null) {
    throw new LabError('corrupt_data', `${source} is truncated: header declares ${bytes[3]} dimensions but the file has only ${bytes.length} bytes`, 'file');
  }
  checkLength(header, bytes.length, source);
  return { dims: header.dims, data: bytes.subarray(header.headerBytes, header.totalBytes) };
}

function checkLength(header: IdxHeader, have: number, source: string): void {
  const expected = header.totalBytes - header.headerBytes;
  const data = have - header.headerBytes;
  if (data < expected) {
    throw new LabError('corrupt_data', `${source} is truncated: dimensions [${header.dims.join(', ')}] need ${expected} data bytes, found ${data}`, 'file');
  }
  if (data > expected) {
    throw new LabError('corrupt_data', `${source} has ${data - expected} bytes after the data that dimensions [${header.dims.join(', ')}] describe`, 'file');
  }
}

/** Encodes an unsigned-byte array as IDX bytes (type 0x08). */
export function encodeIdx(arr: IdxArray): Buffer {
  const { dims, data } = arr;
  if (dims.length < 1 || dims.length > MAX_DIMS) {
    throw new LabError('invalid_argument', `dims must have 1–${MAX_DIMS} entries (got ${dims.length})`, 'dims');
  }
  let size = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0 || d > 0xffffffff) throw new LabError('invalid_argument', `dims must be integers in [0, 2^32) (got ${d})`, 'dims');
    size *= d;
  }
  if (size !== data.length) {
    throw new LabError('invalid_argument', `data has ${data.length} bytes but dims [${dims.join(', ')}] describe ${size}`, 'data');
  }
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = UBYTE;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, data]);
}

/** True when `bytes` start with the gzip signature; used instead of the file name, which may lie. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function ioError(file: string, err: unknown): LabError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new LabError('not_found', `IDX file not found: ${file}`, 'file');
  return new LabError('io_error', `cannot read ${file}: ${code ?? (err instanceof Error ? err.message : String(err))}`, 'file');
}

/** Reads a raw or gzipped IDX file, never holding more than the header declares (and at most `maxBytes`). */
export async function readIdxFile(file: string, options: ReadIdxOptions = {}): Promise<IdxArray> {
  const maxBytes = options.maxBytes ?? MAX_IDX_BYTES;
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (err) {
    throw ioError(file, err);
  }
  let head: Buffer;
  let size: number;
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new LabError('invalid_argument', `${file} is not a regular file`, 'file');
    size = stat.size;
    head = Buffer.alloc(Math.min(size, MAX_HEADER_BYTES));
    await handle.read(head, 0, head.length, 0);
    if (!isGzip(head)) {
      // a raw file's size is known before reading it: refuse a mismatch without reading the data
      const header = parseIdxHeader(head, file, maxBytes);
      if (header === null) decodeIdx(head, file, maxBytes);
      checkLength(header!, size, file);
      const bytes = Buffer.alloc(size);
      const { bytesRead } = await handle.read(bytes, 0, size, 0);
      if (bytesRead !== size) throw new LabError('corrupt_data', `${file} changed while it was being read`, 'file');
      return decodeIdx(bytes, file, maxBytes);
    }
  } catch (err) {
    if (err instanceof LabError) throw err;
    throw ioError(file, err);
  } finally {
    await handle.close();
  }
  if (size > maxBytes) throw new LabError('unsupported', `${file} is ${size} bytes compressed; an IDX file may hold at most ${maxBytes} bytes`, 'file');
  return decodeIdx(await gunzipBounded(file, maxBytes), file, maxBytes);
}

/**
 * Inflates a gzipped IDX file as a stream. The first bytes give the header and so the exact size of the whole
 * file; the output buffer is allocated at that size once, and inflating stops as soon as the stream would
 * produce a byte more (a decompression bomb is refused after at most one chunk past the declared size).
 */
function gunzipBounded(file: string, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const input = createReadStream(file);
    const gunzip = zlib.createGunzip();
    let header: IdxHeader | null = null;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let out: Buffer | null = null;
    let written = 0;
    let settled = false;
    const stop = (err: LabError | null, value?: Buffer): void => {
      if (settled) return;
      settled = true;
      input.destroy();
      gunzip.destroy();
      if (err) reject(err);
      else resolve(value!);
    };
    const take = (chunk: Buffer): void => {
      if (out === null) {
        pending.push(chunk);
        pendingBytes += chunk.length;
        header = parseIdxHeader(Buffer.concat(pending, Math.min(pendingBytes, MAX_HEADER_BYTES)), file, maxBytes);
        if (header === null) return;
        out = Buffer.alloc(header.totalBytes);
        const chunks = pending;
        pending = [];
        for (const c of chunks) take(c);
        return;
      }
      if (written + chunk.length > out.length) {
        stop(new LabError('corrupt_data', `${file} inflates to more than the ${out.length} bytes its dimensions [${header!.dims.join(', ')}] describe; it is not a valid IDX file`, 'file'));
        return;
      }
      chunk.copy(out, written);
      written += chunk.length;
    };
    gunzip.on('data', (chunk: Buffer) => {
      if (settled) return;
      // a throw here would escape the stream as an uncaught exception and take the host down
      try {
        take(chunk);
      } catch (err) {
        stop(LabError.wrap(err, 'corrupt_data'));
      }
    });
    gunzip.on('end', () => {
      if (out === null) stop(null, Buffer.concat(pending));
      else stop(null, written === out.length ? out : out.subarray(0, written));
    });
    gunzip.on('error', () => stop(new LabError('corrupt_data', `${file} is not a valid gzip file; it may be truncated`, 'file')));
    input.on('error', (err) => stop(ioError(file, err)));
    input.pipe(gunzip);
  });
}

export interface WriteIdxOptions {
  /** Gzip the file; defaults to true when the name ends in `.gz`. */
  gzip?: boolean;
}

/** Writes an IDX file atomically (temporary file, then rename). */
export async function writeIdxFile(file: string, arr: IdxArray, options: WriteIdxOptions = {}): Promise<void> {
  const raw = encodeIdx(arr);
  const compress = options.gzip ?? file.endsWith('.gz');
  await writeFileAtomic(file, compress ? await gzip(raw) : raw);
}
