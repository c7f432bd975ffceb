// Compare with seed groups: accuracy vs ε as the group's mean with a ±std band (per ε, per attack and ensemble, keyed
// as the shared seed table keys them), Best / last as mean ± std rows over each group's runs, and the runs list's
// headline over seeds.
import { describe, expect, it } from 'vitest';
import { evalMeasures, measureCurves } from '../../../src/renderer/src/charts/eval-series';
import { bestLastRows } from '../../../src/renderer/src/lib/compare-data';
import { compareEvalCharts, evalChartHeight } from '../../../src/renderer/src/lib/compare-eval';
import { compareSeedGroups, groupLabel, seedHeadlines, statText } from '../../../src/renderer/src/lib/seed-view';
import { type EnsembleRecord, type EpochMetrics, type EvaluationRecord, type RunDetail, type RunSummary } from '../../../src/shared/contract';
import { type Headline } from '../../../src/shared/headline';

let nextId = 1;
function ev(runId: string, over: Partial<EvaluationRecord>): EvaluationRecord {
  return {
    id: nextId++, runId, sourceRunId: null, attack: 'fgsm', norm: 'infinity', epsilon: 0.1, steps: 1, stepSize: null, restarts: 1, randomStart: false,
    spec: null, accuracy: 0.5, perClassAccuracy: [], count: 100, correct: 50, interval: { low: 0.4, high: 0.6 }, zeroGradFraction: null, subset: null,
    components: [], flags: [], hasMask: true, createdAt: '', hasGallery: false, ...over,
  } as EvaluationRecord;
}
const ensemble = (members: EvaluationRecord[], accuracy: number): EnsembleRecord =>
  ({ norm: 'infinity', epsilon: members[0]!.epsilon, subset: null, evaluationIds: members.map((m) => m.id), attacks: [], accuracy, correct: 0, count: 100, interval: { low: 0, high: 1 }, flags: [] }) as unknown as EnsembleRecord;
const epochs = (...acc: number[]): EpochMetrics[] => acc.map((a, i) => ({ epoch: i + 1, metrics: { sparse_categorical_accuracy: a, loss: 1 - a }, durationMs: 1 }));
const headline = (accuracy: number, over: Partial<Headline> = {}): Headline => ({
  accuracy, correct: accuracy * 64, count: 64, interval: { low: 0, high: 1 }, attack: 'worst of FGSM', norm: 'infinity', epsilon: 0.2, dataset: 'mnist-sample', indicesHash: 'abcdef0123456789', flags: [], ...over,
});

interface Fixture {
  id: string;
  role: 'base' | 'adv';
  seed: number;
  experimentId?: string;
  evaluations?: (runId: string) => EvaluationRecord[];
  ensembles?: (evals: EvaluationRecord[]) => EnsembleRecord[];
  acc?: number[];
  clean?: number | null;
  headline?: Headline | null;
}
function run(f: Fixture): RunDetail {
  const evaluations = f.evaluations?.(f.id) ?? [];
  return {
    id: f.id, experimentId: f.experimentId ?? 'exp_1', experimentName: 'mnist', name: `mnist · ${f.role} · seed ${f.seed}`, role: f.role, seed: f.seed, status: 'completed',
    cleanAccuracy: f.clean ?? null, robustAccuracy: f.headline?.accuracy ?? null, headline: f.headline ?? null, epochMetrics: epochs(...(f.acc ?? [])),
    evaluations, ensembles: f.ensembles?.(evaluations) ?? [],
  } as unknown as RunDetail;
}
const compared = (runs: RunDetail[]) => runs.map((r) => ({ run: r, epochs: r.epochMetrics, evaluations: r.evaluations }));

/**
 * Two adv seeds compared without their base runs (as "Compare adv seeds" opens them): clean, FGSM white-box at ε 0.1
 * and 0.2, FGSM transferred from each seed's own base at 0.1, and the ensemble of both attacks at 0.1.
 */
function advSeed(id: string, seed: number, base: string, a: { clean: number; w1: number; w2: number; t1: number; ens: number }): RunDetail {
  return run({
    id, role: 'adv', seed, clean: a.clean,
    evaluations: (runId) => [
      ev(runId, { attack: 'clean', epsilon: 0, accuracy: a.clean }),
      ev(runId, { epsilon: 0.1, accuracy: a.w1 }),
      ev(runId, { epsilon: 0.2, accuracy: a.w2 }),
      ev(runId, { epsilon: 0.1, accuracy: a.t1, sourceRunId: base }),
    ],
    ensembles: (evals) => [ensemble([evals[1]!, evals[3]!], a.ens)],
  });
}
const adv0 = advSeed('run_a0', 0, 'run_b0', { clean: 0.9, w1: 0.6, w2: 0.3, t1: 0.8, ens: 0.55 });
const adv1 = advSeed('run_a1', 1, 'run_b1', { clean: 0.8, w1: 0.8, w2: 0.5, t1: 0.9, ens: 0.75 });
const bases = new Set(['run_b0', 'run_b1']);
const nameOf = (id: string) => `<${id}>`;

describe('evalMeasures', () => {
  it('keys each attack at each ε as the seed table does, the latest evaluation winning, and adds the ensembles', () => {
    const r = run({ id: 'run_x', role: 'adv', seed: 0, evaluations: (id) => [ev(id, { accuracy: 0.7 }), ev(id, { accuracy: 0.65 }), ev(id, { epsilon: 0.1, accuracy: 0.9, sourceRunId: 'run_b0' })] });
    r.ensembles = [ensemble([r.evaluations[1]!, r.evaluations[2]!], 0.6)];
    const m = evalMeasures(r, bases);
    expect(m.map((x) => [x.chart, x.source, x.epsilon, x.accuracy])).toEqual([
      ['FGSM L∞', 'self', 0.1, 0.65],
      ['FGSM L∞', 'base', 0.1, 0.9],
      ['ensemble of FGSM L∞ + FGSM L∞ transfer', 'self', 0.1, 0.6],
    ]);
    expect(m[2]!.ensemble).toBe(true);
  });

  it('lists white-box curves before transfers whatever order they were evaluated in', () => {
    const r = run({ id: 'run_y', role: 'adv', seed: 0, evaluations: (id) => [ev(id, { sourceRunId: 'run_b0' }), ev(id, { attack: 'pgd', steps: 20 }), ev(id, {})] });
    expect(measureCurves(evalMeasures(r, bases)).map((c) => [c.chart, c.source])).toEqual([['PGD-20 L∞', 'self'], ['FGSM L∞', 'self'], ['FGSM L∞', 'base']]);
  });

  it('makes one curve per chart and source, sorted by ε', () => {
    const curves = measureCurves(evalMeasures(adv0, bases));
    expect(curves.map((c) => [c.chart, c.source, c.transfer, c.points.map((p) => [p.x, p.y])])).toEqual([
      ['FGSM L∞', 'self', false, [[0.1, 0.6], [0.2, 0.3]]],
      ['ensemble of FGSM L∞ + FGSM L∞ transfer', 'self', false, [[0.1, 0.55]]],
      ['FGSM L∞', 'base', true, [[0.1, 0.8]]],
    ]);
  });
});

describe('accuracy vs ε of a seed group', () => {
  const runs = [adv0, adv1];
  const groups = compareSeedGroups(compared(runs), bases);
  const groupName = (g: (typeof groups)[number]) => groupLabel(g, 'mnist');

  it('draws each attack and ensemble as the mean over the seeds with a ±std band, the clean mean at ε = 0', () => {
    const charts = compareEvalCharts({ runs, groups, baseRunIds: bases, nameOf, groupName });
    expect(charts.map((c) => c.chart)).toEqual(['FGSM L∞', 'ensemble of FGSM L∞ + FGSM L∞ transfer']);
    const [fgsm, ens] = charts;
    // white-box band, transfer band: each a lower edge, an upper edge and the mean line
    expect(fgsm!.series.map((s) => [s.label, s.band ?? 'mean', s.dashed ?? false])).toEqual([
      ['mnist · adv, mean of 2 seeds · white-box −std (band)', 'lower', false],
      ['mnist · adv, mean of 2 seeds · white-box +std (band)', 'upper', false],
      ['mnist · adv, mean of 2 seeds · white-box', 'mean', false],
      ["mnist · adv, mean of 2 seeds · transfer from each seed's base −std (band)", 'lower', false],
      ["mnist · adv, mean of 2 seeds · transfer from each seed's base +std (band)", 'upper', false],
      ["mnist · adv, mean of 2 seeds · transfer from each seed's base", 'mean', true],
    ]);
    const [lower, upper, mean] = fgsm!.series;
    // clean 0.9/0.8, ε 0.1: 0.6/0.8, ε 0.2: 0.3/0.5 → means 0.85, 0.7, 0.4; sample std of two values a, b is |a − b|/√2
    const sd = (d: number) => d / Math.SQRT2;
    expect(mean!.points.map((p) => p.x)).toEqual([0, 0.1, 0.2]);
    [0.85, 0.7, 0.4].forEach((m, i) => expect(mean!.points[i]!.y).toBeCloseTo(m, 12));
    [0.1, 0.2, 0.2].forEach((d, i) => {
      expect(upper!.points[i]!.y - mean!.points[i]!.y).toBeCloseTo(sd(d), 12);
      expect(mean!.points[i]!.y - lower!.points[i]!.y).toBeCloseTo(sd(d), 12);
    });
    // transfers from run_b0 and run_b1 are one measurement: 0.8 and 0.9
    expect(fgsm!.series[5]!.points.map((p) => p.x)).toEqual([0, 0.1]);
    expect(fgsm!.series[5]!.points[1]!.y).toBeCloseTo(0.85, 12);
    expect(ens!.series[2]!.points[1]!.y).toBeCloseTo(0.65, 12);
    expect(ens!.series[1]!.points[1]!.y - ens!.series[2]!.points[1]!.y).toBeCloseTo(sd(0.2), 12);
  });

  it('draws every run alone when asked, in its own colour, transfers dashed', () => {
    const charts = compareEvalCharts({ runs, groups: [], baseRunIds: bases, nameOf, groupName });
    const fgsm = charts[0]!;
    expect(fgsm.series.map((s) => [s.label, s.color, s.dashed, s.band])).toEqual([
      ['mnist · adv · seed 0 (adv · NSL) · white-box', '#4e79a7', false, undefined],
      ['mnist · adv · seed 0 (adv · NSL) · transfer from <run_b0>', '#4e79a7', true, undefined],
      ['mnist · adv · seed 1 (adv · NSL) · white-box', '#f28e2b', false, undefined],
      ['mnist · adv · seed 1 (adv · NSL) · transfer from <run_b1>', '#f28e2b', true, undefined],
    ]);
    expect(fgsm.series[0]!.points).toEqual([{ x: 0, y: 0.9 }, { x: 0.1, y: 0.6 }, { x: 0.2, y: 0.3 }]);
  });

  it("names a run known only at a checkpoint for it, with that checkpoint's numbers alone", () => {
    const stopped = run({
      id: 'run_c0', role: 'adv', seed: 0,
      evaluations: (id) => [ev(id, { attack: 'clean', epsilon: 0, accuracy: 0.7, modelEpoch: 1 }), ev(id, { accuracy: 0.2, modelEpoch: 1 }), ev(id, { accuracy: 0.4, modelEpoch: 2 }), ev(id, { attack: 'clean', epsilon: 0, accuracy: 0.8, modelEpoch: 2 })],
    });
    const [fgsm] = compareEvalCharts({ runs: [stopped], groups: [], baseRunIds: bases, nameOf, groupName });
    expect(fgsm!.series.map((s) => [s.label, s.points])).toEqual([['mnist · adv · seed 0 (adv · NSL) · epoch 2 checkpoint · white-box', [{ x: 0, y: 0.8 }, { x: 0.1, y: 0.4 }]]]);
  });

  it('makes room for one legend line per curve, band edges not counted', () => {
    const [fgsm, ens] = compareEvalCharts({ runs, groups, baseRunIds: bases, nameOf, groupName });
    expect(evalChartHeight(fgsm!.series)).toBe(180 + 2 * 20);
    // one curve: Chart.js shows no legend
    expect(evalChartHeight(ens!.series)).toBe(180);
  });

  it('keeps a lone run\'s transfers from two base runs as two curves', () => {
    const r = run({ id: 'run_z', role: 'adv', seed: 0, evaluations: (id) => [ev(id, { sourceRunId: 'run_b0', accuracy: 0.8 }), ev(id, { sourceRunId: 'run_b1', accuracy: 0.7 })] });
    const fgsm = compareEvalCharts({ runs: [r], groups: [], baseRunIds: bases, nameOf, groupName })[0]!;
    expect(fgsm.series.map((s) => [s.label, s.points.at(-1)!.y])).toEqual([
      ['mnist · adv · seed 0 (adv · NSL) · transfer from <run_b0>', 0.8],
      ['mnist · adv · seed 0 (adv · NSL) · transfer from <run_b1>', 0.7],
    ]);
  });

  it('keeps a run outside the groups as its own curve beside the band', () => {
    const other = run({ id: 'run_o', role: 'adv', seed: 0, experimentId: 'exp_2', clean: 0.95, evaluations: (id) => [ev(id, { epsilon: 0.2, accuracy: 0.1 })] });
    const all = [adv0, adv1, other];
    const g = compareSeedGroups(compared(all), bases);
    expect(g).toHaveLength(1);
    const fgsm = compareEvalCharts({ runs: all, groups: g, baseRunIds: bases, nameOf, groupName })[0]!;
    expect(fgsm.series.filter((s) => s.band === 'upper')).toHaveLength(2);
    expect(fgsm.series.at(-1)).toMatchObject({ label: 'mnist · adv · seed 0 (adv · NSL) · white-box', color: '#e15759', points: [{ x: 0, y: 0.95 }, { x: 0.2, y: 0.1 }] });
  });

  it('leaves transfers from each seed\'s base apart when the base runs are unknown', () => {
    const g = compareSeedGroups(compared(runs));
    const fgsm = compareEvalCharts({ runs, groups: g, baseRunIds: new Set(), nameOf, groupName })[0]!;
    expect(fgsm.series.filter((s) => s.band === undefined).map((s) => s.label)).toEqual([
      'mnist · adv, mean of 2 seeds · white-box',
      'mnist · adv, mean of 2 seeds · transfer from <run_b0>',
      'mnist · adv, mean of 2 seeds · transfer from <run_b1>',
    ]);
  });
});

describe('Best / last with seed groups', () => {
  const a0 = run({ id: 'run_a0', role: 'adv', seed: 0, acc: [0.6, 0.9, 0.8], clean: 0.9, headline: headline(0.5) });
  const a1 = run({ id: 'run_a1', role: 'adv', seed: 1, acc: [0.7, 0.8], clean: 0.7, headline: headline(0.7) });
  const b0 = run({ id: 'run_b0', role: 'base', seed: 0, acc: [0.9], clean: 0.99, headline: headline(0.1) });
  const runs = compared([b0, a0, a1]);
  const groups = compareSeedGroups(runs);
  const rows = bestLastRows(runs, groups, ['sparse_categorical_accuracy', 'loss']);

  it('puts a group row where its first run is, its runs beneath it, and lone runs as they are', () => {
    expect(rows.map((r) => (r.kind === 'group' ? `group ${r.row.group.role}` : `${r.run.run.id} under ${r.group ?? '-'} #${r.index}`))).toEqual([
      'run_b0 under - #0',
      'group adv',
      'run_a0 under group:exp_1:adv #1',
      'run_a1 under group:exp_1:adv #2',
    ]);
  });

  it('shows mean ± std over the seeds of each run\'s clean, headline, best and last', () => {
    const g = rows[1]!;
    if (g.kind !== 'group') throw new Error('expected the group row');
    // clean 0.9/0.7 (no clean evaluations: the runs' own), best accuracy 0.9/0.8, last 0.8/0.8, best loss 0.1/0.2
    expect(statText(g.row.clean, true)).toBe('80.0% ± 14.1 pp');
    expect(statText(g.row.metrics.sparse_categorical_accuracy!.best, true)).toBe('85.0% ± 7.1 pp');
    expect(statText(g.row.metrics.sparse_categorical_accuracy!.last, true)).toBe('80.0% ± 0.0 pp');
    expect(g.row.metrics.loss!.best!.values.map((v) => [v.runId, Number(v.value.toFixed(6))])).toEqual([['run_a0', 0.1], ['run_a1', 0.2]]);
    expect(g.row.group.headline).toMatchObject({ n: 2, label: 'worst of FGSM ∞ ε0.2, 64 images, 2 seeds' });
    expect(statText(g.row.group.headline!, true)).toBe('60.0% ± 14.1 pp');
  });
});

describe('the runs list headline over seeds', () => {
  const summary = (id: string, role: 'base' | 'adv', seed: number, h: Headline | null, experimentId = 'exp_1'): RunSummary =>
    ({ id, experimentId, role, seed, headline: h }) as unknown as RunSummary;

  it('gives every run of an experiment and role listed over two or more seeds the mean ± std, named with the seed count', () => {
    const runs = [summary('a0', 'adv', 0, headline(0.5)), summary('a1', 'adv', 1, headline(0.7)), summary('b0', 'base', 0, headline(0.1)), summary('x', 'adv', 3, headline(0.2), 'exp_2')];
    const m = seedHeadlines(runs);
    expect([...m.keys()].sort()).toEqual(['a0', 'a1']);
    expect(m.get('a0')).toMatchObject({ n: 2, label: 'worst of FGSM ∞ ε0.2, 64 images, 2 seeds' });
    expect(statText(m.get('a1'), true)).toBe('60.0% ± 14.1 pp');
  });

  it('gives none where the seeds\' headlines are measured differently or only one seed has one', () => {
    expect(seedHeadlines([summary('a0', 'adv', 0, headline(0.5)), summary('a1', 'adv', 1, headline(0.7, { count: 128 }))]).size).toBe(0);
    expect(seedHeadlines([summary('a0', 'adv', 0, headline(0.5)), summary('a1', 'adv', 1, null)]).size).toBe(0);
  });
});
