// Job-level methods: cancelling one job of the queue (`rlab eval` interrupted by Ctrl-C cancels the job it queued).
import { type JobSummary, type LabParsedRequest as Req } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { type ServiceContext } from './service';

export function jobMethods(ctx: ServiceContext) {
  const { store, bus, runner } = ctx;

  /**
   * A running job is stopped through the worker's cancel path (at its next batch; what it stored so far stays) and
   * this resolves once it has ended. A queued one leaves the queue; a queued training takes its queued run along
   * (cancelled before it started). Either way its job-finished event says 'cancelled'.
   */
  async function cancelJob({ jobId }: Req<'cancelJob'>): Promise<{ job: JobSummary }> {
    const job = store.listJobs().find((j) => j.id === jobId);
    if (!job) throw new LabError('not_found', `job ${jobId} is not in the queue: it has ended already, or there never was one (\`rlab show <run>\` shows what it stored)`, 'jobId');
    const active = runner.running.find((a) => a.jobId === jobId);
    if (active) {
      await runner.cancelActive(active.runId, ctx.cancelGraceMs);
      return { job: { ...job, status: 'running' } };
    }
    if (job.status === 'running') throw new LabError('failed_precondition', `job ${jobId} is marked running, but this host is not running it; restart the host to repair the queue`, 'jobId');
    const run = store.getRunSummary(job.runId);
    const cancelledRun = store.transaction(() => {
      store.finishJob(jobId);
      return job.kind === 'train' && run.status === 'queued' ? store.setRunStatus(job.runId, 'cancelled', { error: 'cancelled by the user before it started' }) : null;
    });
    if (cancelledRun) bus.emit('run-status', { runId: cancelledRun.id, experimentId: cancelledRun.experimentId, status: cancelledRun.status, ...(cancelledRun.error ? { error: cancelledRun.error } : {}) });
    bus.emit('job-finished', { jobId, runId: job.runId, kind: job.kind, outcome: 'cancelled', evaluationIds: [], error: 'cancelled by the user before it started' });
    return { job };
  }

  return { cancelJob };
}
