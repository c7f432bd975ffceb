// Start-up repair after the lab stopped without shutting down (crash, kill, power loss): nothing stays "running".
//
// Policy: a run left 'running' becomes 'interrupted' with an error telling how to resume it, and its running
// train job is dropped: resuming is the user's decision (`rlab resume` enqueues a new job from the last
// checkpoint), and silently retraining on every start could loop on a run that crashes the worker.
// A running train job whose run never left 'queued' (the stop came between the two updates) is requeued.
// A running evaluate job goes back to 'queued' at its old position: an evaluation records its result in one
// transaction at the end, so nothing partial exists and running it again is safe and cheap.
// Queued jobs are left as they are.
import { writeTx, type StoreContext } from './context';

export const INTERRUPTED_MESSAGE = 'the lab stopped while this run was training; resume with `rlab resume <id>`';

export interface RecoveryReport {
  /** Runs moved from running to interrupted. */
  interruptedRuns: string[];
  /** Evaluate jobs put back in the queue. */
  requeuedJobs: string[];
  /** Train jobs removed (their runs are now interrupted, or already finished). */
  droppedJobs: string[];
}

export function makeRecovery(ctx: StoreContext): { recoverAfterCrash(): RecoveryReport } {
  const runningRuns = ctx.db.prepare<[], string>(`SELECT id FROM runs WHERE status = 'running' ORDER BY rowid`).pluck();
  const interrupt = ctx.db.prepare(`UPDATE runs SET status = 'interrupted', finished_at = ?, error = ? WHERE id = ?`);
  const runningJobs = ctx.db.prepare<[], { id: string; kind: string; run_status: string }>(
    `SELECT j.id, j.kind, r.status AS run_status FROM jobs j JOIN runs r ON r.id = j.run_id WHERE j.status = 'running' ORDER BY j.seq`,
  );
  const requeue = ctx.db.prepare(`UPDATE jobs SET status = 'queued' WHERE id = ?`);
  const drop = ctx.db.prepare('DELETE FROM jobs WHERE id = ?');

  const recoverAfterCrash = writeTx(ctx, (): RecoveryReport => {
    const jobs = runningJobs.all();
    const now = ctx.now();
    const interruptedRuns = runningRuns.all();
    for (const id of interruptedRuns) interrupt.run(now, INTERRUPTED_MESSAGE.replace('<id>', id), id);
    const requeuedJobs: string[] = [];
    const droppedJobs: string[] = [];
    for (const job of jobs) {
      if (job.kind === 'evaluate' || job.run_status === 'queued') {
        requeue.run(job.id);
        requeuedJobs.push(job.id);
      } else {
        drop.run(job.id);
        droppedJobs.push(job.id);
      }
    }
    return { interruptedRuns, requeuedJobs, droppedJobs };
  });

  return { recoverAfterCrash };
}
