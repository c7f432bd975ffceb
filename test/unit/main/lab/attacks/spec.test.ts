// The attacks module's spec adapter: the shared table's defaults (one definition), bounds that need the model, seeds.
import { describe, expect, it } from 'vitest';
import { checkBatchSize, mixSeed, resolveAttackSpec } from '../../../../../src/main/lab/attacks/spec';
import { ATTACK_DEFAULTS, resolveAttack } from '../../../../../src/shared/attacks';
import { LabError } from '../../../../../src/shared/errors';

function errorOf(f: () => unknown): LabError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(LabError);
    return err as LabError;
  }
  throw new Error('expected a LabError');
}

describe('resolveAttackSpec', () => {
  it('resolves with the shared table: pgd keeps its 10 steps and random start when they are left empty', () => {
    const r = resolveAttackSpec({ attack: 'pgd', norm: 'infinity', epsilon: 0.2 });
    expect(r).toEqual(resolveAttack({ attack: 'pgd', norm: 'infinity', epsilon: 0.2 }));
    expect([r.steps, r.randomStart, r.stepSize]).toEqual([ATTACK_DEFAULTS.pgd.steps, true, 0.05]);
  });

  it('bounds apgd-t targets by the classes the model predicts', () => {
    expect(resolveAttackSpec({ attack: 'apgd-t', norm: 'infinity', epsilon: 0.1 }, 784, 4).targets).toBe(3);
    expect(errorOf(() => resolveAttackSpec({ attack: 'apgd-t', norm: 'infinity', epsilon: 0.1, targets: 9 }, 784, 4)).field).toBe('targets');
  });

  it('bounds an l2 ε by the image diameter', () => {
    expect(errorOf(() => resolveAttackSpec({ attack: 'pgd', norm: 'l2', epsilon: 5 }, 16)).field).toBe('epsilon');
  });
});

describe('checkBatchSize and mixSeed', () => {
  it('accepts integers ≥ 1 only', () => {
    expect(checkBatchSize(32)).toBe(32);
    for (const bad of [0, 1.5, '8', -1]) expect(errorOf(() => checkBatchSize(bad)).field).toBe('batchSize');
  });

  it('mixes seeds deterministically into distinct 31-bit values', () => {
    expect(mixSeed(1, 2)).toBe(mixSeed(1, 2));
    expect(new Set([mixSeed(0, 0), mixSeed(0, 1), mixSeed(1, 0), mixSeed(1, 1)]).size).toBe(4);
    for (const s of [mixSeed(2 ** 40, 3), mixSeed(-5)]) expect(s >= 0 && s < 2 ** 31).toBe(true);
  });
});
