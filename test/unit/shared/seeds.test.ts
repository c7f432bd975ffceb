// The experiment's seeds: the one rule for the list, how `seed` and `seeds` relate, and which seed splits the data.
import { describe, expect, it } from 'vitest';
import { ExperimentConfigSchema, SEEDS_RULE } from '../../../src/shared/schemas';
import { runName, splitSeedOf } from '../../../src/shared/seeds';
import { parseOrThrow } from '../../../src/shared/validate';

function refusal(input: unknown): { field: string | undefined; message: string } {
  try {
    parseOrThrow(ExperimentConfigSchema, input);
  } catch (err) {
    const e = err as { field?: string; message: string };
    return { field: e.field, message: e.message };
  }
  throw new Error('expected a refusal');
}

describe('ExperimentConfig seeds', () => {
  it('defaults to the single seed of today', () => {
    expect(ExperimentConfigSchema.parse({})).toMatchObject({ seed: 0, seeds: [0] });
    expect(ExperimentConfigSchema.parse({ seed: 7 })).toMatchObject({ seed: 7, seeds: [7] });
  });

  it('takes seed from the first of seeds, and accepts both when they agree', () => {
    expect(ExperimentConfigSchema.parse({ seeds: [4, 1, 2] })).toMatchObject({ seed: 4, seeds: [4, 1, 2] });
    expect(ExperimentConfigSchema.parse({ seed: 4, seeds: [4, 5] })).toMatchObject({ seed: 4, seeds: [4, 5] });
  });

  it('parses its own output again unchanged', () => {
    const once = ExperimentConfigSchema.parse({ seeds: [3, 9] });
    expect(ExperimentConfigSchema.parse(once)).toEqual(once);
  });

  it.each([
    [[0, 0], '[0,0]'],
    [[], '[]'],
    [[1.5], '[1.5]'],
    [[-1, 2], '[-1,2]'],
    [[2 ** 31], '[2147483648]'],
    [Array.from({ length: 33 }, (_, i) => i), null],
    ['0,1', '"0,1"'],
  ])('refuses seeds %j with one message naming the field and the rule', (seeds, got) => {
    const r = refusal({ seeds });
    expect(r.field).toBe('seeds');
    expect(r.message).toContain(`seeds ${SEEDS_RULE} (got `);
    if (got !== null) expect(r.message).toBe(`seeds ${SEEDS_RULE} (got ${got})`);
  });

  it('says what the rule is in words', () => {
    expect(SEEDS_RULE).toBe('must be a list of 1 to 32 distinct integers in [0, 2147483647]');
  });

  it('refuses a seed that is not the first of seeds', () => {
    const r = refusal({ seed: 1, seeds: [3, 1] });
    expect(r.field).toBe('seed');
    expect(r.message).toBe('seed must be the first of seeds (3) when both are given: it fixes the data split of every run (got 1)');
  });

  it('still checks seed alone', () => {
    expect(refusal({ seed: -3 })).toMatchObject({ field: 'seed', message: 'seed must be ≥ 0 (got -3)' });
  });
});

describe('seed roles', () => {
  it('splits by the experiment seed, or by the run seed for runs stored before seed groups', () => {
    expect(splitSeedOf({ seed: 2, splitSeed: 0 })).toBe(0);
    expect(splitSeedOf({ seed: 2 })).toBe(2);
  });

  it('names the seed only when there are several', () => {
    expect(runName('mnist', 'adv', 0, 1)).toBe('mnist · adv');
    expect(runName('mnist', 'adv', 2, 3)).toBe('mnist · adv · seed 2');
  });
});
