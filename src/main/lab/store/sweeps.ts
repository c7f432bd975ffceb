// Sweeps: their spec and one cell per grid point run, each cell owning one experiment; status is derived from the
// cells' runs on every read, so it can never disagree with them.
import type { RunStatus, RunSummary } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import type { SweepCell, SweepDetail, SweepStatus, SweepSummary } from '../../../shared/sweep-contract';
import { cellCounts, cellStatus } from '../../../shared/sweep-results';
import type { AxisValue, SweepSpec } from '../../../shared/sweep-spec';
import { decodeJson, encodeJson } from './codec';
import { writeTx, type StoreContext } from './context';
import { newSweepId } from './ids';
import { RUN_SUMMARY_COLUMNS, RUN_SUMMARY_FROM, toRunSummary, type RunSummaryTuple } from './rows';

export interface NewSweepInput {
  spec: SweepSpec;
  gridSize: number;
  workers: number | null;
  /** The experiment of the base runs every cell shares, created in the same transaction; null when none. */
  baseExperimentId: string | null;
  /** One per cell run, with the experiment already created for it (same transaction). */
  cells: { index: number; values: Record<string, AxisValue>; experimentId: string }[];
}

export interface SweepsRepo {
  /** Stores the sweep and its cells; call inside the transaction that creates the cells' experiments. */
  createSweep(input: NewSweepInput): SweepSummary;
  /** Newest first. */
  listSweeps(): SweepSummary[];
  getSweep(sweepId: string): SweepDetail;
  /** The experiment of the base runs shared by the sweep whose cell `experimentId` is; null when there is none. */
  sharedBaseExperiment(experimentId: string): string | null;
  setSweepCancelled(sweepId: string, cancelled: boolean): SweepSummary;
  /** Marks the unfinished sweeps (any run queued or running) paused with `reason`, or clears every pause (null); returns the ids changed. */
  setSweepsPaused(reason: string | null): string[];
}

interface SweepRow {
  id: string;
  name: string;
  created_at: string;
  grid_size: number;
  workers: number | null;
  base_experiment_id: string | null;
  cancelled_at: string | null;
  paused_reason: string | null;
  spec: string;
  cell_count: number;
  run_counts: string;
}

const STATUSES: readonly RunStatus[] = ['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted'];

const SUMMARY_SQL = `SELECT s.id, s.name, s.created_at, s.grid_size, s.workers, s.base_experiment_id, s.cancelled_at, s.paused_reason, s.spec,
  (SELECT count(*) FROM sweep_cells c WHERE c.sweep_id = s.id) AS cell_count,
  (SELECT json_group_object(status, n) FROM (SELECT r.status, count(*) AS n FROM runs r
     WHERE r.experiment_id IN (SELECT c.experiment_id FROM sweep_cells c WHERE c.sweep_id = s.id) OR r.experiment_id = s.base_experiment_id
     GROUP BY r.status)) AS run_counts
  FROM sweeps s`;

/** One status for the whole sweep, from its runs' (see SweepStatus). */
export function sweepStatus(runs: Record<RunStatus, number>, cancelled: boolean, paused = false): SweepStatus {
  const total = STATUSES.reduce((n, s) => n + runs[s], 0);
  if (paused && !cancelled && runs.running + runs.queued > 0) return 'paused';
  if (runs.running > 0) return 'running';
  if (cancelled) return 'cancelled';
  if (runs.interrupted > 0) return 'interrupted';
  if (runs.queued === total) return 'queued';
  if (runs.queued > 0) return 'running';
  if (runs.completed === total) return 'completed';
  return runs.failed > 0 ? 'failed' : 'cancelled';
}

function toSummary(row: SweepRow, cellRunStatuses: readonly { cell_index: number; status: RunStatus }[]): SweepSummary {
  const counted = decodeJson<Partial<Record<RunStatus, number>> | null>(row.run_counts) ?? {};
  const runs = Object.fromEntries(STATUSES.map((s) => [s, counted[s] ?? 0])) as Record<RunStatus, number>;
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    spec: decodeJson<SweepSpec>(row.spec),
    gridSize: row.grid_size,
    cellCount: row.cell_count,
    status: sweepStatus(runs, row.cancelled_at !== null, row.paused_reason !== null),
    runs,
    cellsByStatus: cellCounts(cellStatusesOf(cellRunStatuses)),
    workers: row.workers,
    baseExperimentId: row.base_experiment_id,
    cancelledAt: row.cancelled_at,
    pausedReason: row.paused_reason,
  };
}

/** Each cell's status from its own runs' statuses (rows in any order). */
function cellStatusesOf(rows: readonly { cell_index: number; status: RunStatus }[]): { status: ReturnType<typeof cellStatus> }[] {
  const by = new Map<number, { status: RunStatus }[]>();
  for (const r of rows) by.set(r.cell_index, [...(by.get(r.cell_index) ?? []), { status: r.status }]);
  return [...by.values()].map((runs) => ({ status: cellStatus(runs) }));
}

export function makeSweepsRepo(ctx: StoreContext): SweepsRepo {
  const { db } = ctx;
  const insertSweep = db.prepare('INSERT INTO sweeps (id, name, created_at, grid_size, workers, base_experiment_id, spec) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const insertCell = db.prepare('INSERT INTO sweep_cells (sweep_id, cell_index, experiment_id, axis_values) VALUES (?, ?, ?, ?)');
  const one = db.prepare<[string], SweepRow>(`${SUMMARY_SQL} WHERE s.id = ?`);
  const cellRunStatuses = db.prepare<[string], { cell_index: number; status: RunStatus }>(
    'SELECT c.cell_index, r.status FROM sweep_cells c JOIN runs r ON r.experiment_id = c.experiment_id WHERE c.sweep_id = ?',
  );
  const summarise = (row: SweepRow): SweepSummary => toSummary(row, cellRunStatuses.all(row.id));
  const all = db.prepare<[], SweepRow>(`${SUMMARY_SQL} ORDER BY s.created_at DESC, s.rowid DESC`);
  const cells = db.prepare<[string], { cell_index: number; experiment_id: string; axis_values: string; name: string }>(
    'SELECT c.cell_index, c.experiment_id, c.axis_values, e.name FROM sweep_cells c JOIN experiments e ON e.id = c.experiment_id WHERE c.sweep_id = ? ORDER BY c.cell_index',
  );
  const cellRuns = db.prepare<[string], RunSummaryTuple>(
    `SELECT ${RUN_SUMMARY_COLUMNS} FROM ${RUN_SUMMARY_FROM} JOIN sweep_cells c ON c.experiment_id = r.experiment_id WHERE c.sweep_id = ? ORDER BY c.cell_index, r.rowid`,
  ).raw();
  const baseOf = db.prepare<[string], string | null>('SELECT s.base_experiment_id FROM sweep_cells c JOIN sweeps s ON s.id = c.sweep_id WHERE c.experiment_id = ?').pluck();
  const experimentRuns = db.prepare<[string], RunSummaryTuple>(`SELECT ${RUN_SUMMARY_COLUMNS} FROM ${RUN_SUMMARY_FROM} WHERE r.experiment_id = ? ORDER BY r.rowid`).raw();
  const cancel = db.prepare('UPDATE sweeps SET cancelled_at = ? WHERE id = ?');
  const pause = db.prepare('UPDATE sweeps SET paused_reason = ? WHERE id = ?');
  const unpauseAll = db.prepare('UPDATE sweeps SET paused_reason = NULL WHERE paused_reason IS NOT NULL');
  const clearPaused = db.prepare<[], string>('SELECT id FROM sweeps WHERE paused_reason IS NOT NULL').pluck();
  const unfinished = db.prepare<[], string>(`SELECT s.id FROM sweeps s WHERE s.cancelled_at IS NULL AND EXISTS (SELECT 1 FROM runs r
    WHERE r.status IN ('queued', 'running') AND (r.experiment_id IN (SELECT c.experiment_id FROM sweep_cells c WHERE c.sweep_id = s.id) OR r.experiment_id = s.base_experiment_id))`).pluck();

  function summary(sweepId: string): SweepSummary {
    const row = one.get(sweepId);
    if (row === undefined) throw new LabError('not_found', `sweep ${sweepId} does not exist (it may have been deleted)`, 'sweepId');
    return summarise(row);
  }

  const createSweep = writeTx(ctx, (input: NewSweepInput): SweepSummary => {
    const id = newSweepId();
    insertSweep.run(id, input.spec.name, ctx.now(), input.gridSize, input.workers, input.baseExperimentId, encodeJson(input.spec));
    for (const c of input.cells) insertCell.run(id, c.index, c.experimentId, encodeJson(c.values));
    return summary(id);
  });

  function getSweep(sweepId: string): SweepDetail {
    const head = summary(sweepId);
    const runsBy = new Map<string, RunSummary[]>();
    for (const t of cellRuns.all(sweepId)) {
      const r = toRunSummary(t);
      const list = runsBy.get(r.experimentId);
      if (list) list.push(r);
      else runsBy.set(r.experimentId, [r]);
    }
    const list: SweepCell[] = cells.all(sweepId).map((c) => ({
      index: c.cell_index,
      values: decodeJson<Record<string, AxisValue>>(c.axis_values),
      experimentId: c.experiment_id,
      name: c.name,
      runs: runsBy.get(c.experiment_id) ?? [],
    }));
    const baseRuns = head.baseExperimentId === null ? [] : experimentRuns.all(head.baseExperimentId).map(toRunSummary);
    return { ...head, cells: list, baseRuns };
  }

  return {
    createSweep,
    listSweeps: () => all.all().map(summarise),
    getSweep,
    sharedBaseExperiment: (experimentId) => baseOf.get(experimentId) ?? null,
    setSweepCancelled: writeTx(ctx, (sweepId: string, cancelled: boolean) => {
      summary(sweepId);
      cancel.run(cancelled ? ctx.now() : null, sweepId);
      return summary(sweepId);
    }),
    setSweepsPaused: writeTx(ctx, (reason: string | null): string[] => {
      const ids = reason === null ? clearPaused.all() : unfinished.all();
      if (reason === null) unpauseAll.run();
      else for (const id of ids) pause.run(reason, id);
      return ids;
    }),
  };
}
