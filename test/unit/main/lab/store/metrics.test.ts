// Training metrics: one epoch recorded atomically with its batch points, downsampling, and non-finite values.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BatchMetrics } from '../../../../../src/shared/contract';
import { MAX_BATCH_POINTS, downsampleBatches, type Store } from '../../../../../src/main/lab/store';
import { cleanup, createExperiment, makeTempDir, openTemp } from './helpers';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = makeTempDir();
  store = openTemp(dir);
});
afterEach(() => {
  store.close();
  cleanup(dir);
});

function points(epoch: number, batches: number, batchesPerEpoch = batches): BatchMetrics[] {
  return Array.from({ length: batches }, (_, batch) => ({ epoch, batch, step: epoch * batchesPerEpoch + batch, metrics: { loss: 1 / (batch + 1) } }));
}

describe('recordEpoch', () => {
  it('stores the epoch row, its batch points and epochs_done', () => {
    const { runIds } = createExperiment(store, { hparams: { epochs: 2 } }, ['adv']);
    const id = runIds[0];
    const metrics = { loss: 0.5, sparse_categorical_crossentropy: 0.4, scaled_adversarial_loss: 0.1, sparse_categorical_accuracy: 0.9 };
    expect(store.recordEpoch(id, 0, metrics, 1234, points(0, 5))).toEqual({ epochsDone: 1, batchPointsKept: 5 });
    store.recordEpoch(id, 1, { loss: 0.3 }, 1000, points(1, 5));
    const m = store.getMetrics(id);
    expect(m.epochs).toEqual([{ epoch: 0, metrics, durationMs: 1234 }, { epoch: 1, metrics: { loss: 0.3 }, durationMs: 1000 }]);
    expect(m.batches.map((b) => b.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(store.getMetrics(id, 'epoch').batches).toEqual([]);
    expect(store.getRunSummary(id).epochsDone).toBe(2);
    expect(store.getRun(id).epochMetrics).toHaveLength(2);
  });

  it('recording an epoch again replaces it instead of counting it twice', () => {
    const { runIds } = createExperiment(store, { hparams: { epochs: 3 } }, ['base']);
    store.recordEpoch(runIds[0], 0, { loss: 1 }, 10, points(0, 4));
    expect(store.recordEpoch(runIds[0], 0, { loss: 0.9 }, 11, points(0, 2)).epochsDone).toBe(1);
    const m = store.getMetrics(runIds[0]);
    expect(m.epochs).toEqual([{ epoch: 0, metrics: { loss: 0.9 }, durationMs: 11 }]);
    expect(m.batches).toHaveLength(2);
  });

  it('keeps NaN and infinite metric values as numbers', () => {
    const { runIds } = createExperiment(store, {}, ['base']);
    store.recordEpoch(runIds[0], 0, { loss: Number.NaN, grad: Number.POSITIVE_INFINITY, low: Number.NEGATIVE_INFINITY }, 5, [{ epoch: 0, batch: 0, step: 0, metrics: { loss: Number.NaN } }]);
    const m = store.getMetrics(runIds[0]);
    expect(m.epochs[0].metrics).toEqual({ loss: Number.NaN, grad: Number.POSITIVE_INFINITY, low: Number.NEGATIVE_INFINITY });
    expect(Number.isNaN(m.batches[0].metrics.loss)).toBe(true);
  });

  it('refuses bad input naming the field, and unknown runs', () => {
    const { runIds } = createExperiment(store, {}, ['base']);
    expect(() => store.recordEpoch(runIds[0], -1, {}, 1, [])).toThrow(expect.objectContaining({ code: 'invalid_argument', field: 'epoch' }));
    expect(() => store.recordEpoch(runIds[0], 0, { loss: '1' as unknown as number }, 1, [])).toThrow(expect.objectContaining({ field: 'metrics.loss' }));
    expect(() => store.recordEpoch(runIds[0], 0, {}, -5, [])).toThrow(expect.objectContaining({ field: 'durationMs' }));
    expect(() => store.recordEpoch(runIds[0], 0, {}, 1, points(1, 1))).toThrow(expect.objectContaining({ field: 'batchPoints[0].epoch' }));
    expect(() => store.recordEpoch('run_gone', 0, {}, 1, [])).toThrow(expect.objectContaining({ code: 'not_found' }));
  });

  it('is atomic: a failure while inserting batch points leaves no epoch row, no points and epochs_done unchanged', () => {
    const { runIds } = createExperiment(store, { hparams: { epochs: 4 } }, ['base']);
    const id = runIds[0];
    store.recordEpoch(id, 0, { loss: 1 }, 10, points(0, 10));
    // A second connection installs a trigger that fails the 8th batch insert: a real SQL error in the
    // middle of recordEpoch's transaction, after the epoch row and seven points were written.
    const saboteur = new Database(store.file);
    saboteur.exec(`CREATE TRIGGER fail_batch BEFORE INSERT ON metrics_batch WHEN NEW.epoch = 1 AND NEW.batch = 7 BEGIN SELECT RAISE(ABORT, 'simulated failure'); END`);
    expect(() => store.recordEpoch(id, 1, { loss: 0.5 }, 10, points(1, 10, 10))).toThrow(/simulated failure/);
    saboteur.exec('DROP TRIGGER fail_batch');
    saboteur.close();

    const m = store.getMetrics(id);
    expect(m.epochs.map((e) => e.epoch)).toEqual([0]);
    expect(m.batches.every((b) => b.epoch === 0)).toBe(true);
    expect(m.batches).toHaveLength(10);
    expect(store.getRunSummary(id).epochsDone).toBe(1);
    // The store still works after the rollback.
    expect(store.recordEpoch(id, 1, { loss: 0.5 }, 10, points(1, 10, 10)).epochsDone).toBe(2);
  });
});

describe('batch downsampling', () => {
  it('keeps every k-th point so a whole run stays within MAX_BATCH_POINTS', () => {
    const epochs = 3;
    const { runIds } = createExperiment(store, { hparams: { epochs } }, ['base']);
    const perEpoch = 1875; // 60,000 images / batch 32
    let kept = 0;
    for (let e = 0; e < epochs; e++) kept += store.recordEpoch(runIds[0], e, { loss: 1 }, 1, points(e, perEpoch)).batchPointsKept;
    const { batches } = store.getMetrics(runIds[0]);
    expect(batches).toHaveLength(kept);
    expect(kept).toBeLessThanOrEqual(MAX_BATCH_POINTS);
    // floor(2000 / 3) = 666 allowed per epoch → stride ceil(1875 / 666) = 3 → 625 points per epoch.
    expect(kept).toBe(3 * 625);
    expect(batches.slice(0, 3).map((b) => b.batch)).toEqual([0, 3, 6]);
  });

  it('downsampleBatches keeps everything that fits and at least one point per epoch', () => {
    const items = Array.from({ length: 10 }, (_, i) => i);
    expect(downsampleBatches(items, 1)).toEqual(items);
    expect(downsampleBatches(items, 1, 4)).toEqual([0, 3, 6, 9]);
    expect(downsampleBatches(items, 5000)).toEqual([0]);
    expect(downsampleBatches([], 3)).toEqual([]);
  });
});
