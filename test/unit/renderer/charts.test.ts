// Chart data: EMA smoothing, metric series, and accuracy-vs-ε curves with white-box and transfer kept apart.
import { describe, expect, it } from 'vitest';
import { type BatchMetrics, type EvaluationRecord } from '../../../src/shared/contract';
import { evalCurves, evalSeries } from '../../../src/renderer/src/charts/eval-series';
import { tickLabel, xAxisTitle } from '../../../src/renderer/src/charts/line-chart';
import { BATCH_METRICS, batchPoints, epochChartGroups, metricInfo, metricKeys, smoothedPair, TRAINING_X_AXIS } from '../../../src/renderer/src/charts/series';
import { DEFENCE_METHODS } from '../../../src/shared/defences';
import { emaSmooth } from '../../../src/renderer/src/lib/smoothing';

describe('emaSmooth', () => {
  it('is debiased: starts at the first value and keeps a constant series constant', () => {
    expect(emaSmooth([5, 5, 5], 0.9).map((v) => Number(v.toFixed(10)))).toEqual([5, 5, 5]);
    expect(emaSmooth([2, 4], 0.5)[0]).toBe(2);
    // s1 = 0.5·2 = 1 → 1/(1−0.5) = 2; s2 = 0.5·1 + 0.5·4 = 2.5 → 2.5/(1−0.25) = 10/3
    expect(emaSmooth([2, 4], 0.5)[1]).toBeCloseTo(10 / 3, 12);
  });

  it('returns the data unchanged at weight 0 and passes non-finite values through untouched', () => {
    expect(emaSmooth([1, 3, 2], 0)).toEqual([1, 3, 2]);
    const s = emaSmooth([1, NaN, 1], 0.5);
    expect(Number.isNaN(s[1])).toBe(true);
    expect(s[2]).toBeCloseTo(1, 12);
  });
});

describe('series', () => {
  const batches: BatchMetrics[] = [
    { epoch: 1, batch: 1, step: 1, metrics: { loss: 2, sparse_categorical_accuracy: 0.1, extra: 1 } },
    { epoch: 1, batch: 2, step: 2, metrics: { loss: Number.NaN, sparse_categorical_accuracy: 0.2 } },
    { epoch: 1, batch: 3, step: 3, metrics: { loss: 1, sparse_categorical_accuracy: 0.3 } },
  ];

  it('skips missing or non-finite values and lists NSL metrics first', () => {
    expect(batchPoints(batches, 'loss')).toEqual([{ x: 1, y: 2 }, { x: 3, y: 1 }]);
    expect(metricKeys(batches)).toEqual(['loss', 'sparse_categorical_accuracy', 'extra']);
  });

  it('draws the raw curve faintly behind the smoothed one, and only the raw one without smoothing', () => {
    const pair = smoothedPair(batchPoints(batches, 'loss'), 0.5, 'Loss', '#000');
    expect(pair.map((s) => s.faint ?? false)).toEqual([true, false]);
    expect(smoothedPair(batchPoints(batches, 'loss'), 0, 'Loss', '#000')).toHaveLength(1);
  });

  it("titles the loss and adversarial term by what the run's defence puts in them, and leaves accuracy alone", () => {
    expect(metricInfo('loss').label).toBe('Loss (labeled + multiplier · adversarial)');
    expect(metricInfo('loss', 'nsl').label).toBe('Loss (labeled + multiplier · adversarial)');
    expect(metricInfo('loss', 'pgd-at').label).toBe('Loss (cross-entropy on the PGD point)');
    expect(metricInfo('scaled_adversarial_loss', 'trades').label).toBe('β · KL(p(x) ‖ p(x′))');
    expect(metricInfo('loss', 'standard').label).toBe('Loss (cross-entropy on clean images)');
    for (const m of DEFENCE_METHODS) {
      expect(metricInfo('sparse_categorical_accuracy', m)).toEqual(metricInfo('sparse_categorical_accuracy'));
      expect(metricInfo('loss', m).unit).toBe('loss');
    }
    expect(metricInfo('loss', 'mixed').label).toBe("Loss (each run's own defence)");
    expect(metricInfo('sparse_categorical_accuracy', 'mixed')).toEqual(metricInfo('sparse_categorical_accuracy'));
    const titles = DEFENCE_METHODS.map((m) => metricInfo('loss', m).label);
    expect(new Set(titles).size).toBe(DEFENCE_METHODS.length);
  });

  it('names the training accuracy as training (not test) accuracy, whatever the defence', () => {
    expect(metricInfo('sparse_categorical_accuracy')).toEqual({ key: 'sparse_categorical_accuracy', label: 'Training accuracy', unit: 'fraction' });
    for (const m of [...DEFENCE_METHODS, 'mixed' as const]) expect(metricInfo('sparse_categorical_accuracy', m).label).toBe('Training accuracy');
  });

  it('titles the per-epoch test curves with what they measure and on how many test images', () => {
    expect(metricInfo('val_accuracy')).toMatchObject({ label: 'Test accuracy (clean, first 1,000 test images)', unit: 'fraction' });
    expect(metricInfo('val_loss')).toMatchObject({ label: 'Test loss (clean cross-entropy, first 1,000 test images)', unit: 'loss' });
    for (const m of [...DEFENCE_METHODS, 'mixed' as const]) {
      expect(metricInfo('val_accuracy', m).label).toBe('Test accuracy (clean, first 1,000 test images)');
      expect(metricInfo('val_loss', m).label).toBe('Test loss (clean cross-entropy, first 1,000 test images)');
    }
    // never in a per-batch point; known keys, so listed right after the training ones
    expect(BATCH_METRICS.map((m) => m.key)).not.toContain('val_accuracy');
    expect(BATCH_METRICS.map((m) => m.key)).not.toContain('val_loss');
    expect(metricKeys([{ metrics: { extra: 1, val_loss: 1, val_accuracy: 0.5, loss: 1, sparse_categorical_accuracy: 0.6 } }])).toEqual(['loss', 'sparse_categorical_accuracy', 'val_accuracy', 'val_loss', 'extra']);
  });

  it('overlays test accuracy on the training accuracy chart of a run, when the run has both', () => {
    expect(epochChartGroups(['loss', 'sparse_categorical_accuracy', 'val_accuracy', 'val_loss'])).toEqual([
      { key: 'loss', keys: ['loss'] },
      { key: 'sparse_categorical_accuracy', keys: ['sparse_categorical_accuracy', 'val_accuracy'] },
      { key: 'val_loss', keys: ['val_loss'] },
    ]);
    expect(epochChartGroups(['loss', 'val_accuracy'])).toEqual([{ key: 'loss', keys: ['loss'] }, { key: 'val_accuracy', keys: ['val_accuracy'] }]);
  });

  it('titles the x axis of training curves by what it counts at each granularity', () => {
    expect(TRAINING_X_AXIS).toEqual({ epoch: 'epoch', batch: 'step (batch)' });
    const chart = (title: { display: boolean; text: string }) => ({ options: { scales: { x: { type: 'linear' as const, title } } } });
    expect(xAxisTitle(chart({ display: true, text: TRAINING_X_AXIS.batch }))).toBe('step (batch)');
    expect(xAxisTitle(chart({ display: false, text: 'epoch' }))).toBe('');
  });

  it('labels axis ticks without floating-point noise', () => {
    expect(tickLabel(0.7000000000000001)).toBe('0.7');
    expect(tickLabel(0.30000000000000004)).toBe('0.3');
    expect(tickLabel(0.00001)).toBe('1.0e-5');
    expect(tickLabel(0)).toBe('0');
  });
});

describe('evalCurves', () => {
  let id = 0;
  const ev = (patch: Partial<EvaluationRecord>): EvaluationRecord => ({
    id: ++id, runId: 'run_adv', sourceRunId: null, attack: 'fgsm', norm: 'infinity', epsilon: 0.1, steps: 1, stepSize: null, restarts: 1,
    randomStart: false, spec: null, accuracy: 0.5, perClassAccuracy: [], count: 100, correct: 50, interval: { low: 0.4, high: 0.6 }, zeroGradFraction: null,
    subset: null, components: [], flags: [], hasMask: false, createdAt: '', hasGallery: false, modelEpoch: null, ...patch,
  });
  const evals = [
    ev({ attack: 'clean', epsilon: 0, accuracy: 0.98 }),
    ev({ epsilon: 0.2, accuracy: 0.4 }),
    ev({ epsilon: 0.1, accuracy: 0.7 }),
    ev({ epsilon: 0.1, accuracy: 0.8, sourceRunId: 'run_base' }),
    ev({ epsilon: 0.1, accuracy: 0.65 }), // a later evaluation at the same ε replaces the earlier one
  ];

  it('groups by attack and source, sorts by ε and starts every curve at the clean accuracy', () => {
    const curves = evalCurves(evals, (r) => (r === 'run_base' ? 'base model' : r));
    expect(curves.map((c) => [c.label, c.transfer])).toEqual([
      ['FGSM L∞ · white-box', false],
      ['FGSM L∞ · transfer from base model', true],
    ]);
    expect(curves[0]!.points).toEqual([{ x: 0, y: 0.98 }, { x: 0.1, y: 0.65 }, { x: 0.2, y: 0.4 }]);
    expect(curves[1]!.points).toEqual([{ x: 0, y: 0.98 }, { x: 0.1, y: 0.8 }]);
  });

  it('draws transfer curves dashed', () => {
    expect(evalSeries(evalCurves(evals, String)).map((s) => s.dashed)).toEqual([false, true]);
  });

  it('uses the run clean accuracy when there is no clean evaluation', () => {
    expect(evalCurves([ev({ epsilon: 0.3, accuracy: 0.1 })], String, 0.9)[0]!.points[0]).toEqual({ x: 0, y: 0.9 });
  });

  it("draws one model's numbers: the final model's over a checkpoint's, else the latest checkpoint's, marked so", () => {
    const checkpoint = [ev({ attack: 'clean', epsilon: 0, accuracy: 0.9, modelEpoch: 2 }), ev({ epsilon: 0.1, accuracy: 0.3, modelEpoch: 2 }), ev({ epsilon: 0.1, accuracy: 0.2, modelEpoch: 1 })];
    const alone = evalCurves(checkpoint, String);
    expect(alone.map((c) => c.label)).toEqual(['FGSM L∞ · white-box · epoch 2 checkpoint']);
    expect(alone[0]!.points).toEqual([{ x: 0, y: 0.9 }, { x: 0.1, y: 0.3 }]);
    // with the final model's evaluations, the (later) checkpoint ones are left out of its curves
    const both = evalCurves([...evals, ...checkpoint], (r) => (r === 'run_base' ? 'base model' : r));
    expect(both.map((c) => c.label)).toEqual(['FGSM L∞ · white-box', 'FGSM L∞ · transfer from base model']);
    expect(both[0]!.points).toEqual([{ x: 0, y: 0.98 }, { x: 0.1, y: 0.65 }, { x: 0.2, y: 0.4 }]);
  });
});
