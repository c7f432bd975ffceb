// A forked worker's stdout and stderr reach the host's output with TensorFlow's start-up lines dropped (all of them
// kept with RLAB_VERBOSE=1), through a real child process.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { forkWorkerFactory, type WorkerExit } from '../../../../../src/main/lab/worker/spawn';

const here = path.dirname(new URL(import.meta.url).pathname);
const home = mkdtempSync(path.join(os.tmpdir(), 'rlab-spawn-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** Runs the noisy stand-in worker and resolves with everything it got to say, once both pipes have ended. */
function runNoisy(env: Record<string, string>): Promise<{ text: string; exit: WorkerExit }> {
  let text = '';
  const output = { write: (t: string | Uint8Array) => ((text += String(t)), true) };
  const handle = forkWorkerFactory(path.join(here, 'noisy-worker.mjs'), { output })({ home, env });
  return new Promise((resolve) => handle.onExit((exit) => setTimeout(() => resolve({ text, exit }), 200)));
}

describe('forkWorkerFactory output', () => {
  it('drops the start-up lines and keeps the rest, including a last line without a newline', async () => {
    const { text, exit } = await runNoisy({ RLAB_VERBOSE: '0' });
    expect(exit.code).toBe(3);
    const lines = text.split('\n').sort();
    expect(lines).toEqual(['E0000 00:00:1796175632.000001   27269 real_error.cc:12] OOM at ε=0.3', 'no newline at the end', 'worker says hello on stdout'].sort());
  });

  it('keeps every line with RLAB_VERBOSE=1', async () => {
    const { text } = await runNoisy({ RLAB_VERBOSE: '1' });
    expect(text).toContain('WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n');
    expect(text).toContain('cpu_feature_guard.cc:227] This TensorFlow binary is optimized');
    expect(text).toContain('To enable the following instructions: AVX2 FMA');
    expect(text).toContain('OOM at ε=0.3');
  });
});
