// Bench: sweep throughput on this host with 1, 2 and 4 local engine workers — runs per hour of one small sweep, the
// scaling ratio against one worker measured in the same process, and the queue's per-job overhead (a run's creation
// to its first progress event, on a warm worker). Prints figures; asserts nothing (issue 12).
// Run: npm run bench:sweeps -- [--workers 1,2,4] [--cells 8] [--json FILE]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createLabService } from '../src/main/lab/service/service';
import { type SweepSpecInput } from '../src/shared/sweep-spec';

const USAGE = 'npm run bench:sweeps -- [--workers 1,2,4] [--cells 8] [--json FILE]';

interface Row {
  workers: number;
  runs: number;
  wallSeconds: number;
  runsPerHour: number;
  /** The sweep's creation → the first run's first training progress event: a fresh worker loading TensorFlow (ms). */
  coldStartMs: number;
  /** With one worker: median over runs of the previous run's end → this run's first progress event (ms). */
  warmStartMs: number | null;
}

/** A cell trains one adv run of the tutorial CNN (thinner) for one epoch on 1,000 digits, then FGSM on 200. */
function spec(cells: number): SweepSpecInput {
  return {
    name: 'bench',
    base: {
      name: 'bench',
      runs: ['adv'],
      hparams: { convFilters: [16, 32], numFcUnits: [32], epochs: 1, batchSize: 32 },
      advReg: { multiplier: 0.2, advStepSize: 0.05, advGradNorm: 'infinity' },
      data: { trainSize: 1000, testSize: 200 },
      attacks: [{ attack: 'fgsm', norm: 'infinity', epsilons: [0.1] }],
    },
    axes: [{ path: 'advReg.multiplier', values: Array.from({ length: cells }, (_, i) => Number((0.05 * (i + 1)).toFixed(2))) }],
  };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function measure(workers: number, cells: number): Promise<Row> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'rlab-bench-sweep-'));
  const lab = await createLabService({ home });
  try {
    const firstProgress = new Map<string, number>();
    lab.onProgress((p) => {
      if (p.phase === 'train' && !firstProgress.has(p.runId)) firstProgress.set(p.runId, Date.now());
    });
    const started = performance.now();
    const createdAt = Date.now();
    const sweep = await lab.createSweep({ spec: spec(cells), workers });
    await lab.whenIdle();
    const wallSeconds = (performance.now() - started) / 1000;
    const runs = (await lab.getSweep({ sweepId: sweep.id })).cells.flatMap((c) => c.runs);
    const failed = runs.filter((r) => r.status !== 'completed');
    if (failed.length > 0) throw new Error(`${failed.length} runs did not complete: ${failed[0]!.error ?? failed[0]!.status}`);
    const byStart = [...runs].sort((x, y) => Date.parse(x.startedAt!) - Date.parse(y.startedAt!));
    const first = (id: string) => firstProgress.get(id) ?? NaN;
    const gaps = workers === 1 ? byStart.slice(1).map((r, k) => first(r.id) - Date.parse(byStart[k]!.finishedAt!)).filter(Number.isFinite) : [];
    return { workers, runs: runs.length, wallSeconds, runsPerHour: (3600 * runs.length) / wallSeconds, coldStartMs: first(byStart[0]!.id) - createdAt, warmStartMs: gaps.length ? median(gaps) : null };
  } finally {
    await lab.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { workers: { type: 'string', default: '1,2,4' }, cells: { type: 'string', default: '8' }, json: { type: 'string' }, help: { type: 'boolean', default: false } } });
  if (values.help) return void console.log(USAGE);
  const counts = values.workers.split(',').map(Number);
  const cells = Number(values.cells);
  if (counts.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(cells) || cells < 1) throw new Error(`--workers must list integers ≥ 1 and --cells be one\n${USAGE}`);
  const rows: Row[] = [];
  const load = os.loadavg()[0]!;
  for (const n of counts) {
    console.error(`[bench] sweep of ${cells} runs on ${n} worker${n === 1 ? '' : 's'} ...`);
    rows.push(await measure(n, cells));
  }
  const one = rows.find((r) => r.workers === 1) ?? rows[0]!;
  console.log(`Sweep throughput: ${cells} adv runs (1 epoch, 1,000 digits, 16/32-filter CNN, FGSM on 200), one host, ${os.availableParallelism()} logical CPUs, load ${load.toFixed(1)} at start`);
  console.log('workers  runs  wall s  runs/hour  vs 1 worker  sweep → first batch  previous run end → next first batch');
  for (const r of rows) {
    const warm = r.warmStartMs === null ? '—' : `${r.warmStartMs.toFixed(0)} ms (median)`;
    console.log(`${String(r.workers).padEnd(7)}  ${String(r.runs).padEnd(4)}  ${r.wallSeconds.toFixed(1).padStart(6)}  ${r.runsPerHour.toFixed(0).padStart(9)}  ${(r.runsPerHour / one.runsPerHour).toFixed(2).padStart(10)}×  ${(r.coldStartMs / 1000).toFixed(1).padStart(17)} s  ${warm}`);
  }
  if (values.json) fs.writeFileSync(values.json, JSON.stringify({ cells, load, rows }, null, 2));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
