// Summary numbers and the CSV export of the Compare page.
import { type EpochMetrics, type EvaluationRecord, type RunDetail } from '../../../shared/contract';
import { checkpointMarker } from '../../../shared/model-evaluations';
import { statOf, type SeedGroup, type SeedStat, type SeedValue } from '../../../shared/seed-stats';
import { groupClean } from './seed-view';
import { type ParamRow } from './config-diff';
import { toCsv, type CsvCell } from './csv';

export interface BestLast {
  best: number | null;
  bestEpoch: number | null;
  last: number | null;
}

/** Best (max for accuracy-like metrics, min for losses) and last value of one metric over epochs. */
export function bestLast(epochs: readonly EpochMetrics[], key: string): BestLast {
  const higher = /acc/.test(key);
  let best: number | null = null;
  let bestEpoch: number | null = null;
  let last: number | null = null;
  for (const e of epochs) {
    const v = e.metrics[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    last = v;
    if (best === null || (higher ? v > best : v < best)) {
      best = v;
      bestEpoch = e.epoch;
    }
  }
  return { best, bestEpoch, last };
}

export interface ComparedRun {
  run: RunDetail;
  epochs: EpochMetrics[];
  evaluations: EvaluationRecord[];
}

/** A seed group's row of the Best / last table: mean ± std over its runs of each run's clean, headline, best and last. */
export interface GroupBestLast {
  group: SeedGroup;
  clean: SeedStat | undefined;
  /** Per metric: each run's best value and last value, over the seeds. */
  metrics: Record<string, { best: SeedStat | undefined; last: SeedStat | undefined }>;
}

export type BestLastRow =
  | { kind: 'group'; key: string; row: GroupBestLast }
  /** `index`: the run's place among the compared runs (its colour); `group`: the key of the group row it belongs under. */
  | { kind: 'run'; key: string; run: ComparedRun; index: number; group: string | null };

const groupRowKey = (g: SeedGroup): string => `group:${g.experimentId}:${g.role}`;

function over(values: SeedValue[]): SeedStat | undefined {
  return values.length > 0 ? statOf(values) : undefined;
}

/** One seed group's Best / last numbers (its runs are given as `runs`, in any order). */
export function groupBestLast(group: SeedGroup, runs: readonly ComparedRun[], keys: readonly string[]): GroupBestLast {
  const members = group.members.flatMap((m) => {
    const r = runs.find((x) => x.run.id === m.runId);
    return r ? [{ seed: m.seed, runId: m.runId, r }] : [];
  });
  const metrics: GroupBestLast['metrics'] = {};
  for (const k of keys) {
    const bl = members.map((m) => ({ m, bl: bestLast(m.r.epochs, k) }));
    const values = (pick: 'best' | 'last') => bl.flatMap(({ m, bl: b }) => (b[pick] === null ? [] : [{ seed: m.seed, runId: m.runId, value: b[pick] }]));
    metrics[k] = { best: over(values('best')), last: over(values('last')) };
  }
  return { group, clean: groupClean(group, members.map((m) => m.r.run)), metrics };
}

/**
 * The table's rows in the page's order: each run, and for every seed group a row of its own where its first run is,
 * followed by its runs (shown when the group row is expanded).
 */
export function bestLastRows(runs: readonly ComparedRun[], groups: readonly SeedGroup[], keys: readonly string[]): BestLastRow[] {
  const rows: BestLastRow[] = [];
  const done = new Set<SeedGroup>();
  const groupOf = (runId: string) => groups.find((g) => g.members.some((m) => m.runId === runId));
  runs.forEach((run, index) => {
    const g = groupOf(run.run.id);
    if (g && !done.has(g)) {
      done.add(g);
      rows.push({ kind: 'group', key: groupRowKey(g), row: groupBestLast(g, runs, keys) });
      for (const m of g.members) {
        const at = runs.findIndex((x) => x.run.id === m.runId);
        if (at >= 0) rows.push({ kind: 'run', key: runs[at]!.run.id, run: runs[at]!, index: at, group: groupRowKey(g) });
      }
    }
    if (!g) rows.push({ kind: 'run', key: run.run.id, run, index, group: null });
  });
  return rows;
}

export const COMPARE_CSV_HEADER = ['run_id', 'run_name', 'role', 'section', 'name', 'epoch', 'attack', 'norm', 'epsilon', 'steps', 'source_run_id', 'value'] as const;

/** Long format, one value per line: hyperparameters, per-epoch metrics and evaluations of every compared run. */
export function compareCsv(runs: readonly ComparedRun[], params: readonly ParamRow[]): string {
  const rows: CsvCell[][] = [];
  runs.forEach(({ run, epochs, evaluations }, i) => {
    const head = [run.id, run.name, run.role];
    for (const p of params) rows.push([...head, 'param', p.key, null, null, null, null, null, null, p.values[i] ?? '']);
    for (const e of epochs) for (const [k, v] of Object.entries(e.metrics)) rows.push([...head, 'epoch', k, e.epoch, null, null, null, null, null, v]);
    // a checkpoint's number is named so ("accuracy (epoch 3 checkpoint)"), never taken for the final model's
    for (const ev of evaluations) rows.push([...head, 'evaluation', ev.modelEpoch == null ? 'accuracy' : `accuracy (${checkpointMarker(ev.modelEpoch)})`, null, ev.attack, ev.norm, ev.epsilon, ev.steps, ev.sourceRunId, ev.accuracy]);
  });
  return toCsv(COMPARE_CSV_HEADER, rows);
}
