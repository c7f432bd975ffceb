// makeAdvRegConfig: NSL 1.4 defaults, every field, and LabErrors that name the offending field.
import { describe, expect, it } from 'vitest';
import { ADV_REG_DEFAULTS, makeAdvRegConfig } from '../../../../../src/main/lab/nsl/config';
import { LabError } from '../../../../../src/shared/errors';

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
  it('fills NSL 1.4 defaults', () => {
    expect(makeAdvRegConfig()).toEqual({ multiplier: 0.2, advStepSize: 0.001, advGradNorm: 'l2', pgdIterations: 1, randomInit: false });
    expect(ADV_REG_DEFAULTS.multiplier).toBe(0.2);
    const cfg = makeAdvRegConfig({});
    expect(cfg.clipValueMin).toBeUndefined();
    expect(cfg.clipValueMax).toBeUndefined();
    expect(cfg.pgdEpsilon).toBeUndefined();
    expect(cfg.featureMask).toBeUndefined();
  });

  it('keeps every field it is given', () => {
    const full = { multiplier: 0.5, advStepSize: 0.05, advGradNorm: 'infinity' as const, clipValueMin: 0, clipValueMax: 1, pgdIterations: 7, pgdEpsilon: 0.3, randomInit: true, featureMask: [[1, 0.5], [0, 1]] };
    expect(makeAdvRegConfig(full)).toEqual(full);
  });

  it('accepts multiplier 0 for a base model', () => {
    expect(makeAdvRegConfig({ multiplier: 0 }).multiplier).toBe(0);
  });

  it('is idempotent on its own output', () => {
    const cfg = makeAdvRegConfig({ advGradNorm: 'l1', advStepSize: 0.2, clipValueMin: 0 });
    expect(makeAdvRegConfig(cfg)).toEqual(cfg);
  });

  it.each([
    [{ advStepSize: -0.1 }, 'advStepSize', /advStepSize must be > 0 \(got -0.1\)/],
    [{ advStepSize: 0 }, 'advStepSize', /advStepSize must be > 0/],
    [{ multiplier: -1 }, 'multiplier', /multiplier must be >= 0 \(got -1\)/],
    [{ multiplier: Number.NaN }, 'multiplier', /multiplier must be a finite number \(got NaN\)/],
    [{ advGradNorm: 'l3' }, 'advGradNorm', /advGradNorm must be one of 'l2', 'l1', 'infinity' \(got "l3"\)/],
    [{ pgdIterations: 0 }, 'pgdIterations', /pgdIterations must be an integer >= 1/],
    [{ pgdIterations: 1.5 }, 'pgdIterations', /pgdIterations must be an integer >= 1/],
    [{ pgdEpsilon: 0 }, 'pgdEpsilon', /pgdEpsilon must be > 0/],
    [{ clipValueMin: Number.POSITIVE_INFINITY }, 'clipValueMin', /clipValueMin must be a finite number \(got Infinity\)/],
    [{ advStepSize: '0.1' }, 'advStepSize', /advStepSize must be a finite number \(got "0.1"\)/],
    [{ randomInit: 'yes' }, 'randomInit', /randomInit must be true or false/],
    [{ featureMask: [0, 1.5] }, 'featureMask', /featureMask/],
    [{ advStepsize: 0.1 }, 'advStepsize', /advStepsize is not an AdvRegConfig field/],
  ])('rejects %j naming %s', (input, field, message) => {
    const err = errorOf(() => makeAdvRegConfig(input as never));
    expect(err.code).toBe('invalid_argument');
    expect(err.field).toBe(field);
    expect(err.message).toMatch(message);
  });

  it('rejects clipValueMin above clipValueMax', () => {
    const err = errorOf(() => makeAdvRegConfig({ clipValueMin: 1, clipValueMax: 0 }));
    expect(err.field).toBe('clipValueMin');
    expect(err.message).toMatch(/clipValueMin must be <= clipValueMax/);
  });

  it("rejects pgdEpsilon with advGradNorm 'l1' as unsupported, as NSL has no L1 projection", () => {
    const err = errorOf(() => makeAdvRegConfig({ advGradNorm: 'l1', pgdEpsilon: 0.1 }));
    expect(err.code).toBe('unsupported');
    expect(err.field).toBe('pgdEpsilon');
  });

  it('rejects randomInit without a pgdEpsilon ball', () => {
    const err = errorOf(() => makeAdvRegConfig({ randomInit: true }));
    expect(err.field).toBe('randomInit');
    expect(err.message).toMatch(/randomInit needs pgdEpsilon/);
  });
});
