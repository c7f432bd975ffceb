// Ctrl-C in a terminal: SIGINT to the whole process group of a real `rlab run`. The engine worker lives in its own
// group, so only the host sees it: the run is cancelled with its finished epochs kept, the worker is stopped by the
// host, and rlab exits 130. A worker whose host is killed outright exits on its own.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLabService } from '../../../../src/main/lab/service/service';
import { type RunDetail } from '../../../../src/shared/contract';
import { tinyConfig } from '../lab/service/helpers';
import { RLAB_BIN } from './rlab-process';

const HAS_PROC = existsSync('/proc/self/stat');
const TRAIN = ['run', '--preset', 'quick', '--conv-filters', '4', '--fc-units', '8', '--train-size', '2000', '--test-size', '128', '--epochs', '3', '--runs', 'base'];

let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'rlab-signals-'));
  if (!HAS_PROC) console.log('signals.test: no /proc here, so the worker processes cannot be found; the tests that need them are skipped');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Starts `rlab run` as the leader of its own process group, as a shell starts a foreground job. */
function startRun(home: string, name: string): { child: ChildProcess; stderr: () => string; exited: Promise<number | null>; waitFor(re: RegExp): Promise<void> } {
  const child = spawn(process.execPath, [RLAB_BIN, ...TRAIN, '--name', name], { env: { ...process.env, RLAB_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stderr = '';
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  child.stderr!.on('data', (d) => {
    stderr += String(d);
    for (const w of waiters.splice(0)) {
      if (w.re.test(stderr)) w.resolve();
      else waiters.push(w);
    }
  });
  child.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    stderr: () => stderr,
    exited,
    waitFor: (re) =>
      new Promise<void>((resolve, reject) => {
        if (re.test(stderr)) return resolve();
        waiters.push({ re, resolve });
        void exited.then(() => reject(new Error(`rlab exited before printing ${String(re)}:\n${stderr}`)));
      }),
  };
}

/** Engine worker processes started by the host `ppid` (its children running the worker entry), from /proc. */
function workersOf(ppid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        // "pid (comm) state ppid ..."; comm may hold spaces, so split after the last ')'
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== ppid) return false;
        return readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').some((arg) => arg.endsWith(path.join('worker', 'entry.ts')));
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Running (not gone, not a zombie waiting to be reaped). */
function alive(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function until(cond: () => boolean, what: string, limitMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > limitMs) throw new Error(`still waiting after ${limitMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function onlyRun(home: string): Promise<RunDetail> {
  const reader = await createLabService({ home, access: 'read' });
  try {
    const [run] = await reader.listRuns({});
    return await reader.getRun({ runId: run!.id });
  } finally {
    await reader.close();
  }
}

describe('signals', () => {
  it.skipIf(!HAS_PROC)('SIGINT to the process group cancels the run, keeps its finished epochs, stops the worker and exits 130', async () => {
    const home = path.join(tmp, 'sigint');
    const run = startRun(home, 'ctrl-c');
    // a line for epoch 2 means epoch 1 finished and was recorded
    await run.waitFor(/epoch 2\/3 batch/);
    const workers = workersOf(run.child.pid!);
    expect(workers).toHaveLength(1);
    process.kill(-run.child.pid!, 'SIGINT');
    expect(await run.exited, run.stderr()).toBe(130);
    expect(run.stderr()).toContain('cancelling');
    expect(run.stderr()).not.toMatch(/killed \(SIGINT\)/);
    expect(alive(workers[0]!)).toBe(false);

    const detail = await onlyRun(home);
    expect(detail.status).toBe('cancelled');
    expect(detail.error).toMatch(/^cancelled by the user after \d finished epochs?$/);
    expect(detail.epochsDone).toBeGreaterThanOrEqual(1);
    expect(detail.epochsDone).toBeLessThan(3);
    expect(detail.epochMetrics.map((e) => e.epoch)).toEqual(Array.from({ length: detail.epochsDone }, (_, i) => i + 1));
  }, 300_000);

  it('SIGTERM to `rlab serve` cancels the run it is training (epochs kept) and leaves the queued one queued', async () => {
    const home = path.join(tmp, 'serve');
    const writer = await createLabService({ home, access: 'write' });
    const long = tinyConfig({ name: 'long', runs: ['base'], data: { trainSize: 2000, testSize: 128 }, hparams: { convFilters: [4], numFcUnits: [8], epochs: 3, batchSize: 32 } });
    let ids: string[];
    try {
      ids = [(await writer.createExperiment({ config: long })).runs[0]!.id, (await writer.createExperiment({ config: tinyConfig({ name: 'next', runs: ['base'] }) })).runs[0]!.id];
    } finally {
      await writer.close();
    }
    const serve = spawn(process.execPath, [RLAB_BIN, 'serve', '--port', '0'], { env: { ...process.env, RLAB_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    serve.stderr.on('data', (d) => (stderr += String(d)));
    serve.stdout.resume();
    const exited = new Promise<number | null>((resolve) => serve.on('close', (code) => resolve(code)));
    const epochsOf = async (runId: string) => {
      const reader = await createLabService({ home, access: 'read' });
      try {
        return (await reader.getRun({ runId })).epochsDone;
      } finally {
        await reader.close();
      }
    };
    try {
      // a reader beside the running host: no lock needed
      const start = Date.now();
      while ((await epochsOf(ids[0]!)) < 1) {
        if (Date.now() - start > 240_000) throw new Error(`no epoch finished: ${stderr}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    } finally {
      serve.kill('SIGTERM');
    }
    expect(await exited, stderr).toBe(0);
    const reader = await createLabService({ home, access: 'read' });
    try {
      const first = await reader.getRun({ runId: ids[0]! });
      expect(first.status).toBe('cancelled');
      expect(first.epochsDone).toBeGreaterThanOrEqual(1);
      expect(first.epochMetrics.map((e) => e.epoch)).toEqual(Array.from({ length: first.epochsDone }, (_, i) => i + 1));
      expect((await reader.getRun({ runId: ids[1]! })).status).toBe('queued');
      expect((await reader.listJobs({})).map((j) => [j.runId, j.status])).toEqual([[ids[1], 'queued']]);
    } finally {
      await reader.close();
    }
  }, 300_000);

  it.skipIf(!HAS_PROC)('a worker whose host is killed with SIGKILL exits by itself; the next host finds the run interrupted with its epochs', async () => {
    const home = path.join(tmp, 'orphan');
    const run = startRun(home, 'orphan');
    await run.waitFor(/epoch 2\/3 batch/);
    const [worker] = workersOf(run.child.pid!);
    expect(worker).toBeDefined();
    run.child.kill('SIGKILL');
    await run.exited;
    // its IPC channel closed with the host: the worker leaves instead of training for nobody
    await until(() => !alive(worker!), `worker ${worker} to exit after its host was killed`);

    const host = await createLabService({ home });
    try {
      const [summary] = await host.listRuns({});
      const detail = await host.getRun({ runId: summary!.id });
      expect(detail.status).toBe('interrupted');
      expect(detail.epochsDone).toBeGreaterThanOrEqual(1);
      expect(detail.epochMetrics[0]!.epoch).toBe(1);
    } finally {
      await host.close();
    }
  }, 300_000);
});
