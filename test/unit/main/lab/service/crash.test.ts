import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MetricValues } from '../../../../../src/shared/contract';
import { createLabService } from '../../../../../src/main/lab/service/service';
import { tempHome, tinyConfig, waitForEvent } from './helpers';

const here = path.dirname(fileURLToPath(import.meta.url));
const longConfig = (name: string) => tinyConfig({ name, runs: ['adv'], data: { trainSize: 1000, testSize: 128 }, hparams: { convFilters: [4], numFcUnits: [8], epochs: 3, batchSize: 16 } });

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let home: ReturnType<typeof tempHome>;
beforeAll(() => {
  home = tempHome('rlab-crash-');
});
afterAll(() => home.remove());

describe('crash safety', () => {
  it('kill -9 of the worker mid-epoch fails that run with the reason, keeps its epochs, and the queue goes on', async () => {
    const lab = await createLabService({ home: path.join(home.home, 'worker-kill') });
    try {
      const midEpoch2 = waitForEvent(lab, 'progress', (p) => p.phase === 'train' && p.epoch === 2);
      const victim = (await lab.createExperiment({ config: longConfig('victim') })).runs[0]!;
      const next = (await lab.createExperiment({ config: tinyConfig({ name: 'next', runs: ['base'] }) })).runs[0]!;
      await midEpoch2;
      const pid = lab.workerPid()!;
      const failed = waitForEvent(lab, 'run-status', (s) => s.runId === victim.id && s.status === 'failed');
      process.kill(pid, 'SIGKILL');
      const status = await failed;
      expect(status.error).toContain('SIGKILL');
      expect(status.error).toContain('during epoch 2');

      const run = await lab.getRun({ runId: victim.id });
      expect(run.status).toBe('failed');
      expect(run.epochsDone).toBe(1);
      expect(run.epochMetrics.map((e) => e.epoch)).toEqual([1]);

      await lab.whenIdle();
      expect((await lab.getRun({ runId: next.id })).status).toBe('completed');
      expect(lab.workerPid()).not.toBe(pid);
      expect(alive(pid)).toBe(false);
    } finally {
      await lab.close();
    }
  });

  it('kill -9 of the host mid-run: the lab reopens cleanly, the queue goes on, the run is interrupted and resumes from its last checkpoint', async () => {
    const labHome = path.join(home.home, 'host-kill');
    const configs = [longConfig('host'), tinyConfig({ name: 'queued', runs: ['base'] })];
    const child = fork(path.join(here, 'host-child.ts'), [labHome, JSON.stringify(configs)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    let runIds: string[] = [];
    const epoch1 = await new Promise<{ runId: string; metrics: MetricValues; workerPid: number }>((resolve, reject) => {
      child.on('message', (m: { type: string; epoch?: number; runId: string; runIds: string[]; metrics: MetricValues; workerPid: number }) => {
        if (m.type === 'created') runIds = m.runIds;
        if (m.type === 'epoch-end' && m.epoch === 1) resolve(m);
      });
      child.on('exit', (code) => reject(new Error(`the host exited early (code ${code})`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // the orphaned worker notices its host is gone and exits
    await waitUntil(() => !alive(epoch1.workerPid), 15_000, 'the orphaned worker to exit');

    const lab = await createLabService({ home: labHome });
    try {
      expect(lab.recovery.interruptedRuns).toEqual([epoch1.runId]);
      const interrupted = await lab.getRun({ runId: epoch1.runId });
      expect(interrupted.status).toBe('interrupted');
      expect(interrupted.error).toContain('rlab resume');
      expect(interrupted.epochMetrics.map((e) => e.epoch)).toEqual([1]);
      expect(interrupted.epochMetrics[0]!.metrics).toEqual(epoch1.metrics);
      // the experiment queued behind it was not lost: it runs as soon as the lab is open again
      expect(runIds).toHaveLength(2);
      expect(runIds[0]).toBe(epoch1.runId);
      await lab.whenIdle();
      expect((await lab.getRun({ runId: runIds[1]! })).status).toBe('completed');
      expect((await lab.getRun({ runId: epoch1.runId })).status).toBe('interrupted');

      const resumedFrom = waitForEvent(lab, 'log', (l) => l.runId === epoch1.runId && l.message.includes('resuming after epoch 1'));
      await lab.resumeRun(epoch1.runId);
      await resumedFrom;
      await lab.whenIdle();
      const done = await lab.getRun({ runId: epoch1.runId });
      expect(done.status).toBe('completed');
      expect(done.epochMetrics.map((e) => e.epoch)).toEqual([1, 2, 3]);
      expect(done.epochMetrics[0]!.metrics).toEqual(epoch1.metrics);
      expect(done.evaluations.map((e) => e.attack)).toEqual(['clean']);
    } finally {
      await lab.close();
    }
  });

  it('a worker killed while evaluating fails the run; resuming measures only the missing evaluations', async () => {
    const lab = await createLabService({ home: path.join(home.home, 'eval-kill') });
    try {
      const config = tinyConfig({ name: 'eval', runs: ['adv'], attacks: [{ attack: 'pgd', steps: 20, epsilons: [0.1, 0.2, 0.3] }] });
      const cleanMeasured = waitForEvent(lab, 'evaluation', (e) => e.evaluation.attack === 'clean');
      const run = (await lab.createExperiment({ config })).runs[0]!;
      await cleanMeasured;
      const failed = waitForEvent(lab, 'run-status', (s) => s.runId === run.id && s.status === 'failed');
      process.kill(lab.workerPid()!, 'SIGKILL');
      expect((await failed).error).toContain('while evaluating after training');
      const measured = (await lab.listEvaluations({ runId: run.id })).length;
      expect(measured).toBeGreaterThanOrEqual(1);
      expect(measured).toBeLessThan(4);

      await lab.resumeRun(run.id);
      await lab.whenIdle();
      const done = await lab.getRun({ runId: run.id });
      expect(done.status).toBe('completed');
      expect(done.evaluations.map((e) => `${e.attack}@${e.epsilon}`)).toEqual(['clean@0', 'pgd@0.1', 'pgd@0.2', 'pgd@0.3']);
      expect(done.epochMetrics.map((e) => e.epoch)).toEqual([1]);
      expect(done.artifacts.filter((a) => a.kind === 'model')).toHaveLength(1);
    } finally {
      await lab.close();
    }
  });
});
