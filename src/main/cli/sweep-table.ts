// `rlab sweep ls` and `show` as terminal tables: one row per sweep; one row per cell with its axis values, status and
// each model's clean and robust accuracy as mean ± std over the cell's seeds.
import { type SweepDetail, type SweepSummary } from '../../shared/sweep-contract';
import { cellCounts, sweepResults, type Stat } from '../../shared/sweep-results';
import { percent, table, when } from './format';

const pm = (s: Stat | null): string => (s === null ? '—' : s.std === null ? percent(s.mean) : `${percent(s.mean)} ± ${(100 * s.std).toFixed(2)}`);

export function sweepsTable(sweeps: readonly SweepSummary[]): string {
  return table(
    ['id', 'name', 'status', 'cells done', 'runs done', 'axes', 'created'],
    sweeps.map((s) => [
      s.id, s.name, s.status, `${s.cellsByStatus.done}/${s.cellCount}${s.cellCount < s.gridSize ? ` (of a grid of ${s.gridSize})` : ''}`,
      `${s.runs.completed}/${Object.values(s.runs).reduce((a, b) => a + b, 0)}`, s.spec.axes.map((a) => a.path).join(' × '), when(s.createdAt),
    ]),
  );
}

/** "4/9 cells done · 1 running · 4 queued" (statuses with no cell left out). */
export function progressLine(detail: Pick<SweepDetail, 'cells'> & { baseRuns?: SweepDetail['baseRuns']; pausedReason?: string | null }): string {
  const counts = cellCounts(sweepResults(detail));
  const parts = (['running', 'queued', 'failed', 'cancelled', 'interrupted'] as const).filter((k) => counts[k] > 0).map((k) => `${counts[k]} ${k}`);
  const base = detail.baseRuns ?? [];
  const shared = base.length === 0 ? [] : [`shared base runs ${base.filter((r) => r.status === 'completed').length}/${base.length} done`];
  const paused = detail.pausedReason ? [`paused: ${detail.pausedReason}`] : [];
  return [`${counts.done}/${detail.cells.length} cells done`, ...parts, ...shared, ...paused].join(' · ');
}

export function sweepTable(detail: SweepDetail): string {
  const results = sweepResults(detail);
  const axes = detail.spec.axes.map((a) => a.path);
  const labels = [...new Set(results.flatMap((c) => c.groups.map((g) => g.label)))];
  const robustName = results.flatMap((c) => c.groups).find((g) => g.robustLabel !== null)?.robustLabel;
  const header = ['cell', ...axes.map((a) => a.split('.').pop()!), 'status', ...labels.flatMap((l) => [`${l} clean`, `${l} robust`])];
  const rows = results.map((c) => [
    String(c.index), ...axes.map((a) => String(c.values[a] ?? '—')), c.status === 'done' ? 'done' : `${c.status} (${c.done}/${c.total})`,
    ...labels.flatMap((l) => {
      const g = c.groups.find((x) => x.label === l);
      return [pm(g?.clean ?? null), pm(g?.robust ?? null)];
    }),
  ]);
  const seeds = detail.spec.seeds ?? detail.spec.base.seeds;
  const about = [
    `sweep ${detail.id} "${detail.name}": ${detail.status}; ${progressLine(detail)}`,
    `robust: ${robustName ?? 'the headline attack'}; mean ± std over seeds ${seeds.join(', ')}`,
  ];
  return `${about.join('\n')}\n${table(header, rows)}`;
}
