// The persistent job queue: train and evaluate jobs in the order they were enqueued, surviving restarts.
import type { JobSummary } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { decodeJson, encodeJson } from './codec';
import { notFound, writeTx, type StoreContext } from './context';
import { newJobId } from './ids';
import { makeRunStateReader } from './run-queries';

/** A queued or running job with what the worker needs to run it. */
export interface StoredJob extends JobSummary {
  /** Whatever the LabService put in at enqueue time (JSON-serialisable). */
  payload: unknown;
  /** Queue position: lower runs first. */
  seq: number;
}

export interface JobsRepo {
  enqueueJob(job: { kind: JobSummary['kind']; runId: string; payload?: unknown }): StoredJob;
  /** The oldest queued job, or null when none is waiting (running jobs are not returned). */
  nextJob(): StoredJob | null;
  /**
   * The oldest queued job that may start now beside the running ones: none of its run's jobs is running, and an adv
   * run's training waits while its seed's base run (its experiment's, or its sweep's shared one) has a training job
   * (its transfer attacks and gallery need the base model). With one job at a time this is the queue order, except that a base run goes before its adv run.
   */
  nextRunnableJob(): StoredJob | null;
  getJob(jobId: string): StoredJob;
  /** queued → running; refuses a job that is already running. */
  markJobRunning(jobId: string): StoredJob;
  /** Removes a job from the queue (it finished, failed or was cancelled; its outcome lives on the run). */
  finishJob(jobId: string): void;
  /** running → queued, at its old place: a host closed before the job got anywhere. */
  requeueJob(jobId: string): StoredJob;
  /** Removes every job of a run (a queued run that was cancelled); returns their ids. */
  deleteJobsForRun(runId: string): string[];
  /** All jobs in queue order. */
  listJobs(): JobSummary[];
}

interface JobRow {
  id: string;
  kind: JobSummary['kind'];
  run_id: string;
  payload: string;
  status: JobSummary['status'];
  created_at: string;
  seq: number;
}

const KINDS: readonly JobSummary['kind'][] = ['train', 'evaluate'];

export function toStoredJob(row: JobRow): StoredJob {
  return { id: row.id, kind: row.kind, runId: row.run_id, status: row.status, createdAt: row.created_at, payload: decodeJson(row.payload), seq: row.seq };
}

export function makeJobsRepo(ctx: StoreContext): JobsRepo {
  const readState = makeRunStateReader(ctx);
  const insert = ctx.db.prepare(
    `INSERT INTO jobs (id, kind, run_id, payload, status, created_at, seq)
     VALUES (?, ?, ?, ?, 'queued', ?, (SELECT coalesce(max(seq), 0) + 1 FROM jobs))`,
  );
  const byId = ctx.db.prepare<[string], JobRow>('SELECT * FROM jobs WHERE id = ?');
  const oldestQueued = ctx.db.prepare<[], JobRow>(`SELECT * FROM jobs WHERE status = 'queued' ORDER BY seq LIMIT 1`);
  const oldestRunnable = ctx.db.prepare<[], JobRow>(`SELECT j.* FROM jobs j JOIN runs r ON r.id = j.run_id
    WHERE j.status = 'queued'
      AND NOT EXISTS (SELECT 1 FROM jobs k WHERE k.run_id = j.run_id AND k.status = 'running')
      AND NOT (j.kind = 'train' AND r.role = 'adv' AND EXISTS (
        SELECT 1 FROM jobs bj JOIN runs b ON b.id = bj.run_id
        WHERE bj.kind = 'train' AND b.role = 'base' AND b.seed = r.seed AND (b.experiment_id = r.experiment_id OR b.experiment_id = (
          SELECT s.base_experiment_id FROM sweep_cells c JOIN sweeps s ON s.id = c.sweep_id WHERE c.experiment_id = r.experiment_id))))
    ORDER BY j.seq LIMIT 1`);
  const all = ctx.db.prepare<[], JobRow>('SELECT * FROM jobs ORDER BY seq');
  const setRunning = ctx.db.prepare(`UPDATE jobs SET status = 'running' WHERE id = ?`);
  const setQueued = ctx.db.prepare(`UPDATE jobs SET status = 'queued' WHERE id = ?`);
  const remove = ctx.db.prepare('DELETE FROM jobs WHERE id = ?');
  const idsOfRun = ctx.db.prepare<[string], string>('SELECT id FROM jobs WHERE run_id = ? ORDER BY seq').pluck();
  const removeOfRun = ctx.db.prepare('DELETE FROM jobs WHERE run_id = ?');

  function getJob(jobId: string): StoredJob {
    const row = byId.get(jobId);
    if (row === undefined) throw notFound('job', jobId, 'jobId');
    return toStoredJob(row);
  }

  const enqueueJob = writeTx(ctx, (job: { kind: JobSummary['kind']; runId: string; payload?: unknown }): StoredJob => {
    if (!KINDS.includes(job.kind)) throw new LabError('invalid_argument', `kind must be train or evaluate (got ${JSON.stringify(job.kind)})`, 'kind');
    const payload = encodeJson(job.payload ?? null);
    if (payload === undefined) throw new LabError('invalid_argument', 'payload must be JSON-serialisable', 'payload');
    readState(job.runId);
    const id = newJobId();
    insert.run(id, job.kind, job.runId, payload, ctx.now());
    return getJob(id);
  });

  const markJobRunning = writeTx(ctx, (jobId: string): StoredJob => {
    const job = getJob(jobId);
    if (job.status !== 'queued') throw new LabError('failed_precondition', `job ${jobId} is already running`, 'jobId');
    setRunning.run(jobId);
    return getJob(jobId);
  });

  const requeueJob = writeTx(ctx, (jobId: string): StoredJob => {
    const job = getJob(jobId);
    if (job.status !== 'running') throw new LabError('failed_precondition', `job ${jobId} is not running`, 'jobId');
    setQueued.run(jobId);
    return getJob(jobId);
  });

  const finishJob = writeTx(ctx, (jobId: string): void => {
    if (remove.run(jobId).changes === 0) throw notFound('job', jobId, 'jobId');
  });

  const deleteJobsForRun = writeTx(ctx, (runId: string): string[] => {
    const ids = idsOfRun.all(runId);
    removeOfRun.run(runId);
    return ids;
  });

  return {
    enqueueJob,
    nextJob: () => {
      const row = oldestQueued.get();
      return row === undefined ? null : toStoredJob(row);
    },
    nextRunnableJob: () => {
      const row = oldestRunnable.get();
      return row === undefined ? null : toStoredJob(row);
    },
    getJob,
    markJobRunning,
    finishJob,
    requeueJob,
    deleteJobsForRun,
    listJobs: () => all.all().map((r) => ({ id: r.id, kind: r.kind, runId: r.run_id, status: r.status, createdAt: r.created_at })),
  };
}
