// A sweep's summary in words and numbers for the list and the page head: its axes, and its runs' progress.
import { type RunStatus } from '../../../shared/contract';
import { type SweepAxis } from '../../../shared/sweep-spec';
import { valueText } from './sweep-scales';

/** `advReg.multiplier (3) × defence (2)`. */
export function axesText(axes: readonly Pick<SweepAxis, 'path' | 'values'>[]): string {
  return axes.map((a) => `${a.path} (${a.values.length})`).join(' × ');
}

/** An axis with its values: `advReg.multiplier = 0.05, 0.2, 0.5`. */
export function axisValuesText(axis: Pick<SweepAxis, 'path' | 'values'>): string {
  return `${axis.path} = ${axis.values.map(valueText).join(', ')}`;
}

export interface RunProgress {
  done: number;
  failed: number;
  total: number;
  /** Completed runs over all runs (0 without runs). */
  fraction: number;
}

export function runProgress(s: { runs: Record<RunStatus, number> }): RunProgress {
  const total = Object.values(s.runs).reduce((n, x) => n + x, 0);
  return { done: s.runs.completed, failed: s.runs.failed, total, fraction: total === 0 ? 0 : s.runs.completed / total };
}

/** `48.4% ± 1.1` (percent points; n seeds in `title`), `48.4%` with one seed, `—` without a number. */
export function statText(s: { mean: number; std: number | null } | null | undefined): string {
  if (!s) return '—';
  return s.std === null ? `${(s.mean * 100).toFixed(1)}%` : `${(s.mean * 100).toFixed(1)}% ± ${(s.std * 100).toFixed(1)}`;
}

/** `robust 48.4% ± 1.1 (n 2), clean 91.0% ± 0.3 (n 2)`. */
export function statsTitle(robust: { mean: number; std: number | null; n: number } | null, clean: { mean: number; std: number | null; n: number } | null): string {
  const part = (name: string, s: { mean: number; std: number | null; n: number } | null) => `${name} ${statText(s)}${s ? ` (n ${s.n})` : ''}`;
  return `${part('robust', robust)}, ${part('clean', clean)}`;
}
