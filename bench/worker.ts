// One benchmark process: picks its backend from RLAB_BACKEND, times the requested step variants, prints one JSON line.
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../src/main/lab/engine/tf';
import { countKernels, opOverheadMicros, syntheticBatch, VARIANTS } from './steps';

export const RESULT_PREFIX = 'RLAB_BENCH_RESULT ';

export interface WorkerArgs {
  variants: string[];
  /** Untimed steps first (0 allowed: the pure-JS backend's steps take tens of seconds). */
  warmup: number;
  steps: number;
  batchSize: number;
  /** Profile one extra step to count its kernels (skipped for the pure-JS backend, where it costs a step). */
  countKernels: boolean;
}

export interface VariantResult {
  name: string;
  medianMs: number;
  minMs: number;
  steps: number;
  /** Kernels one step dispatches; null when not counted. */
  kernelsPerStep: number | null;
  numTensorsBefore: number;
  numTensorsAfter: number;
}

export interface WorkerResult {
  backend: string;
  tfVersion: string | null;
  threads: number;
  opOverheadMicros: number;
  variants: VariantResult[];
  env: Record<string, string>;
}

const THREAD_ENV = ['TF_NUM_INTRAOP_THREADS', 'TF_NUM_INTEROP_THREADS', 'OMP_NUM_THREADS', 'TF_ENABLE_ONEDNN_OPTS'];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function timeVariant(name: string, args: WorkerArgs): Promise<VariantResult> {
  const variant = VARIANTS.find((v) => v.name === name);
  if (!variant) throw new Error(`unknown variant '${name}' (known: ${VARIANTS.map((v) => v.name).join('; ')})`);
  const numTensorsBefore = tf.memory().numTensors;
  const { x, y } = syntheticBatch(args.batchSize, 7);
  const { step, dispose } = variant.setup(42);
  for (let i = 0; i < args.warmup; i++) await step(x, y);
  const kernelsPerStep = args.countKernels ? await countKernels(() => step(x, y)) : null;
  const times: number[] = [];
  for (let i = 0; i < args.steps; i++) {
    const start = performance.now();
    await step(x, y);
    times.push(performance.now() - start);
  }
  dispose();
  tf.dispose([x, y]);
  // Before/after bracket the whole variant: model, optimizer slots and batch are gone again, so any rise is a leak.
  return { name, medianMs: median(times), minMs: Math.min(...times), steps: args.steps, kernelsPerStep, numTensorsBefore, numTensorsAfter: tf.memory().numTensors };
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as WorkerArgs;
  const choice = await initEngine();
  const variants: VariantResult[] = [];
  for (const name of args.variants) variants.push(await timeVariant(name, args));
  const env: Record<string, string> = {};
  for (const k of THREAD_ENV) if (process.env[k] !== undefined) env[k] = process.env[k]!;
  const result: WorkerResult = { backend: choice.backend, tfVersion: choice.tfVersion, threads: choice.threads, opOverheadMicros: opOverheadMicros(), variants, env };
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

if (process.argv[1] && /worker\.ts$/.test(process.argv[1])) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.stack : String(err));
    process.exit(1);
  });
}
