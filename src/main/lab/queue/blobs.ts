// Files between the lab host and its remote workers, kept in Redis as content-addressed chunks: a file is stored
// under the SHA-256 of its bytes in chunks of at most CHUNK_BYTES, and whoever reads it checks size and digest before
// using a byte. Redis is the one service every worker already reaches, so no worker needs a port of the host.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { type Redis } from 'ioredis';
import { LabError } from '../../../shared/errors';
import { tempSibling } from '../data/atomic-fs';

/** One file of a folder the other side needs, by name inside that folder. */
export interface BlobFile {
  name: string;
  sha256: string;
  size: number;
}

export const CHUNK_BYTES = 1024 * 1024;
/** The largest file either side accepts (a model or checkpoint of the lab's models is a few MB). */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;
/** The most files one folder may hold (a checkpoint has 2, a saved model 2, an imported one a few shards). */
export const MAX_FOLDER_FILES = 64;
/** How long a file stays in Redis unless read or written again: long enough for a sweep's queue to drain. */
export const BLOB_TTL_SECONDS = 7 * 24 * 3600;

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const chunkKey = (prefix: string, sha: string, i: number): string => `${prefix}:blob:${sha}:${i}`;

/** A name that can only be a file directly inside its folder. */
export function checkFileName(name: string): string {
  if (!SAFE_NAME.test(name) || name.includes('..')) throw new LabError('permission_denied', `"${name.slice(0, 80)}" is not a plain file name; a worker's files go only into its own run's folder`, 'files');
  return name;
}

/** Stores every plain file of `dir` (not recursing; folders hold flat files) and returns their list. */
export async function putFolder(redis: Redis, prefix: string, dir: string): Promise<BlobFile[]> {
  const names = (await fs.readdir(dir, { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name).sort();
  if (names.length > MAX_FOLDER_FILES) throw new LabError('failed_precondition', `${dir} holds ${names.length} files, more than the ${MAX_FOLDER_FILES} a queue job may carry`, 'files');
  const files: BlobFile[] = [];
  for (const name of names) {
    const bytes = await fs.readFile(path.join(dir, checkFileName(name)));
    files.push({ name, size: bytes.byteLength, sha256: await putBytes(redis, prefix, bytes) });
  }
  return files;
}

export async function putBytes(redis: Redis, prefix: string, bytes: Buffer): Promise<string> {
  if (bytes.byteLength > MAX_FILE_BYTES) throw new LabError('failed_precondition', `a file of ${bytes.byteLength} bytes is more than the ${MAX_FILE_BYTES} a queue job may carry`, 'files');
  const sha = createHash('sha256').update(bytes).digest('hex');
  const multi = redis.multi();
  const chunks = Math.max(1, Math.ceil(bytes.byteLength / CHUNK_BYTES));
  for (let i = 0; i < chunks; i++) multi.set(chunkKey(prefix, sha, i), bytes.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES), 'EX', BLOB_TTL_SECONDS);
  await multi.exec();
  return sha;
}

/** The bytes of `file`, checked against its size and digest; a missing, short or altered file is refused. */
export async function getBytes(redis: Redis, prefix: string, file: BlobFile): Promise<Buffer> {
  if (!Number.isSafeInteger(file.size) || file.size < 0 || file.size > MAX_FILE_BYTES) throw new LabError('permission_denied', `${file.name}: a size of ${String(file.size)} bytes is outside 0–${MAX_FILE_BYTES}`, 'files');
  if (!/^[0-9a-f]{64}$/.test(file.sha256)) throw new LabError('permission_denied', `${file.name}: not a SHA-256 digest`, 'files');
  const chunks = Math.max(1, Math.ceil(file.size / CHUNK_BYTES));
  const parts: Buffer[] = [];
  for (let i = 0; i < chunks; i++) {
    const key = chunkKey(prefix, file.sha256, i);
    const part = await redis.getBuffer(key);
    if (part === null) throw new LabError('not_found', `${file.name} (${file.sha256.slice(0, 12)}…) is no longer in Redis (expired or evicted); run the job again`, 'files');
    await redis.expire(key, BLOB_TTL_SECONDS);
    parts.push(part);
  }
  const bytes = Buffer.concat(parts);
  if (bytes.byteLength !== file.size || createHash('sha256').update(bytes).digest('hex') !== file.sha256) throw new LabError('corrupt_data', `${file.name}: the bytes in Redis do not match their SHA-256; the file is refused`, 'files');
  return bytes;
}

/**
 * Writes the files into `dir` whole or not at all: into a temporary sibling first, renamed into place once every file
 * is checked. An existing `dir` is replaced.
 */
export async function getFolder(redis: Redis, prefix: string, files: readonly BlobFile[], dir: string): Promise<void> {
  if (files.length > MAX_FOLDER_FILES) throw new LabError('permission_denied', `${files.length} files is more than the ${MAX_FOLDER_FILES} a queue job may carry`, 'files');
  await fs.mkdir(path.dirname(dir), { recursive: true });
  const tmp = tempSibling(dir);
  await fs.mkdir(tmp);
  try {
    for (const file of files) await fs.writeFile(path.join(tmp, checkFileName(file.name)), await getBytes(redis, prefix, file));
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rename(tmp, dir);
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Drops files nobody needs any more (a run's older checkpoints once the host has them). */
export async function dropFiles(redis: Redis, prefix: string, files: readonly BlobFile[]): Promise<void> {
  const keys = files.flatMap((f) => Array.from({ length: Math.max(1, Math.ceil(f.size / CHUNK_BYTES)) }, (_, i) => chunkKey(prefix, f.sha256, i)));
  if (keys.length > 0) await redis.del(...keys);
}
