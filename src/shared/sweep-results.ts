// A sweep's results, cell by cell: its status and, per trained model (the base run, each defence), clean and headline
// robust accuracy as mean ± std over the cell's seeds — what `rlab sweep show`, its CSV and the Sweep page all show.
import { type RunRole, type RunStatus, type RunSummary } from './contract';
import { toCsv } from './csv';
import { defenceLabel } from './defences';
import { meanStd } from './seed-stats';
import { type SweepDetail } from './sweep-contract';
import { type AxisValue } from './sweep-spec';

/** done: every run completed; the others as the runs say (running beats queued beats the rest). */
export type CellStatus = 'done' | 'running' | 'queued' | 'failed' | 'cancelled' | 'interrupted';

export interface Stat {
  mean: number;
  /** Sample std over seeds; null with one seed. */
  std: number | null;
  n: number;
}

export interface CellGroup {
  /** 'base', or the defence's label (e.g. 'adv' for NSL, 'pgd-at'). */
  label: string;
  role: RunRole;
  clean: Stat | null;
  robust: Stat | null;
  /** The headline's name of the robust numbers (e.g. "AutoAttack ∞ ε0.2, 1,000 images"); null without one. */
  robustLabel: string | null;
}

export interface CellResult {
  index: number;
  name: string;
  experimentId: string;
  values: Record<string, AxisValue>;
  status: CellStatus;
  /** Runs completed of the cell's runs. */
  done: number;
  total: number;
  groups: CellGroup[];
}

const ORDER: readonly RunStatus[] = ['running', 'queued', 'interrupted', 'failed', 'cancelled'];

export function cellStatus(runs: readonly Pick<RunSummary, 'status'>[]): CellStatus {
  if (runs.length > 0 && runs.every((r) => r.status === 'completed')) return 'done';
  const s = ORDER.find((o) => runs.some((r) => r.status === o));
  return (s ?? 'queued') as CellStatus;
}

/** A run's model group: 'base', or its defence's label. */
export const groupLabel = (r: Pick<RunSummary, 'role' | 'defence'>): string => (r.role === 'base' ? 'base' : r.defence ? defenceLabel(r.defence) : 'adv');

function stat(xs: readonly (number | null)[]): Stat | null {
  const values = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return values.length === 0 ? null : meanStd(values);
}

/** The groups of one cell's runs, in the order their runs were created (base first). */
export function cellGroups(runs: readonly RunSummary[]): CellGroup[] {
  const by = new Map<string, RunSummary[]>();
  for (const r of runs) {
    const k = `${r.role}\u0000${groupLabel(r)}`;
    by.set(k, [...(by.get(k) ?? []), r]);
  }
  return [...by.values()].map((members) => {
    const done = members.filter((m) => m.status === 'completed');
    return {
      label: groupLabel(members[0]!),
      role: members[0]!.role,
      clean: stat(done.map((m) => m.cleanAccuracy)),
      robust: stat(done.map((m) => m.robustAccuracy)),
      robustLabel: done.find((m) => m.robustLabel !== null)?.robustLabel ?? null,
    };
  });
}

/** Every cell with its own runs' status; its groups include the sweep's shared base runs when it has them. */
export function sweepResults(detail: Pick<SweepDetail, 'cells'> & { baseRuns?: readonly RunSummary[] }): CellResult[] {
  const shared = detail.baseRuns ?? [];
  return detail.cells.map((c) => ({
    index: c.index,
    name: c.name,
    experimentId: c.experimentId,
    values: c.values,
    status: cellStatus(c.runs),
    done: c.runs.filter((r) => r.status === 'completed').length,
    total: c.runs.length,
    groups: cellGroups([...shared, ...c.runs]),
  }));
}

/** Cells by status, for a progress line: every status, zeros included. */
export function cellCounts(results: readonly Pick<CellResult, 'status'>[]): Record<CellStatus, number> {
  const out: Record<CellStatus, number> = { done: 0, running: 0, queued: 0, failed: 0, cancelled: 0, interrupted: 0 };
  for (const r of results) out[r.status]++;
  return out;
}

/** One CSV row per cell and model: the cell, its axis values, then the model's numbers (fractions, not percent). */
export function sweepCsv(detail: Pick<SweepDetail, 'cells' | 'spec'> & { baseRuns?: readonly RunSummary[] }): string {
  const axes = detail.spec.axes.map((a) => a.path);
  const header = ['cell', ...axes, 'experiment_id', 'status', 'model', 'role', 'n', 'clean_mean', 'clean_std', 'robust_mean', 'robust_std', 'robust_label'];
  const rows = sweepResults(detail).flatMap((c) =>
    c.groups.map((g) => [c.index, ...axes.map((a) => c.values[a] ?? null), c.experimentId, c.status, g.label, g.role, g.clean?.n ?? 0, g.clean?.mean ?? null, g.clean?.std ?? null, g.robust?.mean ?? null, g.robust?.std ?? null, g.robustLabel]),
  );
  return toCsv(header, rows, '\n');
}
