// Child processes of the defence bench: one tfjs process per defence row, and TensorFlow Python's graph-mode PGD-AT.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFENCE_RESULT_PREFIX, type DefenceWorkerArgs, type DefenceWorkerResult } from './defences-worker';
import { findTensorFlowPython, run } from './spawn';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface Timing {
  medianMs: number;
  minMs: number;
  steps: number;
}

export interface PythonPgdAtResult {
  python: string;
  tfVersion: string;
  intraOpThreads: number;
  interOpThreads: number;
  /** By config name (a row name, or `plain@<batch>`). */
  timings: Record<string, Timing>;
}

export interface PythonPgdAtConfig {
  name: string;
  batchSize: number;
  steps: number;
  epsilon: number;
  stepSize: number;
}

function errorLines(text: string): string {
  const lines = text.trim().split('\n');
  return lines.filter((l) => /Error|error|failed/.test(l)).slice(-2).join(' | ') || lines.slice(-2).join(' | ');
}

/** Runs bench/defences-worker.ts for one row on the native backend; rejects with the child's error. */
export async function runDefenceWorker(args: DefenceWorkerArgs, timeoutMs = 900_000): Promise<DefenceWorkerResult> {
  const env = { ...process.env, RLAB_BACKEND: 'tensorflow', TF_CPP_MIN_LOG_LEVEL: '2' };
  const r = await run(process.execPath, ['--import', 'tsx', path.join(here, 'defences-worker.ts'), JSON.stringify(args)], env, timeoutMs);
  const line = r.stdout.split('\n').find((l) => l.startsWith(DEFENCE_RESULT_PREFIX));
  if (r.code !== 0 || !line) throw new Error(`worker for ${args.name} failed (exit ${r.code}): ${errorLines(r.stderr)}`);
  return JSON.parse(line.slice(DEFENCE_RESULT_PREFIX.length)) as DefenceWorkerResult;
}

/** `--python PATH` when given (it must import tensorflow), else the existing bench's search (scripts/fixtures/.venv, python3). */
export function locatePython(explicit: string | undefined): { python?: string; why: string } {
  if (explicit === undefined) return findTensorFlowPython();
  return { python: explicit, why: `--python ${explicit}` };
}

/** Runs bench/defences_tf_pgd_at.py on the CPU with the same warm-up and step counts as the tfjs rows. */
export async function runPythonPgdAt(python: string, args: { warmup: number; steps: number; configs: PythonPgdAtConfig[]; plainBatchSizes: number[] }): Promise<PythonPgdAtResult> {
  const env = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', CUDA_VISIBLE_DEVICES: '' };
  const r = await run(python, [path.join(here, 'defences_tf_pgd_at.py'), JSON.stringify(args)], env, 900_000);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.code !== 0 || !line.startsWith('{')) throw new Error(`TensorFlow Python (${python}) failed (exit ${r.code}): ${errorLines(r.stderr)}`);
  return { python, ...(JSON.parse(line) as Omit<PythonPgdAtResult, 'python'>) };
}
