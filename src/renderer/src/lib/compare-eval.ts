// Compare's accuracy-vs-ε charts: one chart per attack setting (and per ensemble), a curve per run or, for a seed
// group, its mean over the seeds with a ±std band. The numbers per ε come from the shared aggregation's seed keys.
import { type RunDetail } from '../../../shared/contract';
import { type SeedGroup, type SeedStat } from '../../../shared/seed-stats';
import { checkpointSuffix, cleanOf, evalMeasures, measureCurves, sourceLabel, type MeasureCurve } from '../charts/eval-series';
import { color, type Series } from '../charts/series';
import { runDefenceText } from './run-defence';
import { bandOf, groupClean } from './seed-view';

export interface EvalChart {
  /** "PGD-20 L∞" or "ensemble of FGSM L∞ + PGD-20 L∞ transfer": what every curve on it measures. */
  chart: string;
  ensemble: boolean;
  series: Series[];
}

export interface EvalChartsInput {
  /** The compared runs, in the page's order (a run's colour is its index). */
  runs: readonly (Pick<RunDetail, 'id' | 'name' | 'role' | 'seed' | 'evaluations' | 'ensembles' | 'cleanAccuracy' | 'kind' | 'defence'> & { config?: Pick<RunDetail['config'], 'defence'> })[];
  /** Seed groups to draw as their mean with a band; their runs get no curve of their own. Empty: every run alone. */
  groups: readonly SeedGroup[];
  /** Every base run the page knows: a transfer from each seed's own base run is one curve of its group. */
  baseRunIds: ReadonlySet<string>;
  nameOf: (runId: string) => string;
  /** "mnist · adv, mean of 3 seeds" */
  groupName: (group: SeedGroup) => string;
}

function groupSourceLabel(c: MeasureCurve, nameOf: (runId: string) => string): string {
  if (c.ensemble) return 'worst case per example';
  return c.source === 'self' ? 'white-box' : c.source === 'base' ? "transfer from each seed's base" : `transfer from ${nameOf(c.source)}`;
}

export function compareEvalCharts(input: EvalChartsInput): EvalChart[] {
  const { runs, groups, baseRunIds, nameOf, groupName } = input;
  const charts = new Map<string, EvalChart>();
  const add = (c: MeasureCurve, series: Series[]) => {
    const chart = charts.get(c.chart) ?? { chart: c.chart, ensemble: c.ensemble, series: [] };
    chart.series.push(...series);
    charts.set(c.chart, chart);
  };
  const grouped = new Set(groups.flatMap((g) => g.members.map((m) => m.runId)));
  const colorOf = (runId: string) => color(Math.max(0, runs.findIndex((r) => r.id === runId)));

  // in the page's order: a group is drawn where its first run is
  const done = new Set<SeedGroup>();
  for (const r of runs) {
    const g = groups.find((x) => x.members.some((m) => m.runId === r.id));
    if (g && !done.has(g)) {
      done.add(g);
      for (const { curve, series } of groupCurves(g, runs, baseRunIds, (c) => `${groupName(g)} · ${groupSourceLabel(c, nameOf)}`, colorOf(g.members[0]!.runId))) add(curve, series);
    }
    if (grouped.has(r.id)) continue;
    const clean = cleanOf(r.evaluations, r.cleanAccuracy);
    // a run alone keeps each transfer source apart (two base runs are two curves)
    for (const c of measureCurves(evalMeasures(r))) {
      const points = c.points.map((p) => ({ x: p.x, y: p.y }));
      if (clean !== null && !points.some((p) => p.x === 0)) points.unshift({ x: 0, y: clean });
      const source = c.ensemble ? 'worst case per example' : sourceLabel(c.sourceRunId, nameOf);
      // named by defence: several defences of one experiment are told apart; a checkpoint's numbers say so
      add(c, [{ label: `${r.name} (${runDefenceText(r)})${checkpointSuffix(r.evaluations)} · ${source}`, color: colorOf(r.id), dashed: c.transfer, markers: true, points }]);
    }
  }
  // attacks first, ensembles (which combine them) after
  return [...charts.values()].sort((a, b) => Number(a.ensemble) - Number(b.ensemble));
}

/**
 * A group's curves: per chart and source, at each ε the group's statistic of that measurement (its seed key), and the
 * group's clean accuracy at ε = 0. Seeds missing a measurement leave it out of that ε's mean (n tells, in the table).
 */
function groupCurves(
  g: SeedGroup,
  runs: EvalChartsInput['runs'],
  baseRunIds: ReadonlySet<string>,
  label: (c: MeasureCurve) => string,
  c: string,
): { curve: MeasureCurve; series: Series[] }[] {
  const members = g.members.map((m) => runs.find((r) => r.id === m.runId)).filter((r): r is EvalChartsInput['runs'][number] => r !== undefined);
  const stat = new Map<string, SeedStat>(g.evaluations.map((e) => [e.key, e]));
  const clean = groupClean(g, members);
  return measureCurves(members.flatMap((r) => evalMeasures(r, baseRunIds))).map((curve) => {
    const pts = curve.points.flatMap((p) => {
      const s = stat.get(p.key);
      return s && s.n > 0 ? [{ x: p.x, mean: s.mean, std: s.std ?? 0 }] : [];
    });
    if (clean && clean.n > 0 && !pts.some((p) => p.x === 0)) pts.unshift({ x: 0, mean: clean.mean, std: clean.std ?? 0 });
    return { curve, series: bandOf(pts, { label: label(curve), color: c, dashed: curve.transfer, markers: true }) };
  });
}

/** Chart.js draws the legend inside the plot: each legend line (one per curve at Compare's widths) gets its room. */
export function evalChartHeight(series: readonly Series[]): number {
  const curves = series.filter((s) => !s.band && !s.faint).length;
  return 180 + 20 * (curves > 1 ? curves : 0);
}
