// Seed groups as the UI shows them: the columns and cells of the experiment's mean ± std table, and the mean curve
// with its ±std band for Compare. Pure functions over the shared aggregation (src/shared/seed-stats.ts).
import { type EpochMetrics, type RunDetail, type RunSummary } from '../../../shared/contract';
import { hasSeedSpread, headlineOf, seedGroupKey, seedGroups, statOf, type SeedGroup, type SeedStat } from '../../../shared/seed-stats';
import { currentModelEpoch } from '../../../shared/model-evaluations';
import { cleanOf } from '../charts/eval-series';
import { type Series } from '../charts/series';
import { DASH, num, pct } from './format';

/** "57.7% ± 5.1 pp" (accuracies) or "0.1234 ± 0.01" (losses); one seed has no spread. */
export function statText(s: SeedStat | undefined, fraction: boolean): string {
  if (!s || s.n === 0) return DASH;
  if (fraction) return s.std === null ? pct(s.mean) : `${pct(s.mean)} ± ${(100 * s.std).toFixed(1)} pp`;
  return s.std === null ? num(s.mean) : `${num(s.mean)} ± ${num(s.std)}`;
}

/** One measurement (a last-epoch metric, clean accuracy, an attack, an ensemble) with one cell per seed group. */
export interface SeedMeasure {
  /** Stable key: `final:<metric>` or `eval:<evaluation key>`. */
  key: string;
  label: string;
  fraction: boolean;
  /** In the order of the table's groups. */
  cells: (SeedStat | undefined)[];
}

export interface SeedTable {
  groups: SeedGroup[];
  rows: SeedMeasure[];
}

const FINAL_METRICS: readonly { key: string; label: string }[] = [
  { key: 'sparse_categorical_accuracy', label: 'train accuracy (last epoch)' },
  { key: 'loss', label: 'loss (last epoch)' },
];

/** One row per measurement (the last epoch's accuracy and loss, clean accuracy, every attack), one column per role. */
export function seedTable(groups: readonly SeedGroup[]): SeedTable {
  const rows: SeedMeasure[] = FINAL_METRICS.filter((m) => groups.some((g) => g.final[m.key])).map((m) => ({
    key: `final:${m.key}`, label: m.label, fraction: /acc/.test(m.key), cells: groups.map((g) => g.final[m.key]),
  }));
  for (const g of groups) {
    for (const e of g.evaluations) {
      if (rows.some((r) => r.key === `eval:${e.key}`)) continue;
      rows.push({ key: `eval:${e.key}`, label: e.label, fraction: true, cells: groups.map((h) => h.evaluations.find((x) => x.key === e.key)) });
    }
  }
  return { groups: [...groups], rows };
}

/** The value of one seed in a cell, for the expanded per-seed rows. */
export function seedValue(s: SeedStat | undefined, runId: string): number | null {
  return s?.values.find((v) => v.runId === runId)?.value ?? null;
}

/**
 * Seed groups among compared runs: only those with runs over two or more seeds get a band. `baseRunIds` (every base
 * run the page knows, compared or not) let transfers from each seed's own base run count as one measurement.
 */
export function compareSeedGroups(runs: readonly { run: RunDetail; epochs: EpochMetrics[] }[], baseRunIds?: Iterable<string>): SeedGroup[] {
  const groups = seedGroups(
    runs.map((r) => ({ ...r.run, epochMetrics: r.epochs })),
    baseRunIds ?? runs.filter((r) => r.run.role === 'base').map((r) => r.run.id),
  );
  return groups.filter((g) => hasSeedSpread([g]));
}

/** A group's clean accuracy: its clean evaluations, else the clean accuracy stored with each run. */
export function groupClean(group: SeedGroup, runs: readonly Pick<RunDetail, 'id' | 'seed' | 'evaluations' | 'cleanAccuracy'>[]): SeedStat | undefined {
  const evaluated = group.evaluations.find((e) => e.attack === 'clean');
  if (evaluated) return evaluated;
  const values = group.members.flatMap((m) => {
    const r = runs.find((x) => x.id === m.runId);
    // seed statistics are of final models only (src/shared/seed-stats.ts): a run known only at a checkpoint is left out
    const v = r && currentModelEpoch(r.evaluations.map((e) => e.modelEpoch)) === null ? cleanOf(r.evaluations, r.cleanAccuracy) : null;
    return v === null ? [] : [{ seed: m.seed, runId: m.runId, value: v }];
  });
  return values.length > 0 ? statOf(values) : undefined;
}

/** A mean curve with its ±std band: lower edge, upper edge (filled down to the lower, see line-chart.ts), mean line. */
export function bandOf(pts: readonly { x: number; mean: number; std: number }[], line: Omit<Series, 'points' | 'band'>): Series[] {
  if (pts.length === 0) return [];
  return [
    { label: `${line.label} −std (band)`, color: line.color, band: 'lower', points: pts.map((p) => ({ x: p.x, y: p.mean - p.std })) },
    { label: `${line.label} +std (band)`, color: line.color, band: 'upper', points: pts.map((p) => ({ x: p.x, y: p.mean + p.std })) },
    { ...line, points: pts.map((p) => ({ x: p.x, y: p.mean })) },
  ];
}

/**
 * The mean curve of one metric over a group's runs with its ±std band: a lower and an upper edge (drawn as a filled
 * area between them, see line-chart.ts) and the mean line. Epochs reached by one seed only have a zero-width band.
 */
export function bandSeries(group: SeedGroup, metric: string, label: string, color: string): Series[] {
  const pts = group.epochs.flatMap((e) => {
    const s = e.metrics[metric];
    return s && s.n > 0 ? [{ x: e.epoch, mean: s.mean, std: s.std ?? 0 }] : [];
  });
  return bandOf(pts, { label, color, markers: true });
}

/** "mnist · adv, mean of 3 seeds", "mnist · pgd-at, mean of 3 seeds": an adv group is named by its defence. */
export function groupLabel(group: SeedGroup, experimentName: string): string {
  return `${experimentName} · ${groupName(group)}, mean of ${group.members.length} seeds`;
}

/** "base", or an adv group's defence label ("adv" for the tutorial's NSL, "pgd-at", ...). */
export function groupName(group: Pick<SeedGroup, 'role' | 'defence'>): string {
  return group.role === 'base' || group.defence === '' ? group.role : group.defence;
}

/**
 * For the runs list: the headline over the seeds of each listed run's experiment and role, by run id, where the
 * list holds that experiment and role over two or more seeds (named "…, N seeds"; absent when the seeds' headlines differ).
 */
export function seedHeadlines(runs: readonly RunSummary[]): Map<string, NonNullable<SeedGroup['headline']>> {
  const byGroup = new Map<string, RunSummary[]>();
  for (const r of runs) byGroup.set(seedGroupKey(r), [...(byGroup.get(seedGroupKey(r)) ?? []), r]);
  const out = new Map<string, NonNullable<SeedGroup['headline']>>();
  for (const members of byGroup.values()) {
    if (new Set(members.map((m) => m.seed)).size < 2) continue;
    const h = headlineOf([...members].sort((a, b) => a.seed - b.seed));
    if (h && h.n >= 2) for (const m of members) out.set(m.id, h);
  }
  return out;
}
