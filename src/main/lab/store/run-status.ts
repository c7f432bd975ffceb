// Run status changes: which transitions are allowed, and the timestamps and error text each one sets.
import type { RunStatus, RunSummary } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { writeTx, type StoreContext } from './context';
import { makeRunQueries, makeRunStateReader } from './run-queries';

/**
 * Allowed next statuses. A finished run never trains again in place: `completed` is final, and
 * `failed`/`cancelled`/`interrupted` may only go back to `queued` (a retry or `rlab resume`), so every
 * start goes through the job queue. `interrupted` is set by crash recovery, never by the worker.
 */
export const RUN_TRANSITIONS: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  queued: ['running', 'cancelled', 'failed'],
  running: ['completed', 'failed', 'cancelled', 'interrupted'],
  interrupted: ['queued', 'cancelled', 'failed'],
  failed: ['queued'],
  cancelled: ['queued'],
  completed: [],
};

const FINAL: ReadonlySet<RunStatus> = new Set(['completed', 'failed', 'cancelled', 'interrupted']);

export interface StatusChange {
  /** Error text to keep with a failed/cancelled/interrupted run; cleared when the run is queued or started again. */
  error?: string;
  /** Defaults to now when the run first starts; a resumed run keeps its first start; null clears it (a run put back in the queue before it trained). */
  startedAt?: string | null;
  /** Defaults to now when the run reaches a final status. */
  finishedAt?: string;
}

export interface RunStatusRepo {
  /** Moves a run to `status`; refuses transitions not in RUN_TRANSITIONS with failed_precondition. */
  setRunStatus(runId: string, status: RunStatus, change?: StatusChange): RunSummary;
}

export function canTransition(from: RunStatus, to: RunStatus): boolean {
  return RUN_TRANSITIONS[from].includes(to);
}

function checkTimestamp(value: string | null | undefined, field: string): void {
  if (typeof value === 'string' && Number.isNaN(Date.parse(value))) {
    throw new LabError('invalid_argument', `${field} must be an ISO-8601 timestamp (got ${JSON.stringify(value)})`, field);
  }
}

export function makeRunStatusRepo(ctx: StoreContext): RunStatusRepo {
  const readState = makeRunStateReader(ctx);
  const { getRunSummary } = makeRunQueries(ctx);
  const update = ctx.db.prepare<{ id: string; status: RunStatus; started: string | null; finished: string | null; error: string | null }>(
    'UPDATE runs SET status = @status, started_at = @started, finished_at = @finished, error = @error WHERE id = @id',
  );

  const setRunStatus = writeTx(ctx, (runId: string, status: RunStatus, change: StatusChange = {}): RunSummary => {
    if (!(status in RUN_TRANSITIONS)) throw new LabError('invalid_argument', `status must be one of ${Object.keys(RUN_TRANSITIONS).join(', ')} (got ${JSON.stringify(status)})`, 'status');
    checkTimestamp(change.startedAt, 'startedAt');
    checkTimestamp(change.finishedAt, 'finishedAt');
    const run = readState(runId);
    if (!canTransition(run.status, status)) {
      const allowed = RUN_TRANSITIONS[run.status];
      throw new LabError(
        'failed_precondition',
        `run ${runId} is ${run.status} and cannot become ${status} (from ${run.status} it can become ${allowed.length ? allowed.join(', ') : 'nothing: it is final'})`,
        'status',
      );
    }
    const started = status === 'running' ? (change.startedAt ?? run.started_at ?? ctx.now()) : change.startedAt === null ? null : (change.startedAt ?? run.started_at);
    const finished = FINAL.has(status) ? (change.finishedAt ?? ctx.now()) : null;
    const error = FINAL.has(status) && status !== 'completed' ? (change.error ?? null) : null;
    update.run({ id: runId, status, started, finished, error });
    return getRunSummary(runId);
  });

  return { setRunStatus };
}
