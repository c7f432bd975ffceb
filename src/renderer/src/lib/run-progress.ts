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
