// The IDX file format (MNIST's): decode and encode unsigned-byte arrays, read and write raw or gzipped files.
import { promises as fs } from 'node:fs';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { LabError } from '../../../shared/errors';
import { writeFileAtomic } from './atomic-fs';

const gunzip = promisify(zlib.gunzip);
const gzip = promisify(zlib.gzip);

/** An n-dimensional unsigned-byte array as stored in an IDX file, row-major. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;
// The other element types the format defines; named so the error can say what the file holds.
const TYPE_NAMES: Record<number, string> = { 0x08: 'uint8', 0x09: 'int8', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64' };
const MAX_DIMS = 8;

/** Parses IDX bytes; `source` names the file in every error. Returns a view into `bytes`, not a copy. */
export function decodeIdx(bytes: Uint8Array, source: string): IdxArray {
  if (bytes.length < 4) {
    throw new LabError('corrupt_data', `${source} is truncated: ${bytes.length} bytes, too short for an IDX header`, 'file');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const type = bytes[2]!;
  const ndims = bytes[3]!;
  if (bytes[0] !== 0 || bytes[1] !== 0 || TYPE_NAMES[type] === undefined || ndims < 1 || ndims > MAX_DIMS) {
    throw new LabError('corrupt_data', `${source} is not an IDX file: magic number 0x${hex32(magic)} (expected 0x000008NN, e.g. 0x00000803 for images, 0x00000801 for labels)`, 'file');
  }
  if (type !== UBYTE) {
    throw new LabError('unsupported', `${source} holds ${TYPE_NAMES[type]} values (IDX type 0x${type.toString(16).padStart(2, '0')}); only uint8 (0x08) is supported`, 'file');
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new LabError('corrupt_data', `${source} is truncated: header declares ${ndims} dimensions but the file has only ${bytes.length} bytes`, 'file');
  }
  const dims: number[] = [];
  let expected = 1;
  for (let i = 0; i < ndims; i++) {
    const d = view.getUint32(4 + 4 * i);
    dims.push(d);
    expected *= d;
  }
  const have = bytes.length - headerBytes;
  if (have < expected) {
    throw new LabError('corrupt_data', `${source} is truncated: dimensions [${dims.join(', ')}] need ${expected} data bytes, found ${have}`, 'file');
  }
  if (have > expected) {
    throw new LabError('corrupt_data', `${source} has ${have - expected} bytes after the data that dimensions [${dims.join(', ')}] describe`, 'file');
  }
  return { dims, data: bytes.subarray(headerBytes, headerBytes + expected) };
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

/** Reads a raw or gzipped IDX file. */
export async function readIdxFile(file: string): Promise<IdxArray> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new LabError('not_found', `IDX file not found: ${file}`, 'file');
    throw new LabError('io_error', `cannot read ${file}: ${(err as Error).message}`, 'file');
  }
  if (isGzip(bytes)) {
    try {
      bytes = await gunzip(bytes);
    } catch (err) {
      throw new LabError('corrupt_data', `${file} is not a valid gzip file (${(err as Error).message}); it may be truncated`, 'file');
    }
  }
  return decodeIdx(bytes, file);
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

function hex32(n: number): string {
  return n.toString(16).padStart(8, '0');
}
