// The one attack table: schemas leave fields empty, resolution fills each attack's own defaults, and bad input is
// refused with one message naming the field and the allowed values.
import { describe, expect, it } from 'vitest';
import { ATTACK_DEFAULTS, ATTACK_KINDS, attackLabel, requestOf, resolveAttack, sameAttack } from '../../../src/shared/attacks';
import { AttackSpecSchema, EvaluateRequestSchema, ExperimentConfigSchema } from '../../../src/shared/schemas';
import { parseOrThrow } from '../../../src/shared/validate';

const first = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) => r.error?.issues[0];

describe('attack schemas fill no attack defaults', () => {
  it('{attack: pgd} stays without steps or random start, and resolves to PGD-10 from a random start', () => {
    const spec = AttackSpecSchema.parse({ attack: 'pgd', epsilons: [0.1] });
    expect(spec).toEqual({ attack: 'pgd', norm: 'infinity', epsilons: [0.1], source: 'self' });
    const r = resolveAttack({ ...spec, epsilon: 0.1 });
    expect(r).toMatchObject({ attack: 'pgd', steps: 10, randomStart: true, restarts: 1, loss: 'ce', seed: 0 });
    expect(r.stepSize).toBeCloseTo(0.025, 12);
    const req = EvaluateRequestSchema.parse({ runId: 'run_a1', attack: 'pgd', epsilons: [0.1] });
    expect('steps' in req || 'randomStart' in req).toBe(false);
  });

  it('leaving every field empty never changes the kind: each attack resolves to its own row of the table', () => {
    for (const attack of ATTACK_KINDS) {
      const parsed = AttackSpecSchema.parse({ attack, epsilons: [0.1] });
      const r = resolveAttack({ ...parsed, epsilon: 0.1 }, 784, 10);
      const d = ATTACK_DEFAULTS[attack];
      expect(r).toMatchObject({ attack, steps: d.steps, randomStart: d.randomStart, restarts: d.restarts, loss: d.loss, targets: d.targets, queries: d.queries, pInit: d.pInit });
    }
  });

  it('every kind is offered by the config and the evaluate request', () => {
    for (const attack of ATTACK_KINDS) {
      expect(ExperimentConfigSchema.safeParse({ attacks: [{ attack, epsilons: [0.2] }] }).success).toBe(true);
      expect(EvaluateRequestSchema.safeParse({ runId: 'run_a1', attack, epsilons: [0.2] }).success).toBe(true);
    }
  });

  it('a resolved spec survives requestOf → resolveAttack unchanged (what the attack engine receives)', () => {
    for (const attack of ATTACK_KINDS) {
      const r = resolveAttack({ attack, norm: 'l2', epsilon: 1.5, seed: 9 }, 784, 10);
      expect(resolveAttack(requestOf(r), 784, 10)).toEqual(r);
      expect(sameAttack(resolveAttack(requestOf(r), 784, 10), r)).toBe(true);
    }
    expect(sameAttack(resolveAttack({ attack: 'pgd', norm: 'infinity', epsilon: 0.2 }), resolveAttack({ attack: 'pgd', norm: 'infinity', epsilon: 0.2, steps: 20 }))).toBe(false);
  });

  it('apgd-t targets default to 9 but never more than classes − 1', () => {
    expect(resolveAttack({ attack: 'apgd-t', norm: 'infinity', epsilon: 0.1 }, 784, 4).targets).toBe(3);
  });

  it('labels name the attack as run', () => {
    expect(attackLabel(resolveAttack({ attack: 'pgd', norm: 'infinity', epsilon: 0.3, steps: 20, restarts: 10 }))).toBe('PGD-20 ×10 ∞ ε0.3');
    expect(attackLabel(resolveAttack({ attack: 'autoattack', norm: 'l2', epsilon: 1.5 }))).toBe('AutoAttack L2 ε1.5');
  });
});

describe('bad attack input: one message naming the field and the allowed values', () => {
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['unknown attack', { attack: 'cw', epsilons: [0.1] }, 'attack', /"fgsm", "pgd", "pgd-cw", "apgd-ce", "apgd-t", "square", "autoattack"/],
    ['∞ ε above 1', { attack: 'pgd', epsilons: [0.1, 1.5] }, 'epsilons.1', /\[0, 1\] for the infinity norm/],
    ['L2 ε above 28', { attack: 'pgd', norm: 'l2', epsilons: [29] }, 'epsilons.0', /28/],
    ['zero steps', { attack: 'pgd', epsilons: [0.1], steps: 0 }, 'steps', /≥ 1/],
    ['absurd steps', { attack: 'pgd', epsilons: [0.1], steps: 1_000_000 }, 'steps', /≤ 10000/],
    ['zero restarts', { attack: 'pgd', epsilons: [0.1], restarts: 0 }, 'restarts', /≥ 1/],
    ['absurd queries', { attack: 'square', epsilons: [0.1], queries: 10_000_000 }, 'queries', /≤ 100000/],
    ['fgsm with steps', { attack: 'fgsm', epsilons: [0.1], steps: 5 }, 'steps', /cannot be set for fgsm/],
    ['autoattack with restarts', { attack: 'autoattack', epsilons: [0.1], restarts: 3 }, 'restarts', /fixed settings/],
  ];
  for (const [name, input, field, message] of cases) {
    it(name, () => {
      const issue = first(AttackSpecSchema.safeParse(input));
      expect(issue?.path.map(String).join('.')).toBe(field);
      expect(() => parseOrThrow(EvaluateRequestSchema, { runId: 'run_a1', ...input })).toThrow(expect.objectContaining({ code: 'invalid_argument', field, message: expect.stringMatching(message) }));
    });
  }

  it('targets beyond classes − 1 are refused when the classes are known', () => {
    expect(() => resolveAttack({ attack: 'apgd-t', norm: 'infinity', epsilon: 0.1, targets: 10 }, 784, 10)).toThrow(expect.objectContaining({ field: 'targets', message: expect.stringContaining('[1, 9]') }));
  });

  it('the evaluate request takes another dataset and a test size, and refuses a bad one', () => {
    expect(EvaluateRequestSchema.parse({ runId: 'run_a1', attack: 'fgsm', epsilons: [0.1], dataset: { kind: 'mnist' }, testSize: 10_000 })).toMatchObject({ dataset: { kind: 'mnist' }, testSize: 10_000 });
    expect(first(EvaluateRequestSchema.safeParse({ runId: 'run_a1', attack: 'fgsm', epsilons: [0.1], testSize: 0 }))?.path).toEqual(['testSize']);
  });
});
