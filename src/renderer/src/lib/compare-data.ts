// Summary numbers and the CSV export of the Compare page.
import { type EpochMetrics, type EvaluationRecord, type RunDetail } from '../../../shared/contract';
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

export const COMPARE_CSV_HEADER = ['run_id', 'run_name', 'role', 'section', 'name', 'epoch', 'attack', 'norm', 'epsilon', 'steps', 'source_run_id', 'value'] as const;

/** Long format, one value per line: hyperparameters, per-epoch metrics and evaluations of every compared run. */
export function compareCsv(runs: readonly ComparedRun[], params: readonly ParamRow[]): string {
  const rows: CsvCell[][] = [];
  runs.forEach(({ run, epochs, evaluations }, i) => {
    const head = [run.id, run.name, run.role];
    for (const p of params) rows.push([...head, 'param', p.key, null, null, null, null, null, null, p.values[i] ?? '']);
    for (const e of epochs) for (const [k, v] of Object.entries(e.metrics)) rows.push([...head, 'epoch', k, e.epoch, null, null, null, null, null, v]);
    for (const ev of evaluations) rows.push([...head, 'evaluation', 'accuracy', null, ev.attack, ev.norm, ev.epsilon, ev.steps, ev.sourceRunId, ev.accuracy]);
  });
  return toCsv(COMPARE_CSV_HEADER, rows);
}
