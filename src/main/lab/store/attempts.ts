// The attempts of runs trained by remote workers: which worker took the job and after which epoch it began. A run
// whose worker died mid-job has two or more; the epochs between one attempt's start and the next's are the first's.
import { type RunAttempt } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { writeTx, type StoreContext } from './context';
import { makeRunStateReader } from './run-queries';

export interface AttemptsRepo {
  /** Records that `worker` took the run's job; the same attempt recorded twice is kept once. */
  recordAttempt(input: { runId: string; attempt: string; jobId: string; worker: string; startEpoch: number }): RunAttempt;
  /** Oldest first. */
  listAttempts(runId: string): RunAttempt[];
}

export function makeAttemptsRepo(ctx: StoreContext): AttemptsRepo {
  const readState = makeRunStateReader(ctx);
  const insert = ctx.db.prepare('INSERT OR IGNORE INTO run_attempts (run_id, attempt, job_id, worker, start_epoch, started_at) VALUES (?, ?, ?, ?, ?, ?)');
  const byRun = ctx.db.prepare<[string], RunAttempt>('SELECT attempt, job_id AS jobId, worker, start_epoch AS startEpoch, started_at AS startedAt FROM run_attempts WHERE run_id = ? ORDER BY started_at, rowid');
  const one = ctx.db.prepare<[string, string], RunAttempt>('SELECT attempt, job_id AS jobId, worker, start_epoch AS startEpoch, started_at AS startedAt FROM run_attempts WHERE run_id = ? AND attempt = ?');

  const recordAttempt = writeTx(ctx, (a: { runId: string; attempt: string; jobId: string; worker: string; startEpoch: number }): RunAttempt => {
    if (!Number.isSafeInteger(a.startEpoch) || a.startEpoch < 0) throw new LabError('invalid_argument', `startEpoch must be a whole number ≥ 0 (got ${String(a.startEpoch)})`, 'startEpoch');
    if (a.attempt.trim() === '' || a.worker.trim() === '') throw new LabError('invalid_argument', 'an attempt needs its id and its worker', 'attempt');
    readState(a.runId);
    insert.run(a.runId, a.attempt, a.jobId, a.worker.slice(0, 200), a.startEpoch, ctx.now());
    return one.get(a.runId, a.attempt)!;
  });

  function listAttempts(runId: string): RunAttempt[] {
    readState(runId);
    return byRun.all(runId);
  }

  return { recordAttempt, listAttempts };
}
