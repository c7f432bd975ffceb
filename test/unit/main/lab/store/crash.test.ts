// A writer killed with SIGKILL mid-stream leaves a database that opens cleanly, passes its integrity check,
// and holds every transaction the writer reported as committed, each one whole.
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../../../src/main/lab/store';
import { cleanup, makeTempDir } from './helpers';

const WRITER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'crash-writer.ts');
const KILL_AFTER_EPOCHS = 40;

let dir: string;
beforeEach(() => {
  dir = makeTempDir();
});
afterEach(() => cleanup(dir));

/** Starts the writer, kills it with SIGKILL once it reported `epochs` commits, and returns what it reported. */
function runAndKill(file: string, epochs: number): Promise<{ runId: string; lastEpoch: number; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let runId = '';
    let lastEpoch = -1;
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [word, value] = line.split(' ');
        if (word === 'run') runId = value;
        if (word === 'epoch') lastEpoch = Number(value);
      }
      if (lastEpoch + 1 >= epochs && !child.killed) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited by itself (code ${String(code)}) before being killed: ${stderr}`));
      else resolve({ runId, lastEpoch, signal });
    });
  });
}

describe('crash safety', () => {
  it('a store killed with SIGKILL while writing reopens intact with every reported commit whole', async () => {
    const file = path.join(dir, 'lab.db');
    const { runId, lastEpoch, signal } = await runAndKill(file, KILL_AFTER_EPOCHS);
    expect(signal).toBe('SIGKILL');
    expect(lastEpoch).toBeGreaterThanOrEqual(KILL_AFTER_EPOCHS - 1);

    const store = openStore(file);
    try {
      expect(store.checkIntegrity()).toBe(true);
      const run = store.getRunSummary(runId);
      const { epochs, batches } = store.getMetrics(runId);
      // The writer may have committed one or two more epochs after its last report reached us, never fewer.
      expect(epochs.length).toBeGreaterThanOrEqual(lastEpoch + 1);
      expect(run.epochsDone).toBe(epochs.length);
      expect(epochs.map((e) => e.epoch)).toEqual(Array.from({ length: epochs.length }, (_, i) => i));
      // Each epoch's batch points arrived with it (1000 planned epochs → 2 kept points per epoch).
      for (const e of epochs) expect(batches.filter((b) => b.epoch === e.epoch).map((b) => b.batch), `epoch ${e.epoch}`).toEqual([0, 25]);
      expect(batches.every((b) => epochs.some((e) => e.epoch === b.epoch))).toBe(true);
      // Evaluations and the headline on the run row are consistent with each other.
      const evaluations = store.listEvaluations(runId);
      expect(evaluations.length).toBeGreaterThanOrEqual(lastEpoch + 1);
      // the headline counts a repeated setting once, by its latest evaluation
      expect(run.robustAccuracy).toBe(evaluations.at(-1)!.accuracy);
      expect(store.recoverAfterCrash().interruptedRuns).toEqual([runId]);
    } finally {
      store.close();
    }
    // The full check (also cross-checks every index against its table), beyond the quick_check run at open.
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    raw.close();
  });
});
