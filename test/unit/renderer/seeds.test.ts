// Seeds in the UI: the form's Seeds field, the experiment's mean ± std table, and Compare's mean curve with its band.
import { describe, expect, it } from 'vitest';
import { toDatasets } from '../../../src/renderer/src/charts/line-chart';
import { checkForm, quickForm, tutorialForm } from '../../../src/renderer/src/lib/experiment-form';
import { bandSeries, compareSeedGroups, groupLabel, seedTable, seedValue, statText } from '../../../src/renderer/src/lib/seed-view';
import { type EpochMetrics, type EvaluationRecord, type RunDetail } from '../../../src/shared/contract';
import { seedGroups } from '../../../src/shared/seed-stats';

describe('the Seeds field', () => {
  it('is one seed by default and takes a comma-separated list', () => {
    expect(checkForm(tutorialForm()).config).toMatchObject({ seed: 0, seeds: [0] });
    expect(checkForm({ ...quickForm(), seeds: '2, 0,1' }).config).toMatchObject({ seed: 2, seeds: [2, 0, 1] });
  });

  it.each([['0, 0'], ['0, x'], [''], ['1,,2'], ['-1'], ['0.5']])('shows the shared schema rule for %j under the field', (seeds) => {
    const { config, errors } = checkForm({ ...tutorialForm(), seeds });
    expect(config).toBeNull();
    expect(errors.seeds).toMatch(/^seeds must be a list of 1 to 32 distinct integers in \[0, 2147483647\] \(got /);
  });
});

let id = 1;
const evaluation = (runId: string, over: Partial<EvaluationRecord>) =>
  ({ id: id++, runId, sourceRunId: null, attack: 'pgd', norm: 'infinity', epsilon: 0.2, steps: 20, stepSize: 0.025, restarts: 1, randomStart: true, spec: null, accuracy: 0, perClassAccuracy: [], count: 2000, createdAt: '', hasGallery: false, ...over }) as EvaluationRecord;
const epochs = (...acc: number[]): EpochMetrics[] => acc.map((a, i) => ({ epoch: i + 1, metrics: { sparse_categorical_accuracy: a, loss: 1 - a }, durationMs: 1 }));
function run(runId: string, role: 'base' | 'adv', seed: number, acc: number[], pgd: number, experimentId = 'exp_1'): RunDetail {
  return { id: runId, experimentId, experimentName: 'mnist', name: `mnist · ${role} · seed ${seed}`, role, seed, status: 'completed', headline: null, epochMetrics: epochs(...acc), evaluations: [evaluation(runId, { accuracy: pgd })] } as unknown as RunDetail;
}

describe('the experiment seed table', () => {
  const runs = [run('run_b0', 'base', 0, [0.8, 0.9], 0.1), run('run_a0', 'adv', 0, [0.7, 0.8], 0.5), run('run_b1', 'base', 1, [0.6, 0.7], 0.3), run('run_a1', 'adv', 1, [0.7, 0.9], 0.6)];
  const view = seedTable(seedGroups(runs));

  it('has one row per last-epoch metric and attack and one column per role', () => {
    expect(view.rows.map((r) => r.label)).toEqual(['train accuracy (last epoch)', 'loss (last epoch)', 'PGD-20 ∞ ε0.2']);
    expect(view.groups.map((g) => g.role)).toEqual(['base', 'adv']);
  });

  it('shows mean ± sample std in percentage points, and each seed\'s value on expanding', () => {
    const [acc, loss, pgd] = view.rows;
    // base last-epoch accuracy 0.9 and 0.7: mean 80%, sample std 0.1414 → 14.1 pp; adv PGD 0.5 and 0.6 → 55% ± 7.1 pp
    expect(statText(acc!.cells[0], acc!.fraction)).toBe('80.0% ± 14.1 pp');
    expect(statText(pgd!.cells[1], pgd!.fraction)).toBe('55.0% ± 7.1 pp');
    expect(statText(loss!.cells[0], loss!.fraction)).toBe('0.2 ± 0.1414');
    expect(seedValue(pgd!.cells[1], 'run_a1')).toBe(0.6);
    expect(seedValue(pgd!.cells[1], 'run_b1')).toBeNull();
    expect(statText({ mean: 0.5, std: null, n: 1, values: [] }, true)).toBe('50.0%');
    expect(statText(undefined, true)).toBe('—');
  });
});

describe('Compare seed bands', () => {
  const compared = (runs: RunDetail[]) => runs.map((r) => ({ run: r, epochs: r.epochMetrics }));

  it('finds seed groups only where one experiment and role has two or more seeds', () => {
    const groups = compareSeedGroups(compared([run('run_a0', 'adv', 0, [0.7], 0), run('run_a1', 'adv', 1, [0.9], 0), run('run_b0', 'base', 0, [0.8], 0), run('run_x', 'adv', 0, [0.5], 0, 'exp_2')]));
    expect(groups.map((g) => [g.experimentId, g.role, g.members.map((m) => m.runId)])).toEqual([['exp_1', 'adv', ['run_a0', 'run_a1']]]);
    expect(groupLabel(groups[0]!, 'mnist')).toBe('mnist · adv, mean of 2 seeds');
  });

  it('draws the mean with a band from mean − std to mean + std per epoch', () => {
    const [group] = compareSeedGroups(compared([run('run_a0', 'adv', 0, [0.6, 0.8], 0), run('run_a1', 'adv', 1, [0.8, 0.8], 0), run('run_a2', 'adv', 2, [0.7], 0)]));
    const [lower, upper, mean] = bandSeries(group!, 'sparse_categorical_accuracy', 'mean', '#4e79a7');
    // epoch 1: 0.6, 0.8, 0.7 → mean 0.7, sample std 0.1; epoch 2: 0.8, 0.8 → mean 0.8, std 0
    expect(mean!.points.map((p) => p.x)).toEqual([1, 2]);
    expect(mean!.points[0]!.y).toBeCloseTo(0.7, 12);
    expect(lower!.points[0]!.y).toBeCloseTo(0.6, 12);
    expect(upper!.points[0]!.y).toBeCloseTo(0.8, 12);
    expect(lower!.points[1]!.y).toBeCloseTo(0.8, 12);
    expect(upper!.points[1]!.y).toBeCloseTo(0.8, 12);
    expect([lower!.band, upper!.band, mean!.band]).toEqual(['lower', 'upper', undefined]);
    expect(bandSeries(group!, 'no_such_metric', 'mean', '#000000')).toEqual([]);
  });

  it('becomes chart.js datasets: invisible edges, the upper one filled down to the lower', () => {
    const [group] = compareSeedGroups(compared([run('run_a0', 'adv', 0, [0.6], 0), run('run_a1', 'adv', 1, [0.8], 0)]));
    const [lower, upper, mean] = toDatasets(bandSeries(group!, 'sparse_categorical_accuracy', 'mean', '#4e79a7'));
    expect(lower).toMatchObject({ fill: false, borderWidth: 0, pointRadius: 0 });
    expect(upper).toMatchObject({ fill: '-1', borderWidth: 0, backgroundColor: 'rgba(78, 121, 167, 0.18)' });
    expect(mean).toMatchObject({ borderColor: '#4e79a7', pointRadius: 3 });
    expect(mean!.fill).toBeUndefined();
  });
});
