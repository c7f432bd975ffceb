// The Experiments table's grouping by experiment and its adv − base deltas.
import { describe, expect, it } from 'vitest';
import { type Headline, type RunSummary } from '../../../src/shared/contract';
import { advBaseDeltas, deltaText, groupByExperiment } from '../../../src/renderer/src/lib/runs-groups';
import { sortRuns } from '../../../src/renderer/src/lib/runs-table';

function run(id: string, patch: Partial<RunSummary>): RunSummary {
  return {
    id, experimentId: 'exp_1', experimentName: 'quick', name: `quick · ${id}`, role: 'base', seed: 0, status: 'completed', createdAt: '2026-01-01T00:00:00Z',
    startedAt: null, finishedAt: null, durationMs: null, epochsDone: 1, epochs: 1, cleanAccuracy: null, robustAccuracy: null, robustLabel: null,
    headline: null, backend: 'tensorflow', tags: [], error: null, ...patch,
  };
}

const h = (accuracy: number, patch: Partial<Headline> = {}): Headline => ({
  accuracy, correct: Math.round(accuracy * 64), count: 64, interval: { low: 0, high: 1 }, attack: 'worst of FGSM, PGD-20', norm: 'infinity', epsilon: 0.2, dataset: 'mnist-sample', indicesHash: '5eed5eed5eed5eed', flags: [], ...patch,
});
const withAcc = (clean: number, robust: number, patch: Partial<Headline> = {}): Partial<RunSummary> => ({ cleanAccuracy: clean, robustAccuracy: robust, headline: h(robust, patch) });

describe('groupByExperiment', () => {
  const runs = [
    run('a1', { experimentId: 'exp_a', createdAt: '2026-01-02T00:00:00Z' }),
    run('b1', { experimentId: 'exp_b', createdAt: '2026-01-03T00:00:00Z' }),
    run('a2', { experimentId: 'exp_a', createdAt: '2026-01-01T00:00:00Z' }),
  ];

  it('makes two groups of two experiments with one name, in the order of their first run, keeping the runs\' order', () => {
    const groups = groupByExperiment(runs, [
      { id: 'exp_a', name: 'quick', createdAt: '2025-12-31T00:00:00Z' },
      { id: 'exp_b', name: 'quick', createdAt: '2026-01-03T00:00:00Z' },
    ]);
    expect(groups.map((g) => [g.experimentId, g.name, g.createdAt, g.runs.map((r) => r.id)])).toEqual([
      ['exp_a', 'quick', '2025-12-31T00:00:00Z', ['a1', 'a2']],
      ['exp_b', 'quick', '2026-01-03T00:00:00Z', ['b1']],
    ]);
  });

  it('names a group from its runs and dates it by its earliest run when the experiment list lacks it', () => {
    const groups = groupByExperiment(runs);
    expect(groups.map((g) => [g.name, g.createdAt])).toEqual([['quick', '2026-01-01T00:00:00Z'], ['quick', '2026-01-03T00:00:00Z']]);
  });

  it('follows the sort: the experiment of the best run comes first', () => {
    const sorted = sortRuns([run('x', { experimentId: 'exp_x', cleanAccuracy: 0.5 }), run('y', { experimentId: 'exp_y', cleanAccuracy: 0.9 })], 'cleanAccuracy', 'desc');
    expect(groupByExperiment(sorted).map((g) => g.experimentId)).toEqual(['exp_y', 'exp_x']);
  });
});

describe('advBaseDeltas', () => {
  const base0 = run('base0', { seed: 0, ...withAcc(0.97, 0.0625) });
  const base1 = run('base1', { seed: 1, ...withAcc(0.95, 0.125) });
  const adv0 = run('adv0', { role: 'adv', seed: 0, ...withAcc(0.96, 0.5) });
  const adv1 = run('adv1', { role: 'adv', seed: 1, ...withAcc(0.955, 0.4, { attack: 'worst of FGSM, FGSM (transfer), PGD-20' }) });
  const pgd0 = run('pgd0', { role: 'adv', seed: 0, defence: { method: 'pgd-at', norm: 'infinity', epsilon: 0.3, steps: 10, stepSize: 0.01, epsilonRampEpochs: 0, randomStart: true }, ...withAcc(0.9, 0.7) });
  // same name, another experiment, no base run of its seed
  const lonely = run('lonely', { experimentId: 'exp_2', role: 'adv', seed: 0, ...withAcc(0.9, 0.6) });
  const otherSeed = run('adv2', { role: 'adv', seed: 2, ...withAcc(0.9, 0.6) });
  const deltas = advBaseDeltas([base0, base1, adv0, adv1, pgd0, lonely, otherSeed]);

  it('subtracts the base run of the same experiment and seed from every adv run (each defence), in fractions', () => {
    expect(deltas.get('adv0')).toMatchObject({ baseRunId: 'base0', baseRunName: 'quick · base0', robustNote: null });
    expect(deltas.get('adv0')!.clean).toBeCloseTo(-0.01);
    expect(deltas.get('adv0')!.robust).toBeCloseTo(0.4375);
    expect(deltas.get('adv1')!.baseRunId).toBe('base1');
    expect(deltas.get('adv1')!.clean).toBeCloseTo(0.005);
    expect(deltas.get('pgd0')!.robust).toBeCloseTo(0.6375);
  });

  it('leaves base runs and adv runs without a base run of their seed out', () => {
    expect([...deltas.keys()].sort()).toEqual(['adv0', 'adv1', 'pgd0']);
  });

  it('notes headlines of other attacks, and gives no robust delta across threat models or test images', () => {
    expect(deltas.get('adv1')!.robust).toBeCloseTo(0.275);
    expect(deltas.get('adv1')!.robustNote).toBe('attacks differ: adv worst of FGSM, FGSM (transfer), PGD-20, base worst of FGSM, PGD-20');
    const far = advBaseDeltas([base0, run('far', { role: 'adv', ...withAcc(0.9, 0.3, { epsilon: 0.3 }) })]).get('far')!;
    expect(far.robust).toBeNull();
    expect(far.clean).toBeCloseTo(-0.07);
    expect(far.robustNote).toMatch(/^not comparable: adv worst of FGSM, PGD-20 ∞ ε0.3, 64 images, base .* ε0.2/);
    const noRobust = advBaseDeltas([base0, run('none', { role: 'adv', cleanAccuracy: null, robustAccuracy: null })]).get('none')!;
    expect([noRobust.clean, noRobust.robust]).toEqual([null, null]);
  });

  it('ranks the delta columns, runs without a delta last', () => {
    const runs = [base0, adv0, pgd0, lonely];
    expect(sortRuns(runs, 'deltaRobust', 'desc', deltas).map((r) => r.id)).toEqual(['pgd0', 'adv0', 'base0', 'lonely']);
    expect(sortRuns(runs, 'deltaClean', 'asc', deltas).map((r) => r.id)).toEqual(['pgd0', 'adv0', 'base0', 'lonely']);
  });
});

describe('deltaText', () => {
  it('signs percentage points and shows none as a dash', () => {
    expect([deltaText(0.4375), deltaText(-0.0123), deltaText(0), deltaText(-0.0001), deltaText(null)]).toEqual(['+43.8 pp', '−1.2 pp', '0.0 pp', '0.0 pp', '—']);
  });
});
