// Per-epoch and per-batch training metrics: recording one finished epoch atomically, and reading them back for charts.
//
// Batch points are downsampled so a run keeps at most MAX_BATCH_POINTS of them, however long it trains:
// each epoch may keep floor(MAX_BATCH_POINTS / epochs) points (at least 1), taken as every k-th point the
// worker reported for that epoch, starting with the first, k = ceil(reported / allowed). The stride is fixed
// per epoch rather than per run because the number of batches of later epochs is not known yet, and it keeps
// the chart evenly dense across epochs.
import type { BatchMetrics, EpochMetrics, MetricValues } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { checkMetricValues, decodeNumbers, encodeJson } from './codec';
import { writeTx, type StoreContext } from './context';
import { makeRunStateReader } from './run-queries';

export const MAX_BATCH_POINTS = 2000;

export interface EpochRecordResult {
  epochsDone: number;
  /** Batch points of this epoch that were kept after downsampling. */
  batchPointsKept: number;
}

export interface MetricsRepo {
  /**
   * Stores one finished epoch: its metrics row, its (downsampled) batch points and the run's epochs_done,
   * in one transaction. Recording an epoch again replaces it (a run resumed from an earlier checkpoint).
   */
  recordEpoch(runId: string, epoch: number, metrics: MetricValues, durationMs: number, batchPoints: readonly BatchMetrics[]): EpochRecordResult;
  /** Epoch metrics in epoch order; with granularity 'batch' (the default) also the stored batch points in step order. */
  getMetrics(runId: string, granularity?: 'batch' | 'epoch'): { runId: string; epochs: EpochMetrics[]; batches: BatchMetrics[] };
}

/** The points kept from one epoch's `points` when a run of `epochs` epochs may keep `maxPoints` in all. */
export function downsampleBatches<T>(points: readonly T[], epochs: number, maxPoints = MAX_BATCH_POINTS): T[] {
  const perEpoch = Math.max(1, Math.floor(maxPoints / Math.max(1, epochs)));
  const stride = Math.max(1, Math.ceil(points.length / perEpoch));
  return points.filter((_p, i) => i % stride === 0);
}

function checkIndex(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new LabError('invalid_argument', `${field} must be an integer ≥ 0 (got ${String(value)})`, field);
}

function checkPoints(epoch: number, points: readonly BatchMetrics[]): void {
  if (!Array.isArray(points)) throw new LabError('invalid_argument', 'batchPoints must be a list', 'batchPoints');
  points.forEach((p, i) => {
    const field = `batchPoints[${i}]`;
    if (p.epoch !== epoch) throw new LabError('invalid_argument', `${field}.epoch must equal the recorded epoch ${epoch} (got ${String(p.epoch)})`, `${field}.epoch`);
    checkIndex(p.batch, `${field}.batch`);
    checkIndex(p.step, `${field}.step`);
    checkMetricValues(p.metrics, `${field}.metrics`);
  });
}

export function makeMetricsRepo(ctx: StoreContext): MetricsRepo {
  const readState = makeRunStateReader(ctx);
  const upsertEpoch = ctx.db.prepare('INSERT OR REPLACE INTO metrics_epoch (run_id, epoch, metrics, duration_ms) VALUES (?, ?, ?, ?)');
  const clearBatches = ctx.db.prepare('DELETE FROM metrics_batch WHERE run_id = ? AND epoch = ?');
  const insertBatch = ctx.db.prepare('INSERT OR REPLACE INTO metrics_batch (run_id, epoch, batch, step, metrics) VALUES (?, ?, ?, ?, ?)');
  const countEpochs = ctx.db.prepare<[string], number>('SELECT count(*) FROM metrics_epoch WHERE run_id = ?').pluck();
  const setEpochsDone = ctx.db.prepare('UPDATE runs SET epochs_done = ? WHERE id = ?');
  const epochRows = ctx.db.prepare<[string], { epoch: number; metrics: string; duration_ms: number }>(
    'SELECT epoch, metrics, duration_ms FROM metrics_epoch WHERE run_id = ? ORDER BY epoch',
  );
  const batchRows = ctx.db.prepare<[string], { epoch: number; batch: number; step: number; metrics: string }>(
    'SELECT epoch, batch, step, metrics FROM metrics_batch WHERE run_id = ? ORDER BY epoch, batch',
  );

  const recordEpoch = writeTx(
    ctx,
    (runId: string, epoch: number, metrics: MetricValues, durationMs: number, batchPoints: readonly BatchMetrics[]): EpochRecordResult => {
      checkIndex(epoch, 'epoch');
      checkMetricValues(metrics, 'metrics');
      if (typeof durationMs !== 'number' || !Number.isFinite(durationMs) || durationMs < 0) {
        throw new LabError('invalid_argument', `durationMs must be a finite number ≥ 0 (got ${String(durationMs)})`, 'durationMs');
      }
      checkPoints(epoch, batchPoints);
      const run = readState(runId);
      upsertEpoch.run(runId, epoch, encodeJson(metrics), durationMs);
      clearBatches.run(runId, epoch);
      const kept = downsampleBatches(batchPoints, run.epochs);
      for (const p of kept) insertBatch.run(runId, epoch, p.batch, p.step, encodeJson(p.metrics));
      // Counting rows rather than adding one keeps epochs_done right when an epoch is recorded twice.
      const epochsDone = countEpochs.get(runId) ?? 0;
      setEpochsDone.run(epochsDone, runId);
      return { epochsDone, batchPointsKept: kept.length };
    },
  );

  function getMetrics(runId: string, granularity: 'batch' | 'epoch' = 'batch') {
    readState(runId);
    const epochs = epochRows.all(runId).map((r) => ({ epoch: r.epoch, metrics: decodeNumbers<MetricValues>(r.metrics), durationMs: r.duration_ms }));
    const batches =
      granularity === 'batch'
        ? batchRows.all(runId).map((r) => ({ epoch: r.epoch, batch: r.batch, step: r.step, metrics: decodeNumbers<MetricValues>(r.metrics) }))
        : [];
    return { runId, epochs, batches };
  }

  return { recordEpoch, getMetrics };
}
