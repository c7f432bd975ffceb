// Child processes of the benchmark: one tfjs worker per backend/environment, and TensorFlow Python when it is importable.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESULT_PREFIX, type WorkerArgs, type WorkerResult } from './worker';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..');

export interface PythonTiming {
  medianMs: number;
  minMs: number;
  steps: number;
}

export interface PythonResult {
  python: string;
  tfVersion: string;
  intraOpThreads: number;
  interOpThreads: number;
  graph_plain: PythonTiming;
  graph_adversarial: PythonTiming;
  eager_plain: PythonTiming;
  eager_adversarial: PythonTiming;
}

/** Runs a child to its end (killed after `timeoutMs`), collecting its output; a failure to start is in stderr. */
export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => { stderr += `\n${err.message}`; });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

function tail(text: string): string {
  return text.trim().split('\n').filter((l) => /Error|error|failed/.test(l)).slice(-2).join(' | ') || text.trim().split('\n').slice(-2).join(' | ');
}

/** Runs bench/worker.ts with RLAB_BACKEND=backend plus extra environment; rejects with the child's error. */
export async function runWorker(backend: string, args: WorkerArgs, extraEnv: Record<string, string> = {}, timeoutMs = 900_000): Promise<WorkerResult> {
  const env = { ...process.env, ...extraEnv, RLAB_BACKEND: backend, TF_CPP_MIN_LOG_LEVEL: '2' };
  const r = await run(process.execPath, ['--import', 'tsx', path.join(here, 'worker.ts'), JSON.stringify(args)], env, timeoutMs);
  const line = r.stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  if (r.code !== 0 || !line) throw new Error(`${backend} worker failed (exit ${r.code}): ${tail(r.stderr)}`);
  return JSON.parse(line.slice(RESULT_PREFIX.length)) as WorkerResult;
}

/** The first Python that imports tensorflow: the fixtures venv, then python3 on PATH. */
export function findTensorFlowPython(): { python?: string; why: string } {
  const candidates = [path.join(repoRoot, 'scripts', 'fixtures', '.venv', 'bin', 'python'), 'python3'];
  const tried: string[] = [];
  for (const py of candidates) {
    if (py.includes(path.sep) && !fs.existsSync(py)) { tried.push(`${py} (missing)`); continue; }
    const r = spawnSync(py, ['-c', 'import tensorflow as tf; print(tf.__version__)'], { encoding: 'utf8', timeout: 180_000, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' } });
    if (r.status === 0) return { python: py, why: `TensorFlow ${r.stdout.trim()}` };
    tried.push(`${py} (${r.error ? r.error.message : 'no tensorflow module'})`);
  }
  return { why: `no Python with TensorFlow: ${tried.join(', ')}; \`npm run fixtures:nsl\` creates scripts/fixtures/.venv` };
}

/** Runs bench/tf_graph_step.py with the same step counts. */
export async function runPython(python: string, args: { warmup: number; steps: number; batchSize: number; eagerSteps: number }, extraEnv: Record<string, string> = {}): Promise<PythonResult> {
  const env = { ...process.env, ...extraEnv, TF_CPP_MIN_LOG_LEVEL: '2', CUDA_VISIBLE_DEVICES: '' };
  const r = await run(python, [path.join(here, 'tf_graph_step.py'), JSON.stringify(args)], env, 900_000);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.code !== 0 || !line.startsWith('{')) throw new Error(`TensorFlow Python run failed (exit ${r.code}): ${tail(r.stderr)}`);
  return { python, ...(JSON.parse(line) as Omit<PythonResult, 'python'>) };
}
