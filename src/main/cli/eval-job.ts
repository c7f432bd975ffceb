// Follows one evaluation job `rlab eval` queued: a progress bar while it runs, the evaluations it stored when it ends,
// and Ctrl-C cancelling that job (a queued one leaves the queue, a running one stops with what it measured kept).
import { type EvaluationRecord, type JobFinishedEvent, type ProgressEvent } from '../../shared/contract';
import { type LabError } from '../../shared/errors';
import { toLabError } from '../../shared/make-lab-api';
import { type CliContext, type CliLab } from './context';
import { ProgressBar } from './progress';

export interface FollowedJob {
  /** The evaluations the job stored, from its job-finished event (or those stored before a cancel). */
  added: EvaluationRecord[];
  errors: string[];
  /** How the job ended; null when Ctrl-C came first. */
  outcome: JobFinishedEvent['outcome'] | null;
  /** The signal that cancelled it, or null. */
  interrupted: string | null;
}

export interface FollowOptions {
  runId: string;
  /** The progress bar's label, e.g. "pgd run_ab12". */
  label: string;
  json: boolean;
  /** How many ε the job measures, for the cancel message; null when the job itself decides (a run's own suite). */
  planned: number | null;
  /** Queues the job (called once the events are subscribed, so none is missed). */
  queue(lab: CliLab): Promise<{ jobId: string }>;
}

export async function followEvaluationJob(lab: CliLab, ctx: CliContext, opts: FollowOptions): Promise<FollowedJob> {
  const { runId, json } = opts;
  const errors: string[] = [];
  // job-finished events by job id: one may arrive before queue() has told us our job's id
  const finished = new Map<string, JobFinishedEvent>();
  let wake: (() => void) | null = null;
  const bar = new ProgressBar({ write: (t) => ctx.io.err(t), isTTY: ctx.io.errIsTTY, columns: ctx.io.columns }, opts.label);
  let barUsed = false;
  let interrupted: string | null = null;
  const offs = [
    lab.onProgress((e: ProgressEvent) => {
      if (e.runId !== runId || e.phase !== 'evaluate' || json || interrupted !== null) return;
      barUsed = true;
      bar.update(e);
    }),
    lab.onJobFinished((e) => {
      if (e.runId !== runId) return;
      finished.set(e.jobId, e);
      wake?.();
    }),
    lab.onLog((e) => {
      if (e.runId === runId && e.level === 'error') errors.push(e.message);
    }),
  ];
  let lost: LabError | null = null;
  const offLost = lab.onLost?.((err) => {
    lost = err;
    wake?.();
  });
  // Ctrl-C cancels the job this command queued (unlike `rlab watch`, which only follows a run)
  const offInterrupt = ctx.onInterrupt((signal) => {
    interrupted ??= signal;
    wake?.();
  });
  const storedBy = async (ids: readonly number[]): Promise<EvaluationRecord[]> => {
    const wanted = new Set(ids);
    return (await lab.listEvaluations({ runId })).filter((e) => wanted.has(e.id));
  };
  try {
    const { jobId } = await opts.queue(lab);
    // the host says when the job ends, successfully or not, and which evaluations it stored: they are the result
    while (!finished.has(jobId)) {
      if (lost) throw lost;
      if (interrupted !== null) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    wake = null;
    if (barUsed) bar.done();
    if (interrupted !== null && !finished.has(jobId)) {
      ctx.io.err(`\ncancelling evaluation job ${jobId} of ${runId}${lab.hostedBy ? ` on ${lab.hostedBy}` : ''} (Ctrl-C again is ignored while it stops)...\n`);
      const cancelled = await lab.cancelJob({ jobId }).then(
        (r) => r.job,
        // it ended on its own meanwhile: its job-finished event says how
        (err: unknown) => (toLabError(err).code === 'not_found' ? null : Promise.reject(err)),
      );
      const added = await storedBy(finished.get(jobId)?.evaluationIds ?? []);
      const done = opts.planned === null ? `${added.length} evaluation${added.length === 1 ? '' : 's'} had finished` : `${added.length} of ${opts.planned} ε had finished`;
      const what = cancelled
        ? `cancelled evaluation job ${jobId} of ${runId} (it was ${cancelled.status}); ${done} and stay stored`
        : `evaluation job ${jobId} of ${runId} had already ended (${finished.get(jobId)?.outcome ?? 'ended'}) when Ctrl-C came`;
      return { added, errors: [...errors, what], outcome: finished.get(jobId)?.outcome ?? null, interrupted };
    }
    const end = finished.get(jobId)!;
    // the host's log line for a failed job already carries its error; say it once
    const why = end.error;
    if (end.outcome !== 'completed' && why !== undefined && !errors.some((e) => e.includes(why))) errors.push(why);
    return { added: await storedBy(end.evaluationIds), errors, outcome: end.outcome, interrupted: null };
  } finally {
    for (const off of offs) off();
    offLost?.();
    offInterrupt();
  }
}
