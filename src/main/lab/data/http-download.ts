// Downloads one file over HTTP(S) into the cache: streamed, sha256-checked, reported, and renamed into place only when verified.
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { LabError } from '../../../shared/errors';
import { tempSibling } from './atomic-fs';

export interface FileProgress {
  /** Bytes received so far. */
  received: number;
  /** Bytes expected (Content-Length), undefined when the server does not say. */
  total: number | undefined;
}

export interface DownloadFileOptions {
  /** Expected sha256 (hex); the file is kept only when it matches. */
  sha256: string;
  onProgress?: (p: FileProgress) => void;
  signal?: AbortSignal;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Fetches `url` to `dest`. A failed or mismatching download leaves nothing at `dest` and no temporary file. */
export async function downloadFile(url: string, dest: string, options: DownloadFileOptions): Promise<{ bytes: number }> {
  const expected = options.sha256.toLowerCase();
  if (!SHA256_HEX.test(expected)) throw new LabError('invalid_argument', `sha256 must be 64 hex digits (got ${JSON.stringify(options.sha256)})`, 'sha256');
  const res = await request(url, options.signal);
  const length = Number(res.headers.get('content-length'));
  const total = Number.isFinite(length) && length >= 0 && res.headers.get('content-length') !== null ? length : undefined;
  await fs.mkdir(path.dirname(dest), { recursive: true });
  const tmp = tempSibling(dest);
  const hash = createHash('sha256');
  let received = 0;
  const reader = res.body?.getReader();
  try {
    const handle = await fs.open(tmp, 'w');
    try {
      options.onProgress?.({ received, total });
      for (let step = await reader?.read(); step && !step.done; step = await reader?.read()) {
        const chunk = step.value;
        hash.update(chunk);
        await handle.write(chunk);
        received += chunk.byteLength;
        options.onProgress?.({ received, total });
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (total !== undefined && received !== total) {
      throw new LabError('corrupt_data', `download of ${url} ended after ${received} of ${total} bytes; the file was not kept`, 'url');
    }
    const actual = hash.digest('hex');
    if (actual !== expected) {
      throw new LabError('corrupt_data', `${path.basename(dest)} from ${url} failed its sha256 check (expected ${expected}, got ${actual}); the file was not kept`, 'sha256');
    }
    await fs.rename(tmp, dest);
    return { bytes: received };
  } catch (err) {
    await reader?.cancel().catch(() => undefined);
    await fs.rm(tmp, { force: true });
    if (err instanceof LabError) throw err;
    if (options.signal?.aborted) throw new LabError('cancelled', `download of ${url} was cancelled`, 'url');
    throw new LabError('io_error', `download of ${url} failed: ${describe(err)}`, 'url');
  }
}

/**
 * Reads `<url>.sha256` from the mirror: either a bare hex digest or `sha256sum` output (`<hex>  <name>`).
 * Only as trustworthy as the mirror; used for files whose digest the lab does not know in advance.
 */
export async function fetchMirrorChecksum(url: string, signal?: AbortSignal): Promise<string> {
  const sumUrl = `${url}.sha256`;
  const res = await request(sumUrl, signal);
  const text = (await res.text()).trim();
  const token = text.split(/\s+/)[0]?.toLowerCase() ?? '';
  if (!SHA256_HEX.test(token)) throw new LabError('corrupt_data', `${sumUrl} does not start with a sha256 digest (64 hex digits)`, 'url');
  return token;
}

/** The sha256 (hex) of a file on disk. */
export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function request(url: string, signal?: AbortSignal): Promise<Response> {
  let res: Response;
  try {
    // identity: a server that gzips the transfer would make fetch hand back different bytes than the file's digest covers.
    res = await fetch(url, { headers: { 'accept-encoding': 'identity' }, signal, redirect: 'follow' });
  } catch (err) {
    if (signal?.aborted) throw new LabError('cancelled', `download of ${url} was cancelled`, 'url');
    throw new LabError('io_error', `cannot reach ${url}: ${describe(err)}`, 'url');
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new LabError(res.status === 404 ? 'not_found' : 'io_error', `${url} answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`, 'url');
  }
  return res;
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as Error & { cause?: unknown }).cause;
  return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
}
