// Attack spec validation and defaults: every bad field is a LabError naming it; defaults follow the documented rules.
import { describe, expect, it } from 'vitest';
import { resolveAttackSpec, type AttackSpec } from '../../../../../src/main/lab/attacks/spec';
import { LabError } from '../../../../../src/shared/errors';

function errorOf(spec: unknown, pixels?: number): LabError {
  try {
    resolveAttackSpec(spec as AttackSpec, pixels);
  } catch (err) {
    expect(err).toBeInstanceOf(LabError);
    return err as LabError;
  }
  throw new Error('expected resolveAttackSpec to throw');
}

describe('resolveAttackSpec', () => {
  it('fills pgd defaults: 10 steps, step 2.5·ε/steps, random start, one restart, seed 0', () => {
    expect(resolveAttackSpec({ attack: 'pgd', norm: 'infinity', epsilon: 0.2 })).toEqual({
      attack: 'pgd', norm: 'infinity', epsilon: 0.2, steps: 10, stepSize: 0.05, randomStart: true, restarts: 1, seed: 0,
    });
    expect(resolveAttackSpec({ attack: 'pgd', norm: 'l2', epsilon: 1, steps: 5 }).stepSize).toBeCloseTo(0.5, 12);
  });

  it('fills fgsm defaults: one step of size ε from the clean input', () => {
    expect(resolveAttackSpec({ attack: 'fgsm', norm: 'l2', epsilon: 1.5 })).toEqual({
      attack: 'fgsm', norm: 'l2', epsilon: 1.5, steps: 1, stepSize: 1.5, randomStart: false, restarts: 1, seed: 0,
    });
  });

  it('keeps explicit values', () => {
    const spec: AttackSpec = { attack: 'pgd', norm: 'l2', epsilon: 2, steps: 7, stepSize: 0.3, randomStart: false, restarts: 4, seed: 99 };
    expect(resolveAttackSpec(spec)).toEqual({ ...spec });
  });

  it.each([
    [{ attack: 'pgd', norm: 'infinity', epsilon: 1.01 }, 'epsilon', '[0, 1]'],
    [{ attack: 'pgd', norm: 'infinity', epsilon: -0.1 }, 'epsilon', '[0, 1]'],
    [{ attack: 'fgsm', norm: 'l2', epsilon: -0.5 }, 'epsilon', 'l2'],
    [{ attack: 'pgd', norm: 'infinity', epsilon: Number.NaN }, 'epsilon', 'finite'],
    [{ attack: 'pgd', norm: 'infinity', epsilon: '0.1' }, 'epsilon', 'finite'],
    [{ attack: 'pgd', norm: 'infinity', epsilon: 0.1, steps: 0 }, 'steps', '≥ 1'],
    [{ attack: 'pgd', norm: 'infinity', epsilon: 0.1, steps: 2.5 }, 'steps', 'integer'],
    [{ attack: 'fgsm', norm: 'infinity', epsilon: 0.1, steps: 3 }, 'steps', 'fgsm'],
    [{ attack: 'pgd', norm: 'l1', epsilon: 0.1 }, 'norm', 'infinity, l2'],
    [{ attack: 'pgd', epsilon: 0.1 }, 'norm', 'infinity, l2'],
    [{ attack: 'cw', norm: 'l2', epsilon: 0.1 }, 'attack', 'fgsm, pgd'],
    [{ attack: 'pgd', norm: 'l2', epsilon: 0.1, stepSize: 0 }, 'stepSize', '> 0'],
    [{ attack: 'pgd', norm: 'l2', epsilon: 0.1, stepSize: Number.POSITIVE_INFINITY }, 'stepSize', '> 0'],
    [{ attack: 'pgd', norm: 'l2', epsilon: 0.1, restarts: 0 }, 'restarts', '≥ 1'],
    [{ attack: 'pgd', norm: 'l2', epsilon: 0.1, seed: 1.5 }, 'seed', 'integer'],
    [{ attack: 'pgd', norm: 'l2', epsilon: 0.1, randomStart: 'yes' }, 'randomStart', 'true or false'],
  ])('rejects %j naming %s', (spec, field, hint) => {
    const err = errorOf(spec);
    expect(err.code).toBe('invalid_argument');
    expect(err.field).toBe(field);
    expect(err.message).toContain(field);
    expect(err.message).toContain(hint);
  });

  it('bounds an l2 ε by the image diameter √pixels when the image size is known', () => {
    expect(resolveAttackSpec({ attack: 'pgd', norm: 'l2', epsilon: 28 }, 784).epsilon).toBe(28);
    const err = errorOf({ attack: 'pgd', norm: 'l2', epsilon: 28.5 }, 784);
    expect(err.field).toBe('epsilon');
    expect(err.message).toContain('[0, 28.000]');
  });

  it('rejects a spec that is not an object', () => {
    expect(errorOf(null).field).toBe('spec');
  });
});
