// The New-sweep form: typed text to the planSweep request (values read as `rlab sweep --grid` reads them), and the
// host's refusals mapped back onto the axis row, input or field they name — checked against the real planner's fields.
import { describe, expect, it } from 'vitest';
import { LabError } from '../../../src/shared/errors';
import { presetConfig } from '../../../src/shared/presets';
import { planSweep } from '../../../src/shared/sweep-plan';
import { PlanSweepRequestSchema, SweepSpecSchema } from '../../../src/shared/sweep-spec';
import { parseOrThrow } from '../../../src/shared/validate';
import { NEW_SWEEP_ARG, href, parseHash, sweepHref } from '../../../src/renderer/src/lib/routes';
import { axisValues, commonAxis, errorKey, errorsOf, newAxisRow, newSweepForm, sweepRequest, toggleValue, type SweepForm } from '../../../src/renderer/src/lib/sweep-form';
import { axisValueOf } from '../../../src/shared/sweep-spec';

const base = presetConfig('quick');
const form = (patch: Partial<SweepForm>): SweepForm => ({ ...newSweepForm(), ...patch });

/** The LabError the host answers planSweep with (schema first, then the planner), as the page receives it. */
function refusal(f: SweepForm): LabError {
  try {
    const { spec } = parseOrThrow(PlanSweepRequestSchema, { spec: sweepRequest(f, base).spec });
    planSweep(spec, { yes: true });
  } catch (err) {
    if (err instanceof LabError) return err;
    throw err;
  }
  throw new Error('the sweep was not refused');
}

describe('sweep form values', () => {
  it('reads numbers, true/false and words as the CLI does, keeping an empty entry for the host to name', () => {
    expect(axisValues('0.05, 0.2 ,1e-3')).toEqual([0.05, 0.2, 0.001]);
    expect(axisValues('nsl,pgd-at')).toEqual(['nsl', 'pgd-at']);
    expect(axisValues('true, false')).toEqual([true, false]);
    expect(axisValues('0.1,,0.2')).toEqual([0.1, '', 0.2]);
    expect(axisValues('   ')).toEqual([]);
    expect(axisValueOf(' -2 ')).toBe(-2);
    expect(axisValueOf('1.2.3')).toBe('1.2.3');
  });

  it('toggles an enum value in the comma list', () => {
    expect(toggleValue('nsl', 'trades')).toBe('nsl, trades');
    expect(toggleValue('nsl, trades', 'nsl')).toBe('trades');
    expect(toggleValue('', 'mart')).toBe('mart');
    expect(commonAxis(' defence ')?.choices?.map((c) => c.value)).toEqual(['nsl', 'pgd-at', 'trades', 'mart', 'fast-at']);
    expect(commonAxis('advReg.advGradNorm')?.choices?.map((c) => c.value)).toEqual(['l2', 'l1', 'infinity']);
  });

  it('builds the spec the schema accepts, leaving out what is empty', () => {
    const f = form({ name: ' ', axes: [newAxisRow('advReg.multiplier', '0.1, 0.2'), newAxisRow(' defence ', 'nsl, trades')], seeds: '0, 1', random: '3', randomSeed: '7', workers: '2' });
    const { spec, workers } = sweepRequest(f, base);
    expect(workers).toBe(2);
    expect(spec).toMatchObject({ name: 'quick sweep', axes: [{ path: 'advReg.multiplier', values: [0.1, 0.2] }, { path: 'defence', values: ['nsl', 'trades'] }], seeds: [0, 1], random: 3, randomSeed: 7 });
    const parsed = SweepSpecSchema.parse(spec);
    expect(planSweep(parsed).cells).toHaveLength(3);
    const bare = sweepRequest(form({ axes: [newAxisRow('advReg.multiplier', '0.1')] }), base);
    expect(Object.keys(bare.spec).sort()).toEqual(['axes', 'base', 'name']);
    expect(bare.workers).toBeUndefined();
    // a word where a number belongs is sent as NaN (null on the wire) so the schema names the field
    expect(sweepRequest(form({ workers: 'two' }), base).workers).toBeNaN();
  });
});

describe('refusals on the field they name', () => {
  it('maps every field the host names to a row, an input or the form', () => {
    expect(errorKey('spec.axes.1.path')).toBe('axes.1.path');
    expect(errorKey('spec.axes.0.values')).toBe('axes.0.values');
    expect(errorKey('spec.axes.2.values.3')).toBe('axes.2.values');
    expect(errorKey('spec.axes.4')).toBe('axes.4.path');
    expect(errorKey('spec.axes')).toBe('axes');
    expect(errorKey('spec.seeds.1')).toBe('seeds');
    expect(errorKey('spec.random')).toBe('random');
    expect(errorKey('spec.randomSeed')).toBe('randomSeed');
    expect(errorKey('spec.base.data.trainSize')).toBe('base');
    expect(errorKey('yes')).toBe('yes');
    expect(errorKey('workers')).toBe('workers');
    expect(errorKey('spec')).toBe('form');
    expect(errorKey(undefined)).toBe('form');
    expect(errorsOf(null)).toEqual({});
  });

  it("puts the real planner's refusals on the right axis row", () => {
    const rows = (second: string, values: string) => form({ axes: [newAxisRow('hparams.learningRate', '0.001'), newAxisRow(second, values)] });
    const unknown = refusal(rows('advReg.nope', '1'));
    expect(unknown.field).toBe('spec.axes.1.path');
    expect(errorsOf(unknown)).toEqual({ 'axes.1.path': expect.stringMatching(/advReg\.nope is not a config field/) });
    expect(errorKey(refusal(rows('advReg..x', '1')).field)).toBe('axes.1.path');
    const badValue = refusal(rows('advReg.advStepSize', '0.1, -1'));
    expect(badValue.field).toBe('spec.axes.1.values.1');
    expect(errorKey(badValue.field)).toBe('axes.1.values');
    expect(errorKey(refusal(rows('defence', 'nsl, magic')).field)).toBe('axes.1.values');
    expect(errorKey(refusal(rows('hparams.learningRate', '0.002')).field)).toBe('axes.1.path');
    expect(errorKey(refusal(rows('hparams.epochs', '')).field)).toBe('axes.1.values');
    expect(errorKey(refusal(form({ seeds: '0, x' })).field)).toBe('seeds');
    expect(errorKey(refusal(form({ random: '0' })).field)).toBe('random');
  });
});

describe('sweep routes', () => {
  it('has a list, a form and one page per sweep under #/sweeps', () => {
    expect(parseHash('#/sweeps').page).toBe('sweeps');
    expect(parseHash(href('sweeps', NEW_SWEEP_ARG))).toMatchObject({ page: 'sweeps', arg: 'new' });
    expect(sweepHref('swp_ab12')).toBe('#/sweeps/swp_ab12');
    expect(parseHash(sweepHref('swp_ab12')).arg).toBe('swp_ab12');
  });
});
