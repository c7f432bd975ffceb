// Pure helpers behind the Run page's live data: merging streamed batches, epochs, and the progress fraction.
import { type BatchMetrics, type EpochMetrics, type ProgressEvent } from '../../../shared/contract';

/** Adds `incoming` points the loaded list does not have yet (events can arrive while a load is in flight). */
export function mergeBatches(loaded: readonly BatchMetrics[], incoming: readonly BatchMetrics[]): BatchMetrics[] {
  let last = loaded.length ? loaded[loaded.length - 1]!.step : -Infinity;
  const out = [...loaded];
  for (const b of incoming) {
    if (b.step > last) {
      out.push(b);
      last = b.step;
    }
  }
  return out;
}

/** Replaces or inserts one epoch, keeping epochs in order. */
export function upsertEpoch(epochs: readonly EpochMetrics[], e: EpochMetrics): EpochMetrics[] {
  return [...epochs.filter((x) => x.epoch !== e.epoch), e].sort((a, b) => a.epoch - b.epoch);
}

/** Fraction of the job done from a progress event: epochs and batches within the epoch (evaluation: its batches). */
export function progressFraction(p: ProgressEvent): number {
  if (p.batches <= 0) return 0;
  if (p.phase === 'evaluate') return Math.min(1, p.batch / p.batches);
  if (p.epochs <= 0) return 0;
  return Math.min(1, ((Math.max(1, p.epoch) - 1) * p.batches + p.batch) / (p.epochs * p.batches));
}

/** The last epoch the store holds batch points or metrics for (0: none). */
function lastEpochOf(points: readonly { epoch: number }[]): number {
  return points.reduce((m, p) => Math.max(m, p.epoch), 0);
}

/**
 * The chart's batch points: the store's points (finished epochs, as the store sampled them), then the live points of
 * the epoch still training, which the store does not have yet. A live point of an epoch the store already holds is
 * dropped: the stored sample replaces it, so a finished epoch reads the same live and after a reload.
 */
export function liveBatches(stored: readonly BatchMetrics[], live: readonly BatchMetrics[], storedEpochs = 0): BatchMetrics[] {
  const lastEpoch = Math.max(storedEpochs, lastEpochOf(stored));
  const lastStep = stored.length ? stored[stored.length - 1]!.step : -Infinity;
  const tail = mergeBatches([], live.filter((b) => b.epoch > lastEpoch && b.step > lastStep));
  return tail.length ? [...stored, ...tail] : [...stored];
}

/** The live points still to keep once the store holds `stored` (those of epochs it has not recorded yet). */
export function pruneLive(live: readonly BatchMetrics[], stored: readonly BatchMetrics[], storedEpochs = 0): BatchMetrics[] {
  const lastEpoch = Math.max(storedEpochs, lastEpochOf(stored));
  return live.filter((b) => b.epoch > lastEpoch);
}

/** Epochs done, one number for the whole page: what the store recorded (the run's count, or epoch-end events seen since). */
export function epochsDoneOf(run: { epochsDone: number }, epochs: readonly { epoch: number }[]): number {
  return Math.max(run.epochsDone, lastEpochOf(epochs));
}

/**
 * The progress bar of a training run, from the same "epochs done" as the Epochs card: an epoch counts only once the
 * store has it (metrics and checkpoint), so the bar stops just short of it while its last batch is being recorded.
 */
export function trainingProgress(p: ProgressEvent, epochsDone: number): { fraction: number; label: string } {
  if (p.phase === 'evaluate') return { fraction: progressFraction(p), label: `Evaluating · batch ${p.batch}/${p.batches}` };
  const epochs = Math.max(1, p.epochs);
  const done = Math.min(epochsDone, epochs);
  const current = p.epoch > done && p.batches > 0 ? Math.min(1, p.batch / p.batches) : 0;
  const fraction = done >= epochs ? 1 : Math.min((done + current) / epochs, (done + 0.99) / epochs);
  const within = p.epoch > done ? ` · epoch ${p.epoch}: batch ${p.batch}/${p.batches}` : '';
  return { fraction, label: `Training · ${done}/${p.epochs} epochs done${within}` };
}

/** What an empty training chart says, by the run's status: waiting only while the run may still produce points. */
export function emptyChartText(status: string, error: string | null, what: 'batches' | 'epochs'): string {
  const none = what === 'batches' ? 'No batches were recorded' : 'No epoch finished';
  switch (status) {
    case 'failed':
      return `${none}: the run failed${error ? ` (${error})` : ''}`;
    case 'cancelled':
      return `${none} before the run was cancelled`;
    case 'interrupted':
      return `${none} before the run was interrupted`;
    case 'completed':
      return what === 'batches' ? 'This run has no batch points' : 'This run has no epoch metrics';
    default:
      return what === 'batches' ? 'Waiting for the first batches…' : 'No finished epoch yet';
  }
}

/** Statuses the lab's resumeRun takes: training continues after the last finished epoch (or from the start). */
export const RESUMABLE_STATUSES: ReadonlySet<string> = new Set(['interrupted', 'failed', 'cancelled']);

const STATUS_WORDS: Readonly<Record<string, string>> = { failed: 'failed', cancelled: 'was cancelled', interrupted: 'was interrupted' };

/** The banner of a run that ended with a message; on a page with a Resume button, the CLI's "resume with `rlab resume …`" becomes that button. */
export function runErrorText(status: string, error: string, resumable: boolean): string {
  const message = resumable ? error.replace(/[;,.]?\s*resume (it )?with `rlab resume [^`]*`/i, '') : error;
  const hint = resumable && message !== error ? '. Resume continues it after its last finished epoch.' : '';
  return `This run ${STATUS_WORDS[status] ?? status}: ${message}${hint}`;
}

/** What the evaluation helpers read of a run (a run without `epochsDone` finished none). */
type RunForEvaluation = { status: string; epochsDone?: number; kind?: string; artifacts: readonly { kind: string }[] };

/**
 * The epoch whose checkpoint the run page offers to evaluate ("Evaluate epoch N", the lab's evaluateCheckpoint): a
 * stopped run that finished an epoch but has no model; null otherwise.
 */
export function checkpointToEvaluate(run: RunForEvaluation): number | null {
  const epochs = run.epochsDone ?? 0;
  if (run.kind === 'imported' || !RESUMABLE_STATUSES.has(run.status) || epochs < 1) return null;
  return run.artifacts.some((a) => a.kind === 'model') ? null : epochs;
}

/** What the evaluations panel says while a run has none: the attack suite runs only after training that finishes. */
export function evaluationsEmptyText(run: RunForEvaluation): string {
  const hasModel = run.artifacts.some((a) => a.kind === 'model');
  if (run.status === 'queued' || run.status === 'running') return 'No evaluations yet: the attack suite runs after training.';
  if (run.status === 'completed') return 'No evaluations.';
  if (!hasModel) {
    const epoch = checkpointToEvaluate(run);
    if (epoch !== null) {
      return `No evaluations: training did not finish, so there is no final model to attack. Resuming it finishes training, and its attack suite then runs; or evaluate epoch ${epoch} to run the suite on that epoch's checkpoint now (its numbers are marked "epoch ${epoch} checkpoint").`;
    }
    const resume = RESUMABLE_STATUSES.has(run.status) ? ' Resuming it finishes training, and its attack suite then runs.' : '';
    return `No evaluations: training did not finish, so there is no model to attack.${resume}`;
  }
  return `No evaluations: the run ${STATUS_WORDS[run.status] ?? run.status} before its attack suite ran.`;
}
