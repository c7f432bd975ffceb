// The sweep planner: the grid in a fixed order, a reproducible random draw, every cell a valid experiment config, and
// every bad axis refused by name before anything could be stored.
import { describe, expect, it } from 'vitest';
import { LabError } from '../../../src/shared/errors';
import { PRESETS } from '../../../src/shared/presets';
import { cellValues, gridSizeOf, planSweep } from '../../../src/shared/sweep-plan';
import { SWEEP_CONFIRM_CELLS, SweepSpecSchema, type SweepSpecInput } from '../../../src/shared/sweep-spec';

const tutorial = PRESETS['mnist-tutorial'].config;
const spec = (patch: Partial<SweepSpecInput> = {}) =>
  SweepSpecSchema.parse({
    name: 'tut',
    base: tutorial,
    axes: [
      { path: 'advReg.multiplier', values: [0.05, 0.2, 0.5] },
      { path: 'advReg.advStepSize', values: [0.05, 0.1, 0.2] },
    ],
    seeds: [0, 1, 2],
    ...patch,
  });

function refusal(run: () => unknown): LabError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(LabError);
    return err as LabError;
  }
  throw new Error('expected a refusal');
}

describe('planSweep', () => {
  it('makes the 3 × 3 grid of the issue, last axis fastest, each cell the base with its two values and the seeds', () => {
    const plan = planSweep(spec());
    expect(plan.gridSize).toBe(9);
    expect(plan.cells.map((c) => [c.values['advReg.multiplier'], c.values['advReg.advStepSize']])).toEqual([
      [0.05, 0.05], [0.05, 0.1], [0.05, 0.2], [0.2, 0.05], [0.2, 0.1], [0.2, 0.2], [0.5, 0.05], [0.5, 0.1], [0.5, 0.2],
    ]);
    const cell = plan.cells[5]!;
    expect(cell.index).toBe(5);
    expect(cell.config.advReg.multiplier).toBe(0.2);
    expect(cell.config.advReg.advStepSize).toBe(0.2);
    expect(cell.config.seeds).toEqual([0, 1, 2]);
    expect(cell.config.seed).toBe(0);
    expect(cell.name).toBe('tut · multiplier=0.2 advStepSize=0.2');
    expect(cell.config.tags).toEqual(['tutorial', 'sweep']);
    // everything else is the base's
    expect(cell.config.hparams).toEqual(plan.cells[0]!.config.hparams);
    expect(cell.config.attacks).toEqual(plan.cells[0]!.config.attacks);
    expect(cell.config.data).toEqual(plan.cells[0]!.config.data);
  });

  it('draws a random subset reproducibly: the same seed the same cells, in grid order, never a repeat', () => {
    const big = spec({ axes: [{ path: 'advReg.multiplier', values: [0.01, 0.02, 0.05, 0.1, 0.2, 0.5] }, { path: 'hparams.learningRate', values: [1e-4, 3e-4, 1e-3, 3e-3] }, { path: 'advReg.advGradNorm', values: ['infinity', 'l2'] }], random: 7 });
    const a = planSweep(big).cells.map((c) => c.index);
    expect(a).toHaveLength(7);
    expect(new Set(a).size).toBe(7);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    expect(a.every((i) => i >= 0 && i < 48)).toBe(true);
    expect(planSweep(big).cells.map((c) => c.index)).toEqual(a);
    expect(planSweep({ ...big, randomSeed: 1 }).cells.map((c) => c.index)).not.toEqual(a);
    // asking for more than the grid runs the grid
    expect(planSweep({ ...big, random: 1000 }).cells).toHaveLength(48);
    const cell = planSweep(big).cells[0]!;
    expect(cellValues(big.axes, cell.index)).toEqual(Object.values(cell.values));
  });

  it('sweeps the defence by method, with its own settings as further axes, and fields absent from the base', () => {
    const plan = planSweep(spec({ axes: [{ path: 'defence', values: ['pgd-at', 'trades'] }, { path: 'defences.0.epsilon', values: [0.1, 0.3] }] }));
    expect(plan.cells.map((c) => [c.config.defences[0]!.method, (c.config.defences[0] as { epsilon: number }).epsilon])).toEqual([['pgd-at', 0.1], ['pgd-at', 0.3], ['trades', 0.1], ['trades', 0.3]]);
    const pgd = planSweep(spec({ axes: [{ path: 'advReg.pgdEpsilon', values: [0.1, 0.2] }, { path: 'advReg.pgdIterations', values: [3] }] }));
    expect(pgd.cells.map((c) => c.config.advReg.pgdEpsilon)).toEqual([0.1, 0.2]);
  });

  it('refuses a path that is no config field, a group, a bad value, a bad defence — naming the axis and what is allowed', () => {
    const unknown = refusal(() => planSweep(spec({ axes: [{ path: 'advReg.multiplyer', values: [0.1] }] })));
    expect(unknown.field).toBe('spec.axes.0.path');
    // named on its own axis even after another axis of the same group
    const second = refusal(() => planSweep(spec({ axes: [{ path: 'advReg.multiplier', values: [0.1] }, { path: 'advReg.nope', values: [1] }] })));
    expect([second.field, second.message]).toEqual(['spec.axes.1.path', expect.stringMatching(/^advReg\.nope is not a config field: unknown field "nope" in advReg/)]);
    expect(unknown.message).toMatch(/advReg\.multiplyer is not a config field.*"multiplyer"/);
    const group = refusal(() => planSweep(spec({ axes: [{ path: 'hparams', values: [1] }] })));
    expect(group.field).toBe('spec.axes.0.path');
    expect(group.message).toMatch(/hparams is not one number, text or true\/false field: it is a group of fields/);
    const list = refusal(() => planSweep(spec({ axes: [{ path: 'hparams.convFilters', values: [16] }] })));
    expect(list.message).toMatch(/is a list \(e\.g\. hparams\.convFilters\.0\)/);
    const bad = refusal(() => planSweep(spec({ axes: [{ path: 'advReg.multiplier', values: [0.2] }, { path: 'advReg.advStepSize', values: [0.1, -1] }] })));
    expect(bad.field).toBe('spec.axes.1.values.1');
    expect(bad.message).toMatch(/advReg\.advStepSize = -1 makes an invalid config: advReg\.advStepSize must be/);
    const word = refusal(() => planSweep(spec({ axes: [{ path: 'advReg.advGradNorm', values: ['l3'] }] })));
    expect(word.message).toMatch(/must be one of "l2", "l1", "infinity"|must be one of/);
    const defence = refusal(() => planSweep(spec({ axes: [{ path: 'defence', values: ['nsl', 'standard'] }] })));
    expect(defence.field).toBe('spec.axes.0.values.1');
    expect(defence.message).toMatch(/must be one of "nsl", "pgd-at", "trades", "mart", "fast-at"/);
    const item = refusal(() => planSweep(spec({ axes: [{ path: 'attacks.9.epsilons', values: [0.1] }] })));
    expect(item.message).toMatch(/names item 9 of a list of 4/);
  });

  it('asks for a yes past 1,000 cells and never plans more than 10,000', () => {
    const values = (n: number) => Array.from({ length: n }, (_, i) => (i + 1) / 1000);
    const large = spec({ axes: [{ path: 'advReg.multiplier', values: values(40) }, { path: 'advReg.advStepSize', values: values(30) }] });
    expect(gridSizeOf(large.axes)).toBe(1200);
    const e = refusal(() => planSweep(large));
    expect(e.field).toBe('yes');
    expect(e.message).toMatch(/1,200 cells, more than 1,000: confirm with yes \(--yes\)/);
    expect(planSweep(large, { yes: true }).cells).toHaveLength(1200);
    expect(planSweep({ ...large, random: SWEEP_CONFIRM_CELLS }).cells).toHaveLength(1000);
    const huge = spec({ axes: [{ path: 'advReg.multiplier', values: values(100) }, { path: 'advReg.advStepSize', values: values(100) }, { path: 'hparams.epochs', values: [1, 2] }] });
    expect(refusal(() => planSweep(huge, { yes: true })).message).toMatch(/at most 10,000 cells; this one has 20,000/);
  });
});

describe('SweepSpecSchema', () => {
  it('refuses an empty axis, a repeated value or axis, a seed axis and a malformed path, naming the field', () => {
    const issues = (input: unknown) => SweepSpecSchema.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(issues({ base: {}, axes: [{ path: 'advReg.multiplier', values: [] }] })[0]).toMatch(/^axes\.0\.values: /);
    expect(issues({ base: {}, axes: [{ path: 'advReg.multiplier', values: [0.1, 0.1] }] })).toEqual(['axes.0.values: must not repeat a value']);
    expect(issues({ base: {}, axes: [{ path: 'advReg.multiplier', values: [0.1] }, { path: 'advReg.multiplier', values: [0.2] }] })[0]).toMatch(/^axes\.1\.path: must not repeat an axis/);
    expect(issues({ base: {}, axes: [{ path: 'seeds', values: [1] }] })[0]).toMatch(/--seeds 0,1,2/);
    expect(issues({ base: {}, axes: [{ path: 'advReg..x', values: [1] }] })[0]).toMatch(/^axes\.0\.path: must be a config path/);
    expect(issues({ base: {}, axes: [] })[0]).toMatch(/^axes: /);
  });
});
