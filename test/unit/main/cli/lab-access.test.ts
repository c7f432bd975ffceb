// Which commands open the lab for what: only the hosts (run, resume, eval) take the job queue; ls, show and watch only read;
// export, report and rm write records without touching the queue. And how export/report pass --out and --force.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../../src/main/cli/main';
import { LabError } from '../../../../src/shared/errors';
import { createFakeCliLab, runDetail } from './fake-cli-lab';
import { captureContext } from './test-context';

async function accessOf(argv: string[], setup: (lab: ReturnType<typeof createFakeCliLab>) => void = () => undefined): Promise<string[]> {
  const lab = createFakeCliLab();
  setup(lab);
  const ctx = captureContext(() => lab.cli);
  await runCli(argv, ctx);
  return ctx.accesses();
}

describe('the access each command asks for', () => {
  it('ls, show and watch read; export, report and rm write; run, resume and eval run jobs', async () => {
    const detail = runDetail({ id: 'run_b1', experimentId: 'exp_e1' });
    expect(await accessOf(['ls'], (l) => l.answer('listRuns', () => []))).toEqual(['read']);
    expect(await accessOf(['show', 'run_b1'], (l) => l.answer('getRun', () => detail))).toEqual(['read']);
    expect(await accessOf(['show', 'exp_e1'], (l) => l.answer('getExperiment', () => ({ id: 'exp_e1', name: 'e', createdAt: detail.createdAt, runIds: [], runs: [] })))).toEqual(['read']);
    expect(await accessOf(['export', 'run_b1', '--out', '/m/x'], (l) => l.answer('exportModel', () => ({ files: ['/m/x/model.json'] })))).toEqual(['write']);
    expect(await accessOf(['report', 'exp_e1', '--out', '/r'], (l) => l.answer('exportReport', () => ({ files: ['/r/report.json'] })))).toEqual(['write']);
    expect(await accessOf(['rm', 'run_b1'], (l) => l.answer('deleteRun', () => ({ deleted: ['run_b1'] })))).toEqual(['write']);
    expect(await accessOf(['resume', 'run_b1'], (l) => l.answer('getRun', () => detail))).toEqual(['jobs']);
    expect(await accessOf(['eval', 'run_b1', '--attack', 'fgsm', '--eps', '0.1'])).toEqual(['jobs']);
    expect(await accessOf(['watch', 'run_b1'], (l) => l.answer('getRun', () => detail))).toEqual(['read']);
  });
});

describe('rlab export / report --out and --force', () => {
  it('a relative --out is resolved against the working folder; --force is passed only when given', async () => {
    const lab = createFakeCliLab();
    lab.answer('exportModel', () => ({ files: ['f'] }));
    lab.answer('exportReport', () => ({ files: ['f'] }));
    await runCli(['export', 'run_b1', '--out', 'models/adv'], captureContext(() => lab.cli));
    await runCli(['export', 'run_b1', '--out', 'adv.onnx', '--force'], captureContext(() => lab.cli));
    await runCli(['report', 'exp_e1', '--out', 'rep', '--force'], captureContext(() => lab.cli));
    expect(lab.calls.map((c) => c.request)).toEqual([
      { runId: 'run_b1', format: 'tfjs', outDir: path.resolve('models/adv') },
      { runId: 'run_b1', format: 'onnx', outDir: path.resolve('adv.onnx'), force: true },
      { experimentId: 'exp_e1', outDir: path.resolve('rep'), force: true },
    ]);
  });

  it('a taken target names --force; the lab is closed either way', async () => {
    const lab = createFakeCliLab();
    const taken = () => {
      throw new LabError('conflict', 'outDir /m/x is not empty (2 entries); choose a new or empty folder, or confirm overwriting its files', 'outDir');
    };
    lab.answer('exportModel', taken);
    lab.answer('exportReport', taken);
    for (const argv of [['export', 'run_b1', '--out', '/m/x'], ['report', 'exp_e1', '--out', '/m/x']]) {
      const ctx = captureContext(() => lab.cli);
      expect(await runCli(argv, ctx)).toBe(1);
      expect(ctx.stderr()).toBe(`rlab ${argv[0]}: --out /m/x is not empty (2 entries); choose a new or empty folder, or confirm overwriting its files (--force)\n`);
    }
    expect(lab.closed()).toBe(2);
  });
});
