// Ctrl-C on a client `rlab eval`, all real processes: a host `rlab serve`, a trained run, a long evaluation and a
// second one queued behind it, each an `rlab eval` client of the host. SIGINT to the queued one takes its job out of
// the queue; SIGINT to the running one stops its job through the worker's cancel path. Both exit 130 saying what they
// cancelled, and the run keeps exactly the evaluations it had plus the ε that finished before the stop.
import { type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRlab } from './rlab-process';
import { observe, startRlab, startServe } from '../server/rlab-child';

const TINY = ['--preset', 'quick', '--runs', 'base', '--train-size', '256', '--test-size', '256', '--epochs', '1', '--conv-filters', '2', '--fc-units', '8'];
/** Sixteen ε of 1,000 PGD steps on 256 images: long enough to be stopped part-way on any machine. */
const LONG_EVAL = ['--attack', 'pgd', '--steps', '1000', '--eps', Array.from({ length: 16 }, (_, i) => ((i + 1) * 0.02).toFixed(2)).join(',')];

let tmp: string;
const children = new Set<ChildProcess>();
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'rlab-eval-cancel-'));
});
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

describe('Ctrl-C on a client rlab eval', () => {
  it('cancels the job it queued: a queued one leaves the queue, a running one stops; exit 130; stored evaluations kept', async () => {
    const home = path.join(tmp, 'lab');
    const host = await startServe(home, children);
    const browser = await observe(host.url);
    const lab = browser.client.api;
    try {
      const trained = await runRlab(home, ['run', ...TINY, '--name', 'to-attack', '--json'], 400_000);
      expect(trained.code, trained.stderr).toBe(0);
      const runId = (JSON.parse(trained.stdout) as { runs: { id: string }[] }).runs[0]!.id;
      // an evaluation that finished before: it must survive everything below
      const fgsm = await runRlab(home, ['eval', runId, '--attack', 'fgsm', '--eps', '0.1', '--json'], 200_000);
      expect(fgsm.code, fgsm.stderr).toBe(0);
      const before = (await lab.listEvaluations({ runId })).map((e) => e.id);
      // the preset's own attacks after training, plus the fgsm one
      expect(before).toContain((JSON.parse(fgsm.stdout) as { evaluations: { id: number }[] }).evaluations[0]!.id);

      const long = startRlab(home, ['eval', runId, ...LONG_EVAL], children);
      const longJob = await waitForJobs(lab, runId, 1);
      const queued = startRlab(home, ['eval', runId, '--attack', 'fgsm', '--eps', '0.3'], children);
      const [, queuedJob] = await waitForJobs(lab, runId, 2);
      expect(queuedJob).toMatchObject({ status: 'queued', kind: 'evaluate' });

      // the queued one: out of the queue, nothing measured, the running job untouched
      queued.child.kill('SIGINT');
      expect(await queued.exited, queued.stderr()).toBe(130);
      expect(queued.stderr()).toContain(`cancelled evaluation job ${queuedJob!.id} of ${runId} (it was queued); 0 of 1 ε had finished and stay stored`);
      expect(await browser.waitFor('job-finished', (j) => j.jobId === queuedJob!.id)).toMatchObject({ outcome: 'cancelled', evaluationIds: [] });
      expect((await lab.listJobs({})).map((j) => j.id)).toEqual([longJob[0]!.id]);

      // the running one, after its first ε is stored: stopped part-way, what it measured stays
      await browser.waitFor('evaluation', (e) => e.runId === runId && e.evaluation.attack === 'pgd' && e.evaluation.steps === 1000);
      long.child.kill('SIGINT');
      expect(await long.exited, long.stderr()).toBe(130);
      const finished = await browser.waitFor('job-finished', (j) => j.jobId === longJob[0]!.id);
      expect(finished.outcome).toBe('cancelled');
      expect(finished.evaluationIds.length).toBeGreaterThanOrEqual(1);
      expect(finished.evaluationIds.length).toBeLessThan(16);
      expect(long.stderr()).toContain(`cancelling evaluation job ${longJob[0]!.id} of ${runId} on rlab serve (pid ${host.child.pid})`);
      expect(long.stderr()).toMatch(new RegExp(`\\ncancelled evaluation job ${longJob[0]!.id} of ${runId} \\(it was running\\); ${finished.evaluationIds.length} of 16 ε had finished and stay stored\\n$`));
      expect(await lab.listJobs({})).toEqual([]);
      const after = (await lab.listEvaluations({ runId })).map((e) => e.id);
      expect([...after].sort((a, b) => a - b)).toEqual([...before, ...finished.evaluationIds].sort((a, b) => a - b));
      // the host goes on
      expect(host.child.exitCode).toBeNull();
      expect((await lab.getRun({ runId })).status).toBe('completed');
    } finally {
      browser.close();
      host.child.kill('SIGINT');
    }
    expect(await host.exited, host.stderr()).toBe(0);
  }, 900_000);
});

/** Polls the host's queue until `n` evaluate jobs of `runId` are in it, and returns them in queue order. */
async function waitForJobs(lab: { listJobs(req: Record<string, never>): Promise<{ id: string; runId: string; kind: string; status: string }[]> }, runId: string, n: number) {
  for (;;) {
    const jobs = (await lab.listJobs({})).filter((j) => j.runId === runId && j.kind === 'evaluate');
    if (jobs.length >= n) return jobs;
    await new Promise((r) => setTimeout(r, 200));
  }
}
