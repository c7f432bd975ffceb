// `rlab run --seeds`: the flag through the service's parse of the request, and the mean ± std tables of `rlab run` and `rlab show`.
import { describe, expect, it } from 'vitest';
import { Flags, parseArgs, UsageError } from '../../../../src/main/cli/args';
import { inFlagTerms, RUN_FIELD_FLAGS } from '../../../../src/main/cli/field-flags';
import { buildRunConfig, RUN_FLAGS } from '../../../../src/main/cli/run-flags';
import { LAB_REQUEST_SCHEMAS } from '../../../../src/shared/contract';
import { parseOrThrow } from '../../../../src/shared/validate';
import { describeSeedGroups, numberStat, percentStat, seedResultTable } from '../../../../src/main/cli/seed-table';
import { type EvaluationRecord, type RunDetail } from '../../../../src/shared/contract';
import { seedGroups } from '../../../../src/shared/seed-stats';

/** The config `rlab run` sends, as the service parses it (the service's refusals said in flag terms, as the CLI says them). */
const config = (...argv: string[]) => {
  const input = buildRunConfig(new Flags(parseArgs(argv, RUN_FLAGS, 'run')));
  try {
    return parseOrThrow(LAB_REQUEST_SCHEMAS.createExperiment, { config: input }).config;
  } catch (err) {
    throw inFlagTerms(err, RUN_FIELD_FLAGS);
  }
};

function usageError(argv: string[]): string {
  try {
    config(...argv);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('--seeds', () => {
  it('sets the seeds, the first one the experiment seed, over the preset seed', () => {
    expect(config('--preset', 'mnist-tutorial', '--seeds', '0,1,2')).toMatchObject({ seed: 0, seeds: [0, 1, 2] });
    expect(config('--seeds', ' 5, 3 ')).toMatchObject({ seed: 5, seeds: [5, 3] });
    expect(config('--seed', '5', '--seeds', '5,6')).toMatchObject({ seed: 5, seeds: [5, 6] });
  });

  it('is one seed by default', () => {
    expect(config()).toMatchObject({ seed: 0, seeds: [0] });
    expect(config('--seed', '9')).toMatchObject({ seed: 9, seeds: [9] });
  });

  it.each([['0,a'], ['0,,1'], [''], ['1;2'], ['one']])('refuses %j as text that is not a list of numbers', (text) => {
    expect(usageError(['--seeds', text])).toBe(`--seeds must be a comma-separated list of 1 to 32 distinct integers in [0, 2147483647] (got "${text}")`);
  });

  it.each([
    ['0,0', '[0,0]'],
    ['1.5', '[1.5]'],
    ['-1,2', '[-1,2]'],
    ['2147483648', '[2147483648]'],
  ])('refuses %j with the schema rule, named by its flag', (text, got) => {
    expect(usageError(['--seeds', text])).toBe(`--seeds must be a list of 1 to 32 distinct integers in [0, 2147483647] (got ${got})`);
  });

  it('refuses more than 32 seeds', () => {
    expect(usageError(['--seeds', Array.from({ length: 33 }, (_, i) => i).join(',')])).toMatch(/^--seeds must be a list of 1 to 32 distinct integers/);
  });

  it('refuses a --seed that is not the first of --seeds', () => {
    expect(usageError(['--seed', '1', '--seeds', '2,1'])).toBe('--seed must be the first of seeds (2) when both are given: it fixes the data split of every run (got 1)');
  });
});

let id = 1;
const evaluation = (runId: string, over: Partial<EvaluationRecord>) =>
  ({ id: id++, runId, sourceRunId: null, attack: 'fgsm', norm: 'infinity', epsilon: 0.2, steps: 1, stepSize: 0.2, restarts: 1, randomStart: false, spec: null, accuracy: 0, perClassAccuracy: [], count: 2000, createdAt: '', hasGallery: false, ...over }) as EvaluationRecord;
const run = (runId: string, role: 'base' | 'adv', seed: number, clean: number, pgd: number, loss: number, status = 'completed') =>
  ({
    id: runId, experimentId: 'exp_1', role, seed, status, headline: null,
    epochMetrics: [{ epoch: 1, metrics: { loss, sparse_categorical_accuracy: clean }, durationMs: 1 }],
    evaluations: [evaluation(runId, { attack: 'clean', epsilon: 0, steps: 0, accuracy: clean }), evaluation(runId, { attack: 'pgd', steps: 20, accuracy: pgd })],
  }) as unknown as RunDetail;

describe('seed tables', () => {
  const groups = seedGroups([run('run_b0', 'base', 0, 0.99, 0.1, 0.5), run('run_a0', 'adv', 0, 0.98, 0.5, 0.25), run('run_b1', 'base', 1, 0.97, 0.3, 0.7), run('run_a1', 'adv', 1, 0.96, 0.6, 0.75, 'failed')]);

  it('format mean ± sample std in percentage points with n', () => {
    expect(percentStat(groups[1]!.evaluations[1])).toBe('55.00% ± 7.07 pp (n=2)');
    expect(percentStat({ mean: 0.5, std: null, n: 1, values: [] })).toBe('50.00% (n=1)');
    expect(percentStat(undefined)).toBe('—');
    expect(numberStat(groups[0]!.final.loss)).toBe('0.6000 ± 0.1414 (n=2)');
  });

  it('end `rlab run --seeds` with one row per attack and one column per role', () => {
    // base: clean 99/97 → 98 ± 1.41, PGD 10/30 → 20 ± 14.14; adv: clean 98/96, PGD 50/60 → 55 ± 7.07 (sample std)
    expect(seedResultTable(groups).split('\n')).toEqual([
      'attack         base (seeds 0,1)         adv (seeds 0,1)',
      '-------------  -----------------------  ----------------------',
      'clean          98.00% ± 1.41 pp (n=2)   97.00% ± 1.41 pp (n=2)',
      'PGD-20 ∞ ε0.2  20.00% ± 14.14 pp (n=2)  55.00% ± 7.07 pp (n=2)',
    ]);
  });

  it('show the per-epoch curves and the runs that did not complete', () => {
    const text = describeSeedGroups(groups);
    expect(text).toContain('adv per epoch');
    expect(text).toContain('97.00% ± 1.41 pp (n=2)');
    expect(text).toContain('adv: not completed: seed 1 run_a1 failed');
  });
});
