// Seed groups as the UI shows them: the columns and cells of the experiment's mean ± std table, and the mean curve
// with its ±std band for Compare. Pure functions over the shared aggregation (src/shared/seed-stats.ts).
import { type EpochMetrics, type RunDetail } from '../../../shared/contract';
import { hasSeedSpread, seedGroups, type SeedGroup, type SeedStat } from '../../../shared/seed-stats';
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

/** Seed groups among compared runs: only those with runs over two or more seeds get a band. */
export function compareSeedGroups(runs: readonly { run: RunDetail; epochs: EpochMetrics[] }[]): SeedGroup[] {
  const groups = seedGroups(runs.map((r) => ({ ...r.run, epochMetrics: r.epochs })));
  return groups.filter((g) => hasSeedSpread([g]));
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
  if (pts.length === 0) return [];
  return [
    { label: `${label} −std (band)`, color, band: 'lower', points: pts.map((p) => ({ x: p.x, y: p.mean - p.std })) },
    { label: `${label} +std (band)`, color, band: 'upper', points: pts.map((p) => ({ x: p.x, y: p.mean + p.std })) },
    { label, color, markers: true, points: pts.map((p) => ({ x: p.x, y: p.mean })) },
  ];
}

/** "mnist · adv, mean of 3 seeds" */
export function groupLabel(group: SeedGroup, experimentName: string): string {
  return `${experimentName} · ${group.role}, mean of ${group.members.length} seeds`;
}
