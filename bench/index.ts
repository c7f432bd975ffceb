// `npm run bench`: ms per plain and per adversarial (NSL) training step of the tutorial CNN on every available
// backend, against TensorFlow Python in graph mode when it is importable. Flags: see USAGE.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { type BenchReport, formatReport } from './report';
import { mergePython, mergeWorkers } from './merge';
import { findTensorFlowPython, type PythonResult, runPython, runWorker } from './spawn';
import { LAB_ADV, LAB_PLAIN, VARIANTS } from './steps';
import { type WorkerArgs, type WorkerResult } from './worker';

const USAGE = `npm run bench -- [--backends tensorflow,wasm,cpu] [--steps 30] [--warmup 5] [--batch 32] [--rounds 1]
                    [--no-python] [--sweep] [--no-defences] [--no-ui] [--json results.json]
  then the defence suite (bench/defences.ts: ms per step of every defence, PGD-AT against TF graph mode) unless --no-defences
  then the UI interaction timings (bench/ui-timings.ts: page load, Compare of 8 and 10 runs, a gallery page of 64 images
  in Chromium against \`rlab serve\`; needs \`npm run build\`) unless --no-ui; a failure there fails no other section
  --rounds  repeat every process this many times, interleaved (busy machines); medians of medians, mins of mins
  --sweep   also time native TensorFlow (and TF Python) under thread / oneDNN environment settings`;

const HEADLINE = [LAB_PLAIN.name, LAB_ADV.name];

/** Environment settings compared by --sweep; each runs in a fresh process because TensorFlow reads them at load. */
const SWEEP: { label: string; env: Record<string, string> }[] = [
  { label: 'defaults', env: {} },
  { label: 'TF_NUM_INTRAOP_THREADS=1', env: { TF_NUM_INTRAOP_THREADS: '1' } },
  { label: 'TF_NUM_INTEROP_THREADS=1', env: { TF_NUM_INTEROP_THREADS: '1' } },
  { label: 'intra=1, inter=1', env: { TF_NUM_INTRAOP_THREADS: '1', TF_NUM_INTEROP_THREADS: '1' } },
  { label: 'OMP_NUM_THREADS=1', env: { OMP_NUM_THREADS: '1' } },
  { label: 'TF_ENABLE_ONEDNN_OPTS=0', env: { TF_ENABLE_ONEDNN_OPTS: '0' } },
  { label: 'TF_ENABLE_ONEDNN_OPTS=1', env: { TF_ENABLE_ONEDNN_OPTS: '1' } },
];

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be an integer >= 1 (got ${raw})\n${USAGE}`);
  return n;
}

interface BackendPlan {
  variants: string[];
  args: Omit<WorkerArgs, 'variants'>;
}

/** Per-backend work: every variant on native, the headline two elsewhere, one untimed-warm-up-free step on pure JS. */
function planFor(backend: string, steps: number, warmup: number, batchSize: number): BackendPlan {
  if (backend === 'tensorflow') return { variants: VARIANTS.map((v) => v.name), args: { steps, warmup, batchSize, countKernels: true } };
  if (backend === 'wasm') return { variants: HEADLINE, args: { steps: Math.max(3, Math.ceil(steps / 3)), warmup: Math.min(warmup, 2), batchSize, countKernels: true } };
  return { variants: HEADLINE, args: { steps: 1, warmup: 0, batchSize, countKernels: false } };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      backends: { type: 'string', default: 'tensorflow,wasm,cpu' },
      steps: { type: 'string' },
      warmup: { type: 'string' },
      batch: { type: 'string' },
      rounds: { type: 'string' },
      'no-python': { type: 'boolean', default: false },
      sweep: { type: 'boolean', default: false },
      json: { type: 'string' },
      'no-defences': { type: 'boolean', default: false },
      'no-ui': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) { console.log(USAGE); return; }
  const steps = positive('steps', values.steps, 30);
  const warmup = positive('warmup', values.warmup, 5);
  const batchSize = positive('batch', values.batch, 32);
  const rounds = positive('rounds', values.rounds, 1);
  const backends = values.backends.split(',').map((b) => b.trim()).filter(Boolean);
  const report: BenchReport = { batchSize, rounds, machine: { cores: os.availableParallelism(), loadAverage: os.loadavg()[0]! }, workers: [] };

  let python: string | undefined;
  if (values['no-python']) report.pythonSkipped = '--no-python';
  else {
    const found = findTensorFlowPython();
    python = found.python;
    if (!python) report.pythonSkipped = found.why;
  }

  // Rounds interleave every process (one per backend and variant, then TF Python) so that load from other
  // processes on the machine spreads over all of them instead of penalising whichever ran during a burst.
  const results = new Map<string, WorkerResult[]>(backends.map((b) => [b, []]));
  const errors = new Map<string, string[]>(backends.map((b) => [b, []]));
  const pythonRuns: PythonResult[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const backend of backends) {
      // One pure-JS step takes minutes: it runs in the first round only.
      if (backend === 'cpu' && round > 1) continue;
      const plan = planFor(backend, steps, warmup, batchSize);
      for (const name of plan.variants) {
        console.error(`[bench] round ${round}/${rounds} · ${backend} · ${name} ...`);
        try {
          results.get(backend)!.push(await runWorker(backend, { ...plan.args, variants: [name] }, {}, backend === 'cpu' ? 3_600_000 : 900_000));
        } catch (err) {
          errors.get(backend)!.push(`${name}: ${errorText(err)}`);
        }
      }
    }
    if (!python) continue;
    console.error(`[bench] round ${round}/${rounds} · TensorFlow Python (${python}) ...`);
    try {
      pythonRuns.push(await runPython(python, { warmup, steps, batchSize, eagerSteps: Math.max(3, Math.ceil(steps / 6)) }));
    } catch (err) {
      report.pythonSkipped = errorText(err);
    }
  }
  for (const backend of backends) {
    const result = mergeWorkers(results.get(backend)!);
    const errs = errors.get(backend)!;
    report.workers.push({ label: backend, ...(result ? { result } : {}), ...(errs.length ? { error: errs.join('; ') } : {}) });
  }
  const mergedPython = mergePython(pythonRuns);
  if (mergedPython) report.python = mergedPython;

  if (values.sweep) {
    const args: WorkerArgs = { variants: HEADLINE, steps, warmup, batchSize, countKernels: false };
    const sweepNative = SWEEP.map((): WorkerResult[] => []);
    const sweepPython = SWEEP.map((): PythonResult[] => []);
    const sweepErrors = SWEEP.map((): string[] => []);
    for (let round = 1; round <= rounds; round++) {
      for (const [i, s] of SWEEP.entries()) {
        console.error(`[bench] round ${round}/${rounds} · sweep: ${s.label} ...`);
        try {
          sweepNative[i]!.push(await runWorker('tensorflow', args, s.env));
          if (python) sweepPython[i]!.push(await runPython(python, { warmup, steps, batchSize, eagerSteps: 1 }, s.env));
        } catch (err) {
          sweepErrors[i]!.push(errorText(err));
        }
      }
    }
    report.threadSweep = SWEEP.flatMap((s, i) => {
      const native = mergeWorkers(sweepNative[i]!);
      const py = mergePython(sweepPython[i]!);
      const error = sweepErrors[i]!.length ? { error: sweepErrors[i]!.join('; ') } : {};
      return [
        { label: `tfjs-node · ${s.label}`, ...(native ? { result: native } : {}), ...error },
        ...(py ? [{ label: `TF Python graph · ${s.label}`, python: py }] : []),
      ];
    });
  }

  console.log(formatReport(report));
  if (values.json) fs.writeFileSync(values.json, JSON.stringify(report, null, 2));
  try {
    if (!values['no-defences'] && backends.includes('tensorflow')) await defenceBench({ rounds, python: values['no-python'] ? null : (python ?? null) });
  } finally {
    if (!values['no-ui']) await uiBench();
  }
}

/** The UI timings (bench/ui-timings.ts) in their own process; a failure is printed and fails nothing else. */
async function uiBench(): Promise<void> {
  console.error('[bench] UI interaction timings ...');
  const code = await new Promise<number | string>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'ui-timings.ts')], { stdio: 'inherit' });
    child.on('error', (err) => resolve(err.message));
    child.on('exit', (c, signal) => resolve(c ?? String(signal)));
  });
  if (code !== 0) console.log(`UI timings: FAILED (${typeof code === 'number' ? `exit ${code}` : code}); the other sections stand`);
}

/** The defence suite (bench/defences.ts) in its own process, so `npm run bench` reports every training step. */
function defenceBench(opts: { rounds: number; python: string | null }): Promise<void> {
  const args = [path.join(import.meta.dirname, 'defences.ts'), '--rounds', String(opts.rounds), ...(opts.python ? ['--python', opts.python] : ['--no-python'])];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the defence bench exited with ${code}`))));
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
