// `rlab export` and `rlab report` against a fake lab: the requests they make, their output, exit codes and bad input.
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../../src/main/cli/main';
import { LabError } from '../../../../src/shared/errors';
import { createFakeCliLab, runDetail } from './fake-cli-lab';
import { captureContext } from './test-context';

async function cli(lab: ReturnType<typeof createFakeCliLab> | null, ...argv: string[]) {
  const ctx = captureContext(lab ? () => lab.cli : undefined);
  const code = await runCli(argv, ctx);
  return { code, out: ctx.stdout(), err: ctx.stderr(), opened: ctx.opened() };
}

describe('rlab export', () => {
  it('asks for tfjs into a folder, or onnx when --out ends in .onnx, and prints the files', async () => {
    const lab = createFakeCliLab();
    lab.answer('exportModel', (req) => ({ files: [`${(req as { outDir: string }).outDir}/model.json`, 'w.bin'] }));
    const a = await cli(lab, 'export', 'run_a1', '--out', '/m/adv');
    expect(a).toMatchObject({ code: 0, out: '/m/adv/model.json\nw.bin\n', err: '' });
    await cli(lab, 'export', 'run_a1', '--out', '/m/adv.ONNX');
    await cli(lab, 'export', 'run_a1', '--format', 'onnx', '--out', '/m/dir');
    expect(lab.calls.map((c) => c.request)).toEqual([
      { runId: 'run_a1', format: 'tfjs', outDir: '/m/adv' },
      { runId: 'run_a1', format: 'onnx', outDir: '/m/adv.ONNX' },
      { runId: 'run_a1', format: 'onnx', outDir: '/m/dir' },
    ]);
    const json = await cli(lab, 'export', 'run_a1', '--out', '/m/x.onnx', '--json');
    expect(JSON.parse(json.out)).toEqual({ runId: 'run_a1', format: 'onnx', files: ['/m/x.onnx/model.json', 'w.bin'] });
    expect(lab.closed()).toBe(4);
  });

  it.each([
    [['export', 'run_a1', '--format', 'pb', '--out', '/m'], 'rlab export: --format must be one of tfjs, onnx (got "pb")'],
    [['export', 'run_a1', '--format', 'tfjs'], 'rlab export: --out is required: a folder for --format tfjs, or a file ending in .onnx for --format onnx'],
    [['export', '--out', '/m'], 'rlab export: "rlab export" needs <run_id>'],
    [['export', 'exp_a1', '--out', '/m'], 'rlab export: <run_id> must be a run id like run_ab12cd (got "exp_a1")'],
    [['export', 'run_a1', '--out', ''], 'rlab export: --out must be ≥ 1 characters (got "")'],
  ])('refuses %j with exit 2 before opening the lab', async (argv, line) => {
    const r = await cli(null, ...argv);
    expect(r).toEqual({ code: 2, out: '', err: `${line}\n`, opened: 0 });
  });

  it('an unknown run or a file where a folder belongs is bad input (2); a run without a model is a failure (1)', async () => {
    const lab = createFakeCliLab();
    const answers = [
      new LabError('not_found', 'no run with id run_zz', 'runId'),
      new LabError('invalid_argument', 'outDir must be a folder for a TF.js export; /m/f is an existing file', 'outDir'),
      new LabError('failed_precondition', 'run run_zz has no trained model to export (it is cancelled)', 'runId'),
    ];
    lab.answer('exportModel', () => {
      throw answers.shift()!;
    });
    expect(await cli(lab, 'export', 'run_zz', '--out', '/m/f')).toMatchObject({ code: 2, err: 'rlab export: <run_id>: no run with id run_zz\n' });
    expect(await cli(lab, 'export', 'run_zz', '--out', '/m/f')).toMatchObject({ code: 2, err: 'rlab export: --out must be a folder for a TF.js export; /m/f is an existing file\n' });
    expect(await cli(lab, 'export', 'run_zz', '--out', '/m/f')).toMatchObject({ code: 1, err: 'rlab export: <run_id>: run run_zz has no trained model to export (it is cancelled)\n' });
    expect(lab.closed()).toBe(3);
  });
});

describe('rlab report', () => {
  it('reports an experiment, or the experiment of a run id, and prints the files', async () => {
    const lab = createFakeCliLab();
    lab.answer('getRun', () => runDetail({ id: 'run_b1', experimentId: 'exp_e1' }));
    lab.answer('exportReport', () => ({ files: ['/r/report.json', '/r/metrics.csv', '/r/evaluations.csv'] }));
    expect(await cli(lab, 'report', 'exp_e1', '--out', '/r')).toMatchObject({ code: 0, out: '/r/report.json\n/r/metrics.csv\n/r/evaluations.csv\n' });
    const json = await cli(lab, 'report', 'run_b1', '--out', '/r', '--json');
    expect(JSON.parse(json.out)).toEqual({ experimentId: 'exp_e1', files: ['/r/report.json', '/r/metrics.csv', '/r/evaluations.csv'] });
    expect(lab.calls.filter((c) => c.method === 'exportReport').map((c) => c.request)).toEqual([
      { experimentId: 'exp_e1', outDir: '/r' },
      { experimentId: 'exp_e1', outDir: '/r' },
    ]);
  });

  it.each([
    [['report', 'exp_e1'], 'rlab report: --out is required: the folder to write the report into'],
    [['report', 'e1', '--out', '/r'], 'rlab report: <id> must be an experiment id (exp_…) or a run id (run_…), whose experiment is reported (got "e1")'],
    [['report', 'exp_e-1', '--out', '/r'], 'rlab report: <id> must be an experiment id like exp_ab12cd (got "exp_e-1")'],
  ])('refuses %j with exit 2 before opening the lab', async (argv, line) => {
    const r = await cli(null, ...argv);
    expect(r).toEqual({ code: 2, out: '', err: `${line}\n`, opened: 0 });
  });

  it('an unknown experiment exits 2', async () => {
    const lab = createFakeCliLab();
    lab.answer('exportReport', () => {
      throw new LabError('not_found', 'no experiment with id exp_zz', 'experimentId');
    });
    expect(await cli(lab, 'report', 'exp_zz', '--out', '/r')).toMatchObject({ code: 2, err: 'rlab report: <id>: no experiment with id exp_zz\n' });
  });
});
