// Bench: `rlab ls` against a lab of 1,000 runs, (a) with no host (the read-only path: SQLite opened read-only, no
// lock), (b) as a client of a running `rlab serve` host, and (c) the host's listRuns over one WebSocket connection
// without the process start-up. Every `rlab` is the real binary in a child process. Prints figures; asserts nothing.
// Run: npm run bench:ls -- [--runs 1000] [--repeats 5] [--calls 30]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { RunConfig } from '../src/shared/contract';
import { ExperimentConfigSchema } from '../src/shared/schemas';
import { connectHost } from '../src/main/lab/host/client';
import { readEndpoint } from '../src/main/lab/host/endpoint-file';
import { openStore, type Store } from '../src/main/lab/store';
import { repoRoot } from './spawn';

const RLAB = path.join(repoRoot, 'bin', 'rlab.mjs');
const EPOCHS = 5;
const EPSILONS = [0.05, 0.1, 0.2, 0.3];

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be an integer >= 1 (got ${raw})`);
  return n;
}

function runConfig(cfg: ReturnType<typeof ExperimentConfigSchema.parse>, role: 'base' | 'adv'): RunConfig {
  return { role, hparams: cfg.hparams, advReg: role === 'base' ? { ...cfg.advReg, multiplier: 0 } : cfg.advReg, data: cfg.data, seed: cfg.seed, attacks: cfg.attacks };
}

/** Seeds the store directly (seconds instead of the hours of training it stands for): finished runs with epochs and evaluations. */
function fill(store: Store, runs: number): void {
  for (let i = 0; i < Math.ceil(runs / 2); i++) {
    const cfg = ExperimentConfigSchema.parse({ name: `sweep ${i}`, tags: [i % 3 === 0 ? 'l2' : 'linf'], hparams: { epochs: EPOCHS } });
    const created = store.createExperiment(cfg, [
      { role: 'base', name: `sweep ${i} · base`, config: runConfig(cfg, 'base') },
      { role: 'adv', name: `sweep ${i} · adv`, config: runConfig(cfg, 'adv') },
    ]);
    for (const run of created.runs) {
      store.setRunStatus(run.id, 'running');
      for (let e = 0; e < EPOCHS; e++) {
        const points = Array.from({ length: 20 }, (_, b) => ({ epoch: e, batch: b, step: e * 20 + b, metrics: { loss: 1 / (b + 1), sparse_categorical_accuracy: b / 20 } }));
        store.recordEpoch(run.id, e, { loss: 0.3, sparse_categorical_crossentropy: 0.25, scaled_adversarial_loss: 0.05, sparse_categorical_accuracy: 0.95 }, 1000, points);
      }
      store.recordEvaluation({ runId: run.id, sourceRunId: null, attack: 'clean', norm: 'infinity', epsilon: 0, steps: 0, stepSize: null, restarts: 0, randomStart: false, accuracy: 0.98, perClassAccuracy: new Array(10).fill(0.98), count: 2000 });
      for (const epsilon of EPSILONS) {
        for (const attack of ['fgsm', 'pgd'] as const) {
          store.recordEvaluation({ runId: run.id, sourceRunId: null, attack, norm: 'infinity', epsilon, steps: attack === 'pgd' ? 20 : 1, stepSize: epsilon / 8, restarts: 1, randomStart: attack === 'pgd', accuracy: Math.random(), perClassAccuracy: new Array(10).fill(0.5), count: 2000 });
        }
      }
      store.setRunStatus(run.id, i % 10 === 0 ? 'failed' : 'completed', i % 10 === 0 ? { error: 'diverged' } : {});
    }
  }
}

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function rlab(home: string, args: string[], timeoutMs = 120_000): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [RLAB, ...args], { env: { ...process.env, RLAB_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

function stats(samples: number[]): { min: number; median: number; max: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor(s.length / 2)]!, max: s[s.length - 1]! };
}

function line(label: string, samples: number[], extra = ''): void {
  const { min, median, max } = stats(samples);
  console.log(`${label.padEnd(52)} n ${String(samples.length).padStart(3)}   min ${min.toFixed(1).padStart(8)} ms   median ${median.toFixed(1).padStart(8)} ms   max ${max.toFixed(1).padStart(8)} ms${extra}`);
}

/** `rlab ls --json` `repeats` times; each must list every run (so a silent fallback or a short list cannot pass as fast). */
async function timeLs(home: string, repeats: number, runs: number, via: 'host' | 'no host'): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const r = await rlab(home, ['ls', '--json']);
    if (r.code !== 0) throw new Error(`rlab ls exited ${r.code}: ${r.stderr.trim()}`);
    const listed = (JSON.parse(r.stdout) as unknown[]).length;
    if (listed !== Math.min(runs, 1000)) throw new Error(`rlab ls listed ${listed} runs, expected ${Math.min(runs, 1000)}`);
    if (via === 'no host' && r.stderr.trim() !== '') throw new Error(`rlab ls without a host said: ${r.stderr.trim()}`);
    samples.push(r.ms);
  }
  return samples;
}

async function waitForEndpoint(home: string, pid: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const read = readEndpoint(home);
    if (read.kind === 'found' && read.endpoint.pid === pid) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`rlab serve published no endpoint within ${timeoutMs / 1000} s`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string' }, repeats: { type: 'string' }, calls: { type: 'string' } } });
  const runs = positive('runs', values.runs, 1000);
  const repeats = positive('repeats', values.repeats, 5);
  const calls = positive('calls', values.calls, 30);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'rlab-bench-ls-'));
  let serve: ReturnType<typeof spawn> | null = null;
  try {
    fs.mkdirSync(path.join(home, 'runs'), { recursive: true });
    const t0 = performance.now();
    const store = openStore(path.join(home, 'lab.sqlite'));
    fill(store, runs);
    const total = store.listRuns({ limit: 100_000 }).length;
    store.close();
    console.log(`machine: ${os.availableParallelism()} cores, load average ${os.loadavg()[0]!.toFixed(1)} (timings scale with load)`);
    console.log(`seeded ${total} runs (${EPOCHS} epochs, ${1 + 2 * EPSILONS.length} evaluations each) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // the start-up every rlab command pays (node + tsx + the CLI), for reading the figures below
    const version: number[] = [];
    for (let i = 0; i < repeats; i++) version.push((await rlab(home, ['--version'])).ms);
    line('rlab --version (process start-up only)', version);

    await rlab(home, ['ls', '--json']); // warm-up: file cache, tsx's compile cache
    line('rlab ls --json, no host (read-only SQLite, no lock)', await timeLs(home, repeats, total, 'no host'));

    const child = spawn(process.execPath, [RLAB, 'serve', '--port', '0'], { env: { ...process.env, RLAB_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    serve = child;
    let serveErr = '';
    child.stderr?.on('data', (d: Buffer) => (serveErr += d.toString()));
    child.stdout?.resume();
    await waitForEndpoint(home, child.pid!, 120_000).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}; its stderr: ${serveErr.trim()}`);
    });
    await rlab(home, ['ls', '--json']); // warm-up against the host
    line(`rlab ls --json, client of rlab serve (pid ${child.pid})`, await timeLs(home, repeats, total, 'host'));

    // the host's answer alone: one connection, listRuns repeated (what a UI or a long-lived client pays)
    const read = readEndpoint(home);
    if (read.kind !== 'found') throw new Error('the endpoint file went away');
    const client = await connectHost(read.endpoint);
    try {
      await client.listRuns({});
      const samples: number[] = [];
      for (let i = 0; i < calls; i++) {
        const t = performance.now();
        const listed = await client.listRuns({});
        samples.push(performance.now() - t);
        if (listed.length !== Math.min(total, 1000)) throw new Error(`listRuns returned ${listed.length} runs`);
      }
      const bytes = Buffer.byteLength(JSON.stringify(await client.listRuns({})));
      line('listRuns over the host\'s WebSocket (one connection)', samples, `   (${(bytes / 1e6).toFixed(2)} MB of JSON)`);
    } finally {
      await client.close();
    }
  } finally {
    if (serve && serve.exitCode === null) {
      const exited = new Promise((r) => serve!.once('exit', r));
      serve.kill('SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (serve.exitCode === null) serve.kill('SIGKILL');
    }
    fs.rmSync(home, { recursive: true, force: true });
  }
}

await main();
