// Keeps the worker's chatter bounded: progress at most ~10 messages/s, per-epoch batch points downsampled for charts.
import { type BatchMetrics, type MetricValues } from '../../../shared/contract';

/** Lets a message through when `intervalMs` has passed since the last one, or when forced (first/last batch). */
export class Throttle {
  private last = -Infinity;
  constructor(
    private readonly intervalMs = 100,
    private readonly now: () => number = () => performance.now(),
  ) {}

  ready(force = false): boolean {
    const t = this.now();
    if (!force && t - this.last < this.intervalMs) return false;
    this.last = t;
    return true;
  }
}

/**
 * Picks at most `maxPoints` batch points per epoch: every k-th batch plus the epoch's last one,
 * with k fixed up front from the epoch's batch count so the points are evenly spaced.
 */
export class BatchSampler {
  private readonly stride: number;
  private points: BatchMetrics[] = [];

  constructor(
    private readonly batchesPerEpoch: number,
    maxPoints = 100,
  ) {
    this.stride = Math.max(1, Math.ceil(batchesPerEpoch / Math.max(1, maxPoints - 1)));
  }

  /** `batch` is 1-based within the epoch. */
  add(epoch: number, batch: number, step: number, metrics: MetricValues): void {
    if (batch % this.stride === 0 || batch === this.batchesPerEpoch || batch === 1) this.points.push({ epoch, batch, step, metrics: { ...metrics } });
  }

  /** The epoch's points; resets for the next epoch. */
  take(): BatchMetrics[] {
    const out = this.points;
    this.points = [];
    return out;
  }
}

/** Running mean of each metric over an epoch, weighted by batch size (what Keras reports at epoch end). */
export class MetricMeans {
  private sums: Record<string, number> = {};
  private count = 0;

  add(metrics: MetricValues, weight: number): void {
    for (const [k, v] of Object.entries(metrics)) this.sums[k] = (this.sums[k] ?? 0) + v * weight;
    this.count += weight;
  }

  means(): MetricValues {
    const out: MetricValues = {};
    for (const [k, s] of Object.entries(this.sums)) out[k] = this.count > 0 ? s / this.count : NaN;
    return out;
  }
}

/** Seconds left, from the average time per unit of work so far; null until one unit is done. */
export function etaSeconds(startedAt: number, done: number, total: number, now = performance.now()): number | null {
  if (done <= 0 || total <= done) return done >= total ? 0 : null;
  return Math.round((((now - startedAt) / done) * (total - done)) / 1000);
}
