// What the x axis of a training curve counts: optimizer steps, epochs, or the wall time spent training. Only what the
// metrics really hold is offered: per-epoch points carry their epoch's measured duration (EpochMetrics.durationMs), so
// they can be placed on a time axis; per-batch points carry their epoch, batch and step but no time, so they cannot.
import { type BatchMetrics, type EpochMetrics } from '../../../shared/contract';
import { type Point, TRAINING_X_AXIS } from './series';

export type XAxisKind = 'step' | 'epoch' | 'time';
export type Granularity = 'epoch' | 'batch';

/** The x axes a granularity can have, in the order the picker shows them (the first is the default). */
export const X_AXIS_KINDS: Record<Granularity, readonly XAxisKind[]> = { batch: ['step', 'epoch', 'time'], epoch: ['epoch', 'time'] };

export const X_AXIS_NAME: Record<XAxisKind, string> = { step: 'Step', epoch: 'Epoch', time: 'Wall time' };

export interface XAxisChoice {
  kind: XAxisKind;
  /** Shown on the picker's button. */
  name: string;
  available: boolean;
  /** What the choice plots, or why it is not offered (the button's title). */
  title: string;
}

/**
 * Optimizer steps per epoch of a run, from its batch points: the worker numbers steps on across epochs (step = (epoch −
 * 1) · perEpoch + batch), so any point after the first epoch gives it exactly. With points of the first epoch only, its
 * last point is its last batch (the sampler always keeps it) once that epoch has finished; before that it is unknown.
 */
export function batchesPerEpoch(batches: readonly BatchMetrics[], finishedEpochs: number): number | null {
  for (const b of batches) {
    if (b.epoch >= 2) {
      const n = (b.step - b.batch) / (b.epoch - 1);
      if (Number.isFinite(n) && n > 0) return n;
    }
  }
  if (finishedEpochs < 1) return null;
  const first = batches.filter((b) => b.epoch === 1);
  if (first.length === 0) return null;
  const n = Math.max(...first.map((b) => b.batch));
  return n > 0 ? n : null;
}

/** Each epoch's end as wall time spent training (ms, summed epoch durations in epoch order); null if any is unmeasured. */
export function epochEndTimes(epochs: readonly EpochMetrics[]): Map<number, number> | null {
  if (epochs.length === 0) return null;
  const sorted = [...epochs].sort((a, b) => a.epoch - b.epoch);
  if (sorted.some((e) => !Number.isFinite(e.durationMs) || e.durationMs <= 0)) return null;
  const out = new Map<number, number>();
  let t = 0;
  for (const e of sorted) {
    t += e.durationMs;
    out.set(e.epoch, t);
  }
  return out;
}

export interface TimeUnit {
  unit: 's' | 'min' | 'h';
  ms: number;
}

/** Seconds up to 2 minutes of training, minutes up to 2 hours, then hours. */
export function timeUnit(maxMs: number): TimeUnit {
  if (maxMs >= 2 * 3_600_000) return { unit: 'h', ms: 3_600_000 };
  if (maxMs >= 2 * 60_000) return { unit: 'min', ms: 60_000 };
  return { unit: 's', ms: 1000 };
}

/** The axis title of each kind ("wall time (min, training only)" names the unit the data needs). */
export function xAxisLabel(kind: XAxisKind, unit: TimeUnit['unit'] = 's'): string {
  if (kind === 'step') return TRAINING_X_AXIS.batch;
  if (kind === 'epoch') return TRAINING_X_AXIS.epoch;
  return `wall time (${unit}, training only)`;
}

/** A run's metrics, as the x mapping needs them. */
export interface RunMetrics {
  batches: readonly BatchMetrics[];
  epochs: readonly EpochMetrics[];
}

/** x of a batch point on each axis; null when the axis is not known for this run. */
export function batchX(run: RunMetrics, kind: XAxisKind): ((b: BatchMetrics) => number) | null {
  if (kind === 'step') return (b) => b.step;
  if (kind === 'time') return null;
  const perEpoch = batchesPerEpoch(run.batches, run.epochs.length);
  // epochs trained when the batch was: its epoch's start plus the part of it done
  return perEpoch === null ? null : (b) => b.epoch - 1 + b.batch / perEpoch;
}

/** x of an epoch point on each axis (time in ms); null when the axis is not known for this run. */
export function epochX(run: Pick<RunMetrics, 'epochs'>, kind: XAxisKind): ((e: EpochMetrics) => number) | null {
  if (kind === 'epoch') return (e) => e.epoch;
  if (kind === 'step') return null;
  const ends = epochEndTimes(run.epochs);
  return ends === null ? null : (e) => ends.get(e.epoch) ?? NaN;
}

/** What each x axis of a granularity would plot for these runs: available only where every run has it. */
export function xAxisChoices(granularity: Granularity, runs: readonly RunMetrics[]): XAxisChoice[] {
  return X_AXIS_KINDS[granularity].map((kind) => {
    const name = X_AXIS_NAME[kind];
    if (granularity === 'batch' && kind === 'time') return { kind, name, available: false, title: 'Per-batch points carry no time (only their epoch and step): wall time is shown per epoch' };
    if (granularity === 'batch' && kind === 'step') return { kind, name, available: true, title: 'Optimizer steps (one per batch)' };
    if (granularity === 'epoch' && kind === 'epoch') return { kind, name, available: true, title: 'Finished epochs' };
    const known = runs.length > 0 && runs.every((r) => (granularity === 'batch' ? batchX(r, kind) : epochX(r, kind)) !== null);
    if (kind === 'epoch')
      return known
        ? { kind, name, available: true, title: 'Epochs trained (fractional: a batch point sits at its share of its epoch)' }
        : { kind, name, available: false, title: 'Batches per epoch are known once a run has finished its first epoch' };
    return known
      ? { kind, name, available: true, title: 'Wall time spent training at the end of each epoch (measured epoch durations, summed; waiting and evaluations not counted)' }
      : { kind, name, available: false, title: 'No measured epoch durations yet' };
  });
}

/** The chosen kind if it is available, else the granularity's default. */
export function effectiveXAxis(choices: readonly XAxisChoice[], chosen: XAxisKind): XAxisKind {
  return choices.find((c) => c.kind === chosen && c.available)?.kind ?? choices[0]!.kind;
}

/** The time unit that suits the longest run's training time (seconds when there is no time axis). */
export function timeUnitFor(runs: readonly Pick<RunMetrics, 'epochs'>[]): TimeUnit {
  const max = Math.max(0, ...runs.map((r) => Math.max(0, ...(epochEndTimes(r.epochs)?.values() ?? []))));
  return timeUnit(max);
}

/** Points of one metric over batches on an x axis; missing or non-finite values (and unknown x) are skipped. */
export function batchPointsOn(run: RunMetrics, key: string, kind: XAxisKind): Point[] {
  const x = batchX(run, kind);
  if (x === null) return [];
  return pointsOf(run.batches, key, x);
}

/** Points of one metric over epochs on an x axis (time in `unit`); missing or non-finite values are skipped. */
export function epochPointsOn(run: Pick<RunMetrics, 'epochs'>, key: string, kind: XAxisKind, unit: TimeUnit = { unit: 's', ms: 1000 }): Point[] {
  const x = epochX(run, kind);
  if (x === null) return [];
  return pointsOf(run.epochs, key, kind === 'time' ? (e) => x(e) / unit.ms : x);
}

function pointsOf<T extends { metrics: Record<string, number> }>(rows: readonly T[], key: string, x: (r: T) => number): Point[] {
  const out: Point[] = [];
  for (const r of rows) {
    const y = r.metrics[key];
    const px = x(r);
    if (typeof y === 'number' && Number.isFinite(y) && Number.isFinite(px)) out.push({ x: px, y });
  }
  return out;
}
