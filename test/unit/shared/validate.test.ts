import { describe, expect, it } from 'vitest';
import { LabError } from '../../../src/shared/errors';
import { AdvRegSchema, EvaluateRequestSchema, ExperimentConfigSchema } from '../../../src/shared/schemas';
import { parseOrThrow } from '../../../src/shared/validate';

function errorOf(fn: () => unknown): LabError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(LabError);
    return err as LabError;
  }
  throw new Error('expected a LabError');
}

describe('parseOrThrow', () => {
  it('names the field, the allowed range and the value given', () => {
    const err = errorOf(() => parseOrThrow(AdvRegSchema, { advStepSize: -0.1 }));
    expect(err.code).toBe('invalid_argument');
    expect(err.field).toBe('advStepSize');
    expect(err.message).toBe('advStepSize must be > 0 (got -0.1)');
  });

  it('reports NaN as not a finite number', () => {
    const err = errorOf(() => parseOrThrow(AdvRegSchema, { multiplier: Number.NaN }));
    expect(err.message).toBe('multiplier must be a finite number (got NaN)');
  });

  it('lists the allowed values of an enum', () => {
    const err = errorOf(() => parseOrThrow(AdvRegSchema, { advGradNorm: 'l3' }));
    expect(err.message).toBe('advGradNorm must be one of "l2", "l1", "infinity" (got "l3")');
  });

  it('refuses unknown fields by name', () => {
    const err = errorOf(() => parseOrThrow(ExperimentConfigSchema, { hparams: { epoch: 3 } }));
    expect(err.field).toBe('hparams.epoch');
    expect(err.message).toContain('unknown field "epoch" in hparams');
  });

  it('joins every problem and points the field at the first, with a prefix', () => {
    const err = errorOf(() => parseOrThrow(ExperimentConfigSchema, { hparams: { batchSize: 0, epochs: 1001 } }, 'config'));
    expect(err.field).toBe('config.hparams.batchSize');
    expect(err.message).toBe('config.hparams.batchSize must be ≥ 1 (got 0); config.hparams.epochs must be ≤ 1000 (got 1001)');
  });

  it('uses the right article for array and object types', () => {
    const err = errorOf(() => parseOrThrow(EvaluateRequestSchema, { runId: 'run_abc', attack: 'fgsm' }));
    expect(err.message).toBe('epsilons must be an array (got nothing)');
  });

  it('returns the parsed value with defaults on success', () => {
    expect(parseOrThrow(AdvRegSchema, { advStepSize: 0.2 })).toMatchObject({ multiplier: 0.2, advStepSize: 0.2, advGradNorm: 'l2', pgdIterations: 1, randomInit: false });
  });
});
