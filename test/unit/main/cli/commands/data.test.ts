// `rlab data ls | download | import` through the real binary: a local HTTP mirror for downloads, IDX and PNG files
// written by the test for imports, and `rlab run --dataset mnist` refused until MNIST is downloaded.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatasetInfo } from '../../../../../src/shared/contract';
import { encodeIdx } from '../../../../../src/main/lab/data/idx';
import { DATASET_FILES, type RemotePart } from '../../../../../src/main/lab/data/remote-datasets';
import { sha256, startMirror, syntheticExamples, writePng, type Mirror } from '../../lab/data/fixtures';
import { RLAB_BIN, runRlab, type RlabResult } from '../rlab-process';

let tmp: string;
let mirror: Mirror;

// small stand-ins for MNIST's four archives, under the official names, each with the `.sha256` a mirror publishes
const train = syntheticExamples(30, 10, 7);
const test = syntheticExamples(10, 10, 8);
const ARCHIVES: Record<RemotePart, Buffer> = {
  trainImages: zlib.gzipSync(encodeIdx({ dims: [30, 28, 28], data: train.images })),
  trainLabels: zlib.gzipSync(encodeIdx({ dims: [30], data: train.labels })),
  testImages: zlib.gzipSync(encodeIdx({ dims: [10, 28, 28], data: test.images })),
  testLabels: zlib.gzipSync(encodeIdx({ dims: [10], data: test.labels })),
};

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'rlab-data-cli-'));
  const files = new Map<string, Buffer>();
  for (const [part, bytes] of Object.entries(ARCHIVES) as [RemotePart, Buffer][]) {
    const name = DATASET_FILES.mnist.files[part].file;
    files.set(name, bytes);
    files.set(`${name}.sha256`, Buffer.from(`${sha256(bytes)}  ${name}\n`));
  }
  mirror = await startMirror(files);
});
afterAll(async () => {
  await mirror.close();
  rmSync(tmp, { recursive: true, force: true });
});

function freshHome(): string {
  return mkdtempSync(path.join(tmp, 'home-'));
}

const rlab = (home: string, args: string[], env: Record<string, string> = {}): Promise<RlabResult> => runRlab(home, args, 120_000, env);

function datasets(r: RlabResult): DatasetInfo[] {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as DatasetInfo[];
}

describe('rlab data ls', () => {
  it('lists the bundled sample as ready and the full sets as not downloaded, with the command that fetches them', async () => {
    const home = freshHome();
    const all = datasets(await rlab(home, ['data', 'ls', '--json']));
    expect(all.map((d) => [d.id, d.available])).toEqual([
      ['mnist-sample', true],
      ['mnist', false],
      ['fashion-mnist', false],
    ]);
    const table = await rlab(home, ['data', 'ls']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^mnist\s+MNIST \(70,000 digits\)\s+—\s+not downloaded \(rlab data download mnist\)/m);
  });
});

describe('rlab data download', () => {
  it('refuses `rlab run --dataset mnist` before the download, naming the command, and stores nothing', async () => {
    const home = freshHome();
    const r = await rlab(home, ['run', '--preset', 'quick', '--dataset', 'mnist']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^rlab run: --dataset "mnist" is not downloaded yet: .*`rlab data download mnist`/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse((await rlab(home, ['ls', '--json'])).stdout)).toEqual([]);
  });

  it('downloads from RLAB_MNIST_MIRROR with the mirror’s checksums, prints the dataset with its id, and ls shows it ready', async () => {
    const home = freshHome();
    const env = { RLAB_MNIST_MIRROR: mirror.baseUrl, RLAB_MIRROR_CHECKSUMS: 'mirror' };
    const r = await rlab(home, ['data', 'download', 'mnist', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout) as DatasetInfo;
    expect(info).toMatchObject({ id: 'mnist', kind: 'mnist', count: 40, available: true, source: mirror.baseUrl });
    expect(datasets(await rlab(home, ['data', 'ls', '--json'])).find((d) => d.id === 'mnist')).toMatchObject({ available: true, count: 40 });
    // the same split check as any dataset now applies: MNIST's official test part here has 10 images
    const tooBig = await rlab(home, ['run', '--preset', 'quick', '--dataset', 'mnist', '--train-size', '20', '--test-size', '20']);
    expect(tooBig.code).toBe(2);
    expect(tooBig.stderr).not.toContain('not downloaded');
    const again = await rlab(home, ['data', 'download', 'mnist']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe('downloaded MNIST (70,000 digits) as mnist: 40 images, 10 classes; train on it with rlab run --dataset mnist\n');
  });

  it('checks a mirror’s files against the official digests by default: stand-ins fail with exit 1 and nothing is kept', async () => {
    const home = freshHome();
    const r = await rlab(home, ['data', 'download', 'mnist'], { RLAB_MNIST_MIRROR: mirror.baseUrl });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^rlab data: .*sha256/);
    expect(r.stdout).toBe('');
    expect(datasets(await rlab(home, ['data', 'ls', '--json'])).find((d) => d.id === 'mnist')?.available).toBe(false);
  });

  it('refuses a dataset it cannot download and a bad RLAB_MIRROR_CHECKSUMS, naming what is allowed', async () => {
    const home = freshHome();
    const cifar = await rlab(home, ['data', 'download', 'cifar10']);
    expect(cifar.code).toBe(2);
    expect(cifar.stderr).toBe('rlab data: <dataset> must be one of "mnist", "fashion-mnist" (got "cifar10")\n');
    const bad = await rlab(home, ['data', 'download', 'mnist'], { RLAB_MNIST_MIRROR: mirror.baseUrl, RLAB_MIRROR_CHECKSUMS: 'trust-me' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('rlab data: RLAB_MIRROR_CHECKSUMS must be official or mirror (got "trust-me")\n');
  });
});

describe('rlab data download, cut short', () => {
  it('ends with 130 on Ctrl-C while a mirror stalls, and the dataset is not listed as downloaded', async () => {
    const home = freshHome();
    // announces a megabyte, sends a kilobyte, then nothing: the download waits until the user gives up
    const stall = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-length': 1_000_000 });
      res.write(Buffer.alloc(1000));
    });
    await new Promise<void>((resolve) => stall.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = stall.address() as AddressInfo;
      const child = spawn(process.execPath, [RLAB_BIN, 'data', 'download', 'mnist'], { env: { ...process.env, RLAB_HOME: home, RLAB_MNIST_MIRROR: `http://127.0.0.1:${port}/` }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += String(d)));
      const ended = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
      // the partial file appearing means the command is downloading
      const downloads = path.join(home, 'data', 'downloads', 'mnist');
      for (let waited = 0; !(await readdir(downloads).catch(() => [] as string[])).some((n) => n.includes('.tmp-')); waited += 100) {
        if (waited > 60_000) throw new Error(`no download started: ${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      child.kill('SIGINT');
      const end = await ended;
      // killed by the signal (the shell reports 130) or exiting with 130 itself
      expect(end.code === 130 || end.signal === 'SIGINT', `${JSON.stringify(end)} ${stderr}`).toBe(true);
    } finally {
      stall.closeAllConnections();
      await new Promise<void>((resolve) => stall.close(() => resolve()));
    }
    expect(datasets(await rlab(home, ['data', 'ls', '--json'])).find((d) => d.id === 'mnist')?.available).toBe(false);
    // the dead process's partial file is cleared by the next download, which completes
    const downloads = path.join(home, 'data', 'downloads', 'mnist');
    expect((await readdir(downloads)).some((n) => n.includes('.tmp-'))).toBe(true);
    const next = await rlab(home, ['data', 'download', 'mnist', '--json'], { RLAB_MNIST_MIRROR: mirror.baseUrl, RLAB_MIRROR_CHECKSUMS: 'mirror' });
    expect(next.code, next.stderr).toBe(0);
    expect((await readdir(downloads)).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });
});

describe('rlab data import', () => {
  it('imports an IDX pair and a PNG folder, printing each dataset with its id, and both are listed', async () => {
    const home = freshHome();
    const dir = mkdtempSync(path.join(tmp, 'files-'));
    const ex = syntheticExamples(12, 3, 11);
    const images = path.join(dir, 'images.idx');
    const labels = path.join(dir, 'labels.idx');
    writeFileSync(images, encodeIdx({ dims: [12, 28, 28], data: ex.images }));
    writeFileSync(labels, encodeIdx({ dims: [12], data: ex.labels }));
    const idx = await rlab(home, ['data', 'import', '--name', 'my digits', '--idx', images, labels, '--json']);
    expect(idx.code, idx.stderr).toBe(0);
    const fromIdx = JSON.parse(idx.stdout) as DatasetInfo;
    expect(fromIdx).toMatchObject({ kind: 'imported', name: 'my digits', count: 12 });
    expect(fromIdx.id).toMatch(/\S/);

    const pngs = path.join(dir, 'pngs');
    for (const cls of ['cat', 'dog']) for (let i = 0; i < 2; i++) await writePng(path.join(pngs, cls, `${i}.png`), 28, 28, 1, syntheticExamples(1, 1, i + (cls === 'cat' ? 0 : 9)).images);
    const png = await rlab(home, ['data', 'import', '--name', 'pets', '--png-folder', pngs]);
    expect(png.code, png.stderr).toBe(0);
    expect(png.stdout).toMatch(/^imported pets as imported:(\S+): 4 images, 2 classes; train on it with rlab run --dataset imported:\1\n$/);

    const listed = datasets(await rlab(home, ['data', 'ls', '--json'])).filter((d) => d.kind === 'imported');
    expect(listed.map((d) => [d.name, d.count, d.classNames.length])).toEqual([
      ['my digits', 12, 3],
      ['pets', 4, 2],
    ]);
    expect(listed[0]!.id).toBe(fromIdx.id);
  });

  it('refuses incomplete or contradictory sources with exit 2 and one line, importing nothing', async () => {
    const home = freshHome();
    const cases: [string[], string][] = [
      [['data', 'import', '--idx', 'a', 'b'], 'rlab data: --name is required: the name of the new dataset, e.g. --name my-digits'],
      [['data', 'import', '--name', 'x'], 'rlab data: give what to import: --idx IMAGES LABELS or --png-folder DIR'],
      [['data', 'import', '--name', 'x', '--idx', 'a'], 'rlab data: --idx needs two files: --idx IMAGES LABELS (the labels file is missing)'],
      [['data', 'import', '--name', 'x', '--idx', 'a', 'b', '--png-folder', 'c'], 'rlab data: give either --idx IMAGES LABELS or --png-folder DIR, not both'],
      [['data', 'import', '--name', 'x', '--png-folder', path.join(tmp, 'no-such-folder')], `rlab data: --png-folder not found: ${path.join(tmp, 'no-such-folder')}`],
      [['data', 'frobnicate'], 'rlab data: unknown subcommand "frobnicate"; rlab data subcommands: ls, download, import'],
      [['data'], 'rlab data: "rlab data" needs a subcommand: ls, download, import'],
    ];
    for (const [args, line] of cases) {
      const r = await rlab(home, args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(`${line}\n`);
      expect(r.stdout).toBe('');
    }
    const data = path.join(home, 'data');
    const entries = await readdir(data).catch(() => [] as string[]);
    // only the bundled sample's cache (made by the listing above, if any) — no imported dataset
    expect(entries.filter((e) => e !== 'mnist-sample')).toEqual([]);
  }, 180_000);
});
