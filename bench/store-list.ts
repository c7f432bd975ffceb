// Benchmark: listing runs from a store holding 1,000 runs with metrics and evaluations (target: listRuns < 50 ms).
// Run: npx tsx bench/store-list.ts [runs]. Exits with code 1 when the median listRuns time misses the target.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { RunConfig } from '../src/shared/contract';
import { ExperimentConfigSchema } from '../src/shared/schemas';
import { openStore, type Store } from '../src/main/lab/store';

const RUNS = Number(process.argv[2] ?? 1000);
const EPOCHS = 5;
const BATCHES_PER_EPOCH = 200;
const EPSILONS = [0.05, 0.1, 0.2, 0.3];
const TARGET_MS = 50;
const REPEATS = 30;

function runConfig(cfg: ReturnType<typeof ExperimentConfigSchema.parse>, role: 'base' | 'adv'): RunConfig {
  return { role, hparams: cfg.hparams, advReg: role === 'base' ? { ...cfg.advReg, multiplier: 0 } : cfg.advReg, data: cfg.data, seed: cfg.seed, attacks: cfg.attacks };
}

function fill(store: Store): void {
  for (let i = 0; i < RUNS / 2; i++) {
    const cfg = ExperimentConfigSchema.parse({ name: `sweep ${i}`, tags: [i % 3 === 0 ? 'l2' : 'linf'], hparams: { epochs: EPOCHS } });
    const { runs } = store.createExperiment(cfg, [
      { role: 'base', name: `sweep ${i} base`, config: runConfig(cfg, 'base') },
      { role: 'adv', name: `sweep ${i} adv`, config: runConfig(cfg, 'adv') },
    ]);
    for (const run of runs) {
      store.setRunStatus(run.id, 'running');
      for (let e = 0; e < EPOCHS; e++) {
        const points = Array.from({ length: BATCHES_PER_EPOCH }, (_, b) => ({ epoch: e, batch: b, step: e * BATCHES_PER_EPOCH + b, metrics: { loss: 1 / (b + 1), sparse_categorical_accuracy: b / BATCHES_PER_EPOCH } }));
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

function time(label: string, fn: () => unknown): number {
  fn(); // warm-up: prepares the statement and pulls pages into the cache
  const samples: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)];
  const p90 = samples[Math.floor(samples.length * 0.9)];
  console.log(`${label.padEnd(40)} min ${samples[0].toFixed(2).padStart(7)} ms   median ${median.toFixed(2).padStart(7)} ms   p90 ${p90.toFixed(2).padStart(7)} ms`);
  return median;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlab-bench-store-'));
try {
  const file = path.join(dir, 'lab.db');
  let store = openStore(file);
  const t0 = performance.now();
  fill(store);
  const fillMs = performance.now() - t0;
  store.close();
  store = openStore(file); // a cold open, as at start-up (includes quick_check)
  const size = fs.statSync(file).size + (fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0);
  console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)} (timings scale with load)`);
  console.log(`filled ${RUNS} runs (${EPOCHS} epochs × ${BATCHES_PER_EPOCH} batches reported, ${1 + 2 * EPSILONS.length} evaluations each) in ${(fillMs / 1000).toFixed(1)} s; database ${(size / 1e6).toFixed(1)} MB`);

  const all = time(`listRuns() → ${store.listRuns().length} runs`, () => store.listRuns());
  time('listRuns({ status: [completed] })', () => store.listRuns({ status: ['completed'] }));
  time('listRuns({ tag: l2 })', () => store.listRuns({ tag: 'l2' }));
  time('listRuns({ search: "sweep 4" })', () => store.listRuns({ search: 'sweep 4' }));
  const someRun = store.listRuns({ limit: 1 })[0].id;
  time('getRun (detail with evaluations)', () => store.getRun(someRun));
  time('getMetrics (epochs + batch points)', () => store.getMetrics(someRun));
  store.close();

  const ok = all < TARGET_MS;
  console.log(`listRuns of ${RUNS} runs: ${all.toFixed(2)} ms (target < ${TARGET_MS} ms) ${ok ? 'OK' : 'MISSED'}`);
  if (!ok) process.exitCode = 1;
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
