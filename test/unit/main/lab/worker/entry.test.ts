import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WorkerToHost } from '../../../../../src/main/lab/worker/protocol';
import { forkWorkerFactory, type WorkerExit, type WorkerHandle } from '../../../../../src/main/lab/worker/spawn';
import { tinyRunConfig, trainJob } from './fixtures';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'rlab-entry-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function collect(handle: WorkerHandle): { messages: WorkerToHost[]; next(pred: (m: WorkerToHost) => boolean): Promise<WorkerToHost>; exited: Promise<WorkerExit> } {
  const messages: WorkerToHost[] = [];
  const waiters: { pred: (m: WorkerToHost) => boolean; resolve: (m: WorkerToHost) => void }[] = [];
  handle.onMessage((m) => {
    messages.push(m);
    for (const w of [...waiters]) {
      if (w.pred(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  const exited = new Promise<WorkerExit>((resolve) => handle.onExit(resolve));
  return {
    messages,
    next: (pred) => {
      const seen = messages.find(pred);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ pred, resolve }));
    },
    exited,
  };
}

describe('the engine worker process', () => {
  it('says ready with its engine, runs one job at a time, refuses a second, and exits on shutdown', async () => {
    const handle = forkWorkerFactory()({ home: tmp });
    const inbox = collect(handle);
    try {
      const ready = await inbox.next((m) => m.type === 'ready');
      expect(ready).toMatchObject({ type: 'ready', pid: handle.pid, engine: { backend: 'tensorflow' } });

      const config = tinyRunConfig('base', { hparams: { convFilters: [4], numFcUnits: [8], epochs: 1, batchSize: 64 } });
      handle.send({ type: 'train', job: trainJob(path.join(tmp, 'run_1'), path.join(tmp, 'data'), config, { jobId: 'job_1' }) });
      handle.send({ type: 'train', job: trainJob(path.join(tmp, 'run_2'), path.join(tmp, 'data'), config, { jobId: 'job_2', runId: 'run_2' }) });
      const refused = await inbox.next((m) => m.type === 'error');
      expect(refused).toMatchObject({ jobId: 'job_2', error: { code: 'failed_precondition', message: expect.stringContaining('busy with job job_1') } });
      expect(await inbox.next((m) => m.type === 'done')).toMatchObject({ jobId: 'job_1', outcome: 'completed' });
      expect(inbox.messages.filter((m) => m.type === 'epoch-end')).toHaveLength(1);

      handle.send({ type: 'shutdown' });
      expect(await inbox.exited).toEqual({ code: 0, signal: null });
    } finally {
      handle.kill();
    }
  });

  it('a cancel stops the job at the next batch and the worker reports it as cancelled (started from another directory)', async () => {
    // `rlab` runs from wherever the user is: the worker must not depend on the project being the current directory
    const cwd = process.cwd();
    process.chdir(os.tmpdir());
    let handle: WorkerHandle;
    try {
      handle = forkWorkerFactory()({ home: tmp });
    } finally {
      process.chdir(cwd);
    }
    const inbox = collect(handle);
    try {
      await inbox.next((m) => m.type === 'ready');
      const config = tinyRunConfig('adv', { hparams: { convFilters: [4], numFcUnits: [8], epochs: 3, batchSize: 4 } });
      handle.send({ type: 'train', job: trainJob(path.join(tmp, 'run_c'), path.join(tmp, 'data'), config, { jobId: 'job_c' }) });
      await inbox.next((m) => m.type === 'progress');
      handle.send({ type: 'cancel' });
      expect(await inbox.next((m) => m.type === 'done')).toMatchObject({ jobId: 'job_c', outcome: 'cancelled' });
      expect(inbox.messages.filter((m) => m.type === 'epoch-end').length).toBeLessThan(3);
      expect(inbox.messages.some((m) => m.type === 'evaluation')).toBe(false);
    } finally {
      handle.kill();
      await inbox.exited;
    }
  });
});
