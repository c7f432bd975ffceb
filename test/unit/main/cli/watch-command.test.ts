// `rlab watch` and `rlab eval` against a lab answering through events: watch follows until the end and leaves the run
// alone on Ctrl-C (130); eval collects exactly the evaluations its job-finished event names, with no polling.
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../../src/main/cli/main';
import { type CliLab } from '../../../../src/main/cli/context';
import { type RunDetail } from '../../../../src/shared/contract';
import { LabError } from '../../../../src/shared/errors';
import { createFakeCliLab, evaluation, runDetail } from './fake-cli-lab';
import { captureContext } from './test-context';

/** The fake lab as a client of a host (what hostedBy / onLost mark), losing its connection when `lose` is called. */
function asClient(cli: CliLab): { cli: CliLab; lose(): void } {
  const lost = new Set<(err: LabError) => void>();
  const client = Object.assign(Object.create(null) as object, cli, {
    hostedBy: 'rlab serve (pid 4242)',
    onLost: (cb: (err: LabError) => void) => {
      lost.add(cb);
      return () => lost.delete(cb);
    },
  }) as CliLab;
  return { cli: client, lose: () => lost.forEach((cb) => cb(new LabError('io_error', 'the connection to the lab host (rlab serve, pid 4242) was lost: it stopped or died'))) };
}

describe('rlab watch', () => {
  it('follows a running run on the host to the end and prints its result', async () => {
    const lab = createFakeCliLab();
    let status: RunDetail['status'] = 'running';
    lab.answer('getRun', () => runDetail({ id: 'run_b1', status }));
    const { cli } = asClient(lab.cli);
    const ctx = captureContext(() => cli);
    const done = runCli(['watch', 'run_b1'], ctx);
    await new Promise((r) => setTimeout(r, 30));
    lab.emit('progress', { runId: 'run_b1', phase: 'train', epoch: 1, epochs: 1, batch: 3, batches: 10, loss: 0.5, accuracy: 0.8, etaSeconds: 4 });
    status = 'completed';
    lab.emit('run-status', { runId: 'run_b1', experimentId: 'exp_e1', status });
    expect(await done).toBe(0);
    expect(ctx.stderr()).toContain('following run_b1 (running) on rlab serve (pid 4242); Ctrl-C stops watching, the run goes on');
    expect(ctx.stdout()).toMatch(/^model\s+clean/);
    expect(lab.calls.every((c) => c.method === 'getRun')).toBe(true);
    expect(lab.closed()).toBe(1);
  });

  it('Ctrl-C stops watching with 130 and leaves the run alone', async () => {
    const lab = createFakeCliLab();
    lab.answer('getRun', () => runDetail({ id: 'run_b1', status: 'running' }));
    const { cli } = asClient(lab.cli);
    const ctx = captureContext(() => cli);
    const done = runCli(['watch', 'run_b1'], ctx);
    await new Promise((r) => setTimeout(r, 30));
    ctx.interrupt('SIGINT');
    expect(await done).toBe(130);
    expect(ctx.stderr()).toContain('stopped watching; run_b1 goes on');
    expect(lab.calls.map((c) => c.method)).not.toContain('cancelRun');
  });

  it('stops with the host\'s error when the host goes away', async () => {
    const lab = createFakeCliLab();
    lab.answer('getRun', () => runDetail({ id: 'run_b1', status: 'running' }));
    const client = asClient(lab.cli);
    const ctx = captureContext(() => client.cli);
    const done = runCli(['watch', 'run_b1'], ctx);
    await new Promise((r) => setTimeout(r, 30));
    client.lose();
    expect(await done).toBe(1);
    expect(ctx.stderr()).toContain('rlab watch: the connection to the lab host (rlab serve, pid 4242) was lost: it stopped or died\n');
  });

  it('without a host, a run that is not finished cannot move on: says so and exits 1; a finished one prints its result', async () => {
    const lab = createFakeCliLab();
    let status: RunDetail['status'] = 'queued';
    lab.answer('getRun', () => runDetail({ id: 'run_b1', status }));
    const ctx = captureContext(() => lab.cli, '/labs/one');
    expect(await runCli(['watch', 'run_b1'], ctx)).toBe(1);
    expect(ctx.stderr()).toBe('rlab watch: run_b1 is queued, but no host runs the lab at /labs/one, so it cannot move on; start one (`rlab serve`) and watch again\n');
    status = 'completed';
    const again = captureContext(() => lab.cli);
    expect(await runCli(['watch', 'run_b1', '--json'], again)).toBe(0);
    expect(JSON.parse(again.stdout())).toMatchObject({ id: 'run_b1', status: 'completed' });
    expect(again.accesses()).toEqual(['read']);
  });
});

describe('rlab eval waits on job-finished', () => {
  it('prints the evaluations the job-finished event names, never polling the queue', async () => {
    const lab = createFakeCliLab();
    const stored = [evaluation({ id: 7, runId: 'run_b1', attack: 'fgsm', epsilon: 0.1, accuracy: 0.5 }), evaluation({ id: 8, runId: 'run_b1', attack: 'fgsm', epsilon: 0.2, accuracy: 0.3 })];
    // an evaluation of another job on the same run, stored meanwhile: not this command's result
    const other = evaluation({ id: 9, runId: 'run_b1', attack: 'pgd', epsilon: 0.1 });
    lab.answer('evaluate', () => {
      // the event may arrive before the reply that names the job
      setTimeout(() => lab.emit('job-finished', { jobId: 'job_other', runId: 'run_b1', kind: 'evaluate', outcome: 'completed', evaluationIds: [9] }), 0);
      setTimeout(() => lab.emit('job-finished', { jobId: 'job_1', runId: 'run_b1', kind: 'evaluate', outcome: 'completed', evaluationIds: [7, 8] }), 5);
      return { jobId: 'job_1' };
    });
    lab.answer('listEvaluations', () => [...stored, other]);
    const ctx = captureContext(() => lab.cli);
    expect(await runCli(['eval', 'run_b1', '--attack', 'fgsm', '--eps', '0.1,0.2', '--json'], ctx)).toBe(0);
    const out = JSON.parse(ctx.stdout()) as { ok: boolean; evaluations: { id: number }[] };
    expect(out.ok).toBe(true);
    expect(out.evaluations.map((e) => e.id)).toEqual([7, 8]);
    expect(lab.calls.map((c) => c.method)).toEqual(['evaluate', 'listEvaluations']);
  });

  it('a failed job ends the command with its error', async () => {
    const lab = createFakeCliLab();
    lab.answer('evaluate', () => {
      setTimeout(() => lab.emit('job-finished', { jobId: 'job_1', runId: 'run_b1', kind: 'evaluate', outcome: 'failed', evaluationIds: [], error: 'the engine worker exited with code 1 during an evaluation' }), 5);
      return { jobId: 'job_1' };
    });
    lab.answer('listEvaluations', () => []);
    const ctx = captureContext(() => lab.cli);
    expect(await runCli(['eval', 'run_b1', '--attack', 'fgsm', '--eps', '0.1'], ctx)).toBe(1);
    expect(ctx.stderr()).toContain('evaluation of run_b1 failed: the engine worker exited with code 1 during an evaluation');
  });
});
