// makeAdvRegConfig: the shared AdvRegConfig with NSL 1.4's own defaults, every field, and LabErrors naming the field.
import { describe, expect, it } from 'vitest';
import { makeAdvRegConfig } from '../../../../../src/main/lab/nsl/config';
import { AdvRegSchema } from '../../../../../src/shared/schemas';
import { LabError } from '../../../../../src/shared/errors';
import { loadParityFixture } from '../../../../helpers/nsl-parity';

function errorOf(fn: () => unknown): LabError {
  try {
    fn();
  } catch (err) {
    if (err instanceof LabError) return err;
    throw err;
  }
  throw new Error('expected a LabError');
}

describe('makeAdvRegConfig', () => {
  it("fills the defaults of NSL's own make_adv_reg_config()", () => {
    // nsl_defaults was written by scripts/fixtures/nsl_parity.py from nsl_configs.make_adv_reg_config().
    expect(makeAdvRegConfig()).toEqual(loadParityFixture().nsl_defaults);
    expect(makeAdvRegConfig()).toEqual({ multiplier: 0.2, advStepSize: 0.001, advGradNorm: 'l2', pgdIterations: 1, randomInit: false });
  });

  it('is the shared schema: the same config for the same request', () => {
    const input = { advStepSize: 0.2, advGradNorm: 'infinity' as const, clipValueMin: 0, clipValueMax: 1 };
    expect(makeAdvRegConfig(input)).toEqual(AdvRegSchema.parse(input));
  });

  it('keeps every field it is given', () => {
    const full = { multiplier: 0.5, advStepSize: 0.05, advGradNorm: 'infinity' as const, clipValueMin: 0, clipValueMax: 1, pgdIterations: 7, pgdEpsilon: 0.3, randomInit: true, featureMask: [1, 0.5, 0, 1] };
    expect(makeAdvRegConfig(full)).toEqual(full);
  });

  it('accepts multiplier 0 for a base model', () => {
    expect(makeAdvRegConfig({ multiplier: 0 }).multiplier).toBe(0);
  });

  it('is idempotent on its own output', () => {
    const cfg = makeAdvRegConfig({ advGradNorm: 'l1', advStepSize: 0.2, clipValueMin: 0 });
    expect(makeAdvRegConfig(cfg)).toEqual(cfg);
  });

  it('accepts randomInit without pgdEpsilon, as NSL does (the start is drawn in the advStepSize ball)', () => {
    expect(makeAdvRegConfig({ randomInit: true, advStepSize: 0.1 })).toMatchObject({ randomInit: true, advStepSize: 0.1 });
    expect(makeAdvRegConfig({ randomInit: true, advGradNorm: 'l1' }).pgdEpsilon).toBeUndefined();
  });

  it.each([
    [{ advStepSize: -0.1 }, 'advStepSize', /advStepSize must be > 0 \(got -0.1\)/],
    [{ advStepSize: 0 }, 'advStepSize', /advStepSize must be > 0/],
    [{ multiplier: -1 }, 'multiplier', /multiplier must be ≥ 0 \(got -1\)/],
    [{ multiplier: Number.NaN }, 'multiplier', /multiplier must be a finite number \(got NaN\)/],
    [{ advGradNorm: 'l3' }, 'advGradNorm', /advGradNorm must be one of "l2", "l1", "infinity" \(got "l3"\)/],
    [{ pgdIterations: 0 }, 'pgdIterations', /pgdIterations must be ≥ 1/],
    [{ pgdIterations: 1.5 }, 'pgdIterations', /pgdIterations must be an int/],
    [{ pgdEpsilon: 0 }, 'pgdEpsilon', /pgdEpsilon must be > 0/],
    [{ clipValueMin: Number.POSITIVE_INFINITY }, 'clipValueMin', /clipValueMin must be a finite number/],
    [{ advStepSize: '0.1' }, 'advStepSize', /advStepSize must be a finite number \(got "0.1"\)/],
    [{ randomInit: 'yes' }, 'randomInit', /randomInit must be a boolean/],
    [{ featureMask: [0, 1.5] }, 'featureMask.1', /featureMask.1 must be ≤ 1/],
    [{ advStepsize: 0.1 }, 'advStepsize', /unknown field "advStepsize"/],
  ])('rejects %j naming %s', (input, field, message) => {
    const err = errorOf(() => makeAdvRegConfig(input as never));
    expect(err.code).toBe('invalid_argument');
    expect(err.field).toBe(field);
    expect(err.message).toMatch(message);
  });

  it('rejects clipValueMin above clipValueMax', () => {
    const err = errorOf(() => makeAdvRegConfig({ clipValueMin: 1, clipValueMax: 0 }));
    expect(err.field).toBe('clipValueMax');
    expect(err.message).toMatch(/clipValueMax must be ≥ clipValueMin \(1\)/);
  });

  it("rejects pgdEpsilon with advGradNorm 'l1', as NSL has no L1 projection", () => {
    const err = errorOf(() => makeAdvRegConfig({ advGradNorm: 'l1', pgdEpsilon: 0.1 }));
    expect(err.field).toBe('pgdEpsilon');
    expect(err.message).toMatch(/no l1 projection/);
  });
});
