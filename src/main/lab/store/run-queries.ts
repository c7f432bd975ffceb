// Read-side queries over runs: the filtered listing, one summary, and the existence/status check writers start with.
import type Database from 'better-sqlite3';
import type { RunStatus, RunSummary } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import type { StoreContext } from './context';
import { likeContains, notFound } from './context';
import { RUN_SUMMARY_COLUMNS, RUN_SUMMARY_FROM, toRunSummary, type RunSummaryTuple } from './rows';

export interface RunFilter {
  /** Keep runs in any of these statuses. */
  status?: RunStatus | readonly RunStatus[];
  /** Keep runs carrying this tag (exact match). */
  tag?: string;
  /** Case-insensitive substring of the run's name, id or notes, or its experiment's name. */
  search?: string;
  experimentId?: string;
  /** At most this many runs, newest first. Default 1000. */
  limit?: number;
}

export const DEFAULT_RUN_LIMIT = 1000;

export interface RunQueries {
  listRuns(filter?: RunFilter): RunSummary[];
  getRunSummary(runId: string): RunSummary;
}

export interface RunState {
  id: string;
  experiment_id: string;
  status: RunStatus;
  started_at: string | null;
  epochs: number;
}

/** Reads the fields writers check before changing a run; throws not_found naming the id. */
export function makeRunStateReader(ctx: StoreContext): (runId: string, field?: string) => RunState {
  const stmt = ctx.db.prepare<[string], RunState>('SELECT id, experiment_id, status, started_at, epochs FROM runs WHERE id = ?');
  return (runId, field = 'runId') => {
    const row = stmt.get(runId);
    if (row === undefined) throw notFound('run', runId, field);
    return row;
  };
}

export function makeRunQueries(ctx: StoreContext): RunQueries {
  const one = ctx.db.prepare<[string], RunSummaryTuple>(`SELECT ${RUN_SUMMARY_COLUMNS} FROM ${RUN_SUMMARY_FROM} WHERE r.id = ?`).raw();
  // One prepared statement per combination of filters present (at most 16), built on first use.
  const listings = new Map<string, Database.Statement<[Record<string, unknown>], RunSummaryTuple>>();

  function listRuns(filter: RunFilter = {}): RunSummary[] {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    const statuses = filter.status === undefined ? undefined : typeof filter.status === 'string' ? [filter.status] : filter.status;
    if (statuses !== undefined) {
      if (statuses.length === 0) return [];
      where.push(`r.status IN (SELECT value FROM json_each(@statuses))`);
      params.statuses = JSON.stringify(statuses);
    }
    if (filter.tag !== undefined) {
      where.push(`EXISTS (SELECT 1 FROM json_each(r.tags) WHERE value = @tag)`);
      params.tag = filter.tag.trim();
    }
    if (filter.search !== undefined && filter.search.trim() !== '') {
      where.push(`(r.name LIKE @search ESCAPE '\\' OR e.name LIKE @search ESCAPE '\\' OR r.id LIKE @search ESCAPE '\\' OR r.notes LIKE @search ESCAPE '\\')`);
      params.search = likeContains(filter.search.trim());
    }
    if (filter.experimentId !== undefined) {
      where.push(`r.experiment_id = @experimentId`);
      params.experimentId = filter.experimentId;
    }
    const limit = filter.limit ?? DEFAULT_RUN_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 1) throw new LabError('invalid_argument', `limit must be an integer ≥ 1 (got ${String(limit)})`, 'limit');
    params.limit = limit;

    const sql =
      `SELECT ${RUN_SUMMARY_COLUMNS} FROM ${RUN_SUMMARY_FROM}` +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ` ORDER BY r.created_at DESC, r.rowid DESC LIMIT @limit`;
    let stmt = listings.get(sql);
    if (stmt === undefined) {
      stmt = ctx.db.prepare<[Record<string, unknown>], RunSummaryTuple>(sql).raw();
      listings.set(sql, stmt);
    }
    return stmt.all(params).map(toRunSummary);
  }

  function getRunSummary(runId: string): RunSummary {
    const row = one.get(runId);
    if (row === undefined) throw notFound('run', runId, 'runId');
    return toRunSummary(row);
  }

  return { listRuns, getRunSummary };
}
