// Test helpers for the data module: temporary folders, synthetic examples, PNG writing and a local HTTP mirror.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { expect } from 'vitest';
import { LabError } from '../../../../../src/shared/errors';
import { mulberry32 } from '../../../../../src/main/lab/data/random';

/** A fresh folder under os.tmpdir(); remove it with `fs.rm(dir, { recursive: true })` in afterEach/afterAll. */
export function tmpDir(prefix = 'rlab-data-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Deterministic pseudo-images: `count` 28×28 byte images with random pixels and labels i % numClasses. */
export function syntheticExamples(count: number, numClasses: number, seed: number, size = 28): { images: Uint8Array; labels: Uint8Array } {
  const rng = mulberry32(seed);
  const images = new Uint8Array(count * size * size);
  for (let i = 0; i < images.length; i++) images[i] = Math.floor(rng() * 256);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % numClasses);
  return { images, labels };
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Writes a PNG; `channels` 1 = gray, 3 = RGB, 4 = RGBA, values given per pixel per channel. */
export async function writePng(file: string, width: number, height: number, channels: 1 | 3 | 4, values: ArrayLike<number>): Promise<void> {
  const png = new PNG({ width, height });
  for (let p = 0; p < width * height; p++) {
    const at = p * channels;
    const [r, g, b, a] = channels === 1 ? [values[at]!, values[at]!, values[at]!, 255] : [values[at]!, values[at + 1]!, values[at + 2]!, channels === 4 ? values[at + 3]! : 255];
    png.data[4 * p] = r;
    png.data[4 * p + 1] = g;
    png.data[4 * p + 2] = b;
    png.data[4 * p + 3] = a;
  }
  // colorType 0 stores gray, 2 RGB, 6 RGBA, so the importer meets each stored kind.
  const colorType = channels === 1 ? 0 : channels === 3 ? 2 : 6;
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, PNG.sync.write(png, { colorType, inputColorType: 6 }));
}

export interface Mirror {
  baseUrl: string;
  /** Path → body served; change entries to change what the mirror serves. */
  files: Map<string, Buffer>;
  /** Path → number of requests received. */
  hits: Map<string, number>;
  /** Paths whose response announces the full length but stops halfway (a dropped connection). */
  truncated: Set<string>;
  close(): Promise<void>;
}

/** A static file server on 127.0.0.1 with a random port, serving `files` under /mirror/. */
export async function startMirror(files: Map<string, Buffer>): Promise<Mirror> {
  const hits = new Map<string, number>();
  const truncated = new Set<string>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    const body = url.pathname.startsWith('/mirror/') ? files.get(url.pathname.slice('/mirror/'.length)) : undefined;
    if (!body) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    // Two writes so the client sees more than one chunk and reports progress in between.
    const half = Math.floor(body.length / 2);
    res.write(body.subarray(0, half));
    // The delay lets the first half reach the client, so the cut happens inside the body.
    if (truncated.has(url.pathname.slice('/mirror/'.length))) setTimeout(() => res.destroy(), 50);
    else res.end(body.subarray(half));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/mirror/`,
    files,
    hits,
    truncated,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Names of every entry below `dir`, recursively, relative to it (for "nothing else was left behind" checks). */
export async function listTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string): Promise<void> {
    let entries;
    try {
      entries = await fs.readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = path.join(d, e.name);
      out.push(path.relative(dir, full));
      if (e.isDirectory()) await walk(full);
    }
  }
  await walk(dir);
  return out.sort();
}

/** The LabError a promise rejects with; fails the test when it resolves or rejects with anything else. */
export async function rejection(p: Promise<unknown>): Promise<LabError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LabError);
  return err as LabError;
}
