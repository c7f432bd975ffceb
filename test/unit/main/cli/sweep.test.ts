// `rlab sweep`: --grid text as axes (numbers, words, true/false), the base config and seeds from the run flags, the
// refusals in flag terms; and the real binary end to end: a 2-cell sweep on two workers, ls, show (table, JSON, CSV),
// a bad grid that stores nothing, cancel and resume of a finished sweep.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Flags, parseArgs, UsageError } from '../../../../src/main/cli/args';
import { gridAxis, SWEEP_FLAGS, sweepSpec } from '../../../../src/main/cli/sweep-flags';
import { buildRunConfig } from '../../../../src/main/cli/run-flags';
import { SweepSpecSchema } from '../../../../src/shared/sweep-spec';
import { type SweepDetail, type SweepSummary } from '../../../../src/shared/sweep-contract';
import { tempHome } from '../lab/service/helpers';
import { runRlab } from './rlab-process';

const specOf = (...argv: string[]) => {
  const flags = new Flags(parseArgs(argv, SWEEP_FLAGS, 'sweep'));
  return SweepSpecSchema.parse(sweepSpec(flags, buildRunConfig(flags)));
};

describe('--grid', () => {
  it('reads numbers, words and switches, repeated for more axes, over the preset with its flags', () => {
    expect(gridAxis('advReg.multiplier=0.05, 0.2,1e-3')).toEqual({ path: 'advReg.multiplier', values: [0.05, 0.2, 0.001] });
    expect(gridAxis('advReg.advGradNorm=infinity,l2')).toEqual({ path: 'advReg.advGradNorm', values: ['infinity', 'l2'] });
    expect(gridAxis('defences.0.randomStart=true,false')).toEqual({ path: 'defences.0.randomStart', values: [true, false] });
    const spec = specOf('--preset', 'quick', '--grid', 'advReg.multiplier=0.05,0.2', '--grid', 'defence=nsl,pgd-at', '--seeds', '0,1', '--epochs', '2', '--random', '3');
    expect(spec.axes.map((a) => a.path)).toEqual(['advReg.multiplier', 'defence']);
    expect(spec.seeds).toEqual([0, 1]);
    expect(spec.base.hparams.epochs).toBe(2);
    expect(spec.random).toBe(3);
    expect(spec.name).toBe('quick sweep');
  });

  it('refuses a grid without =, without values or with an empty one, and a sweep without any grid', () => {
    const message = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError);
        return (err as Error).message;
      }
      throw new Error('expected a refusal');
    };
    expect(message(() => gridAxis('advReg.multiplier'))).toMatch(/--grid must be PATH=V1,V2/);
    expect(message(() => gridAxis('advReg.multiplier='))).toMatch(/has no values/);
    expect(message(() => gridAxis('advReg.multiplier=0.1,,0.2'))).toMatch(/has an empty value/);
    expect(message(() => specOf('--preset', 'quick'))).toMatch(/give at least one --grid/);
  });
});

describe('rlab sweep (the real binary)', () => {
  let home: ReturnType<typeof tempHome>;
  beforeAll(() => {
    home = tempHome('rlab-cli-sweep-');
  });
  afterAll(() => home.remove());
  const tiny = ['--preset', 'quick', '--train-size', '256', '--test-size', '64', '--conv-filters', '4', '--fc-units', '8'];

  it('refuses an unknown field or a bad value in flag terms and stores nothing', async () => {
    const unknown = await runRlab(home.home, ['sweep', ...tiny, '--grid', 'advReg.multiplyer=0.1']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/rlab sweep: --grid: advReg\.multiplyer is not a config field: unknown field "multiplyer" in advReg/);
    const bad = await runRlab(home.home, ['sweep', ...tiny, '--grid', 'advReg.advStepSize=0.1,-2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--grid: advReg\.advStepSize = -2 makes an invalid config: advReg\.advStepSize must be > 0 \(got -2\)/);
    const ls = await runRlab(home.home, ['sweep', 'ls', '--json']);
    expect(JSON.parse(ls.stdout)).toEqual([]);
  });

  it('runs a 2-cell sweep on two workers to the end, then lists and shows it as a table, JSON and CSV', async () => {
    const run = await runRlab(home.home, ['sweep', ...tiny, '--grid', 'advReg.multiplier=0.1,0.4', '--workers', '2', '--json'], 300_000);
    expect(run.stderr).toMatch(/sweep swp_\w+ "quick sweep": 2 cells, 3 runs \(one base run per seed, shared by every cell\)/);
    expect(run.stderr).toMatch(/2\/2 cells done/);
    expect(run.code).toBe(0);
    const detail = JSON.parse(run.stdout) as SweepDetail;
    expect(detail.status).toBe('completed');
    expect(detail.cells.map((c) => c.values['advReg.multiplier'])).toEqual([0.1, 0.4]);

    const ls = JSON.parse((await runRlab(home.home, ['sweep', 'ls', '--json'])).stdout) as SweepSummary[];
    expect(ls.map((s) => [s.id, s.status, s.cellCount])).toEqual([[detail.id, 'completed', 2]]);
    const table = await runRlab(home.home, ['sweep', 'show', detail.id]);
    expect(table.stdout).toMatch(/cell\s+multiplier\s+status\s+base clean\s+base robust\s+adv clean\s+adv robust/);
    expect(table.stdout.split('\n').filter((l) => /^\d\s/.test(l))).toHaveLength(2);
    const file = path.join(home.home, 'cells.csv');
    await runRlab(home.home, ['sweep', 'show', detail.id, '--csv', file]);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('cell,advReg.multiplier,experiment_id,status,model,role,n,clean_mean,clean_std,robust_mean,robust_std,robust_label');
    expect(lines).toHaveLength(5);
    const adv = lines.find((l) => l.startsWith('1,0.4,') && l.includes(',adv,adv,'))!.split(',');
    const run1 = detail.cells[1]!.runs.find((r) => r.role === 'adv')!;
    expect(detail.baseRuns).toHaveLength(1);
    expect([adv[4], adv[7]]).toEqual(['adv', String(run1.cleanAccuracy)]);
    // an existing CSV file is never overwritten
    expect((await runRlab(home.home, ['sweep', 'show', detail.id, '--csv', file])).stderr).toMatch(/exists already/);
    expect(existsSync(file)).toBe(true);

    // nothing to cancel in a finished sweep; resume trains nothing again
    expect((await runRlab(home.home, ['sweep', 'cancel', detail.id])).stdout).toMatch(/cancelled|completed/);
    const resumed = await runRlab(home.home, ['sweep', 'resume', detail.id, '--json'], 120_000);
    const after = JSON.parse(resumed.stdout) as SweepDetail;
    expect(after.cells.flatMap((c) => c.runs.map((r) => r.finishedAt))).toEqual(detail.cells.flatMap((c) => c.runs.map((r) => r.finishedAt)));
    expect((await runRlab(home.home, ['sweep', 'show', 'exp_nope'])).stderr).toMatch(/<sweep_id> must be a sweep id like swp_ab12cd/);
  }, 400_000);
});
