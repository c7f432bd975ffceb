// Chart controls: the x axis of training curves (step / epoch / wall time, only where the data has it), CSV of the
// plotted series, log-scale eligibility and ticks, the chart's reported view (zoomed or not) and download names.
import { describe, expect, it } from 'vitest';
import { type BatchMetrics, type EpochMetrics } from '../../../src/shared/contract';
import { chartCsv, chartCsvTable, chartFileName } from '../../../src/renderer/src/charts/chart-csv';
import { chartView, dataXRange, logTickLabel } from '../../../src/renderer/src/charts/line-chart';
import { logScaleEligibility } from '../../../src/renderer/src/charts/log-scale';
import { smoothedPair, type Series } from '../../../src/renderer/src/charts/series';
import {
  batchesPerEpoch,
  batchPointsOn,
  effectiveXAxis,
  epochEndTimes,
  epochPointsOn,
  timeUnit,
  timeUnitFor,
  xAxisChoices,
  xAxisLabel,
} from '../../../src/renderer/src/charts/x-axis';
import { bandOf } from '../../../src/renderer/src/lib/seed-view';

/** Batch points as the worker samples them: batch 1-based within its epoch, steps numbered on across epochs. */
function sampled(perEpoch: number, epochs: number, keep: (b: number) => boolean = () => true): BatchMetrics[] {
  const out: BatchMetrics[] = [];
  for (let e = 1; e <= epochs; e++)
    for (let b = 1; b <= perEpoch; b++) if (keep(b) || b === perEpoch) out.push({ epoch: e, batch: b, step: (e - 1) * perEpoch + b, metrics: { loss: 1 / ((e - 1) * perEpoch + b) } });
  return out;
}
/** RFC 4180 rows (quoted cells with doubled quotes), enough to read toCsv's output back. */
function parseCsv(text: string): string[][] {
  return text
    .split('\r\n')
    .filter((l) => l !== '')
    .map((line) => [...line.matchAll(/(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g)].map((m) => (m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!)));
}
const epochRows = (durations: number[]): EpochMetrics[] => durations.map((d, i) => ({ epoch: i + 1, durationMs: d, metrics: { loss: 1 - 0.1 * i, sparse_categorical_accuracy: 0.5 + 0.1 * i } }));

describe('x axis of training curves', () => {
  it('knows batches per epoch from any point after the first epoch, or from a finished first epoch', () => {
    expect(batchesPerEpoch(sampled(10, 3, (b) => b % 3 === 0), 3)).toBe(10);
    // a resumed run's points of later epochs only
    expect(batchesPerEpoch(sampled(8, 4).filter((b) => b.epoch === 4), 4)).toBe(8);
    expect(batchesPerEpoch(sampled(6, 1), 1)).toBe(6);
    // epoch 1 still running: its last point so far is not the epoch's end
    expect(batchesPerEpoch(sampled(6, 1).slice(0, 3), 0)).toBeNull();
    expect(batchesPerEpoch([], 2)).toBeNull();
  });

  it('places batch points at their step, or at the epochs trained so far', () => {
    const run = { batches: sampled(4, 2, (b) => b === 2), epochs: epochRows([1000, 1000]) };
    expect(batchPointsOn(run, 'loss', 'step').map((p) => p.x)).toEqual([2, 4, 6, 8]);
    expect(batchPointsOn(run, 'loss', 'epoch').map((p) => p.x)).toEqual([0.5, 1, 1.5, 2]);
    // y values are the same points whatever the axis
    expect(batchPointsOn(run, 'loss', 'epoch').map((p) => p.y)).toEqual(batchPointsOn(run, 'loss', 'step').map((p) => p.y));
    expect(batchPointsOn(run, 'loss', 'time')).toEqual([]);
  });

  it('places epoch points at their epoch, or at the summed epoch durations in a unit that fits', () => {
    const run = { epochs: epochRows([90_000, 60_000, 30_000]) };
    expect(epochEndTimes(run.epochs)).toEqual(new Map([[1, 90_000], [2, 150_000], [3, 180_000]]));
    expect(epochPointsOn(run, 'loss', 'epoch').map((p) => p.x)).toEqual([1, 2, 3]);
    const unit = timeUnitFor([run]);
    expect(unit).toEqual({ unit: 'min', ms: 60_000 });
    expect(epochPointsOn(run, 'loss', 'time', unit).map((p) => p.x)).toEqual([1.5, 2.5, 3]);
    expect(xAxisLabel('time', unit.unit)).toBe('wall time (min, training only)');
    expect([timeUnit(5_000).unit, timeUnit(3 * 3_600_000).unit]).toEqual(['s', 'h']);
    // epochs out of order are summed in epoch order
    expect(epochEndTimes([...epochRows([1000, 2000])].reverse())?.get(2)).toBe(3000);
    // an unmeasured epoch (an imported run's zero duration) gives no time axis
    expect(epochEndTimes(epochRows([1000, 0]))).toBeNull();
  });

  it('offers only the axes the data holds: no wall time per batch, epochs per batch once batches per epoch are known', () => {
    const done = { batches: sampled(4, 2), epochs: epochRows([1000, 1000]) };
    const running = { batches: sampled(4, 1).slice(0, 2), epochs: [] };
    const avail = (c: ReturnType<typeof xAxisChoices>) => Object.fromEntries(c.map((x) => [x.kind, x.available]));
    expect(avail(xAxisChoices('batch', [done]))).toEqual({ step: true, epoch: true, time: false });
    expect(xAxisChoices('batch', [done]).find((c) => c.kind === 'time')!.title).toMatch(/no time/);
    expect(avail(xAxisChoices('epoch', [done]))).toEqual({ epoch: true, time: true });
    // every compared run must have it
    expect(avail(xAxisChoices('batch', [done, running]))).toEqual({ step: true, epoch: false, time: false });
    expect(avail(xAxisChoices('epoch', [done, { batches: [], epochs: epochRows([0]) }]))).toEqual({ epoch: true, time: false });
    // an unavailable pick falls back to the granularity's default
    expect(effectiveXAxis(xAxisChoices('batch', [done]), 'time')).toBe('step');
    expect(effectiveXAxis(xAxisChoices('batch', [done]), 'epoch')).toBe('epoch');
    expect(effectiveXAxis(xAxisChoices('epoch', [done]), 'step')).toBe('epoch');
    expect([xAxisLabel('step'), xAxisLabel('epoch')]).toEqual(['step (batch)', 'epoch']);
  });

  it('keeps smoothing over the same points on another axis', () => {
    const run = { batches: sampled(4, 2), epochs: epochRows([1000, 1000]) };
    const onStep = smoothedPair(batchPointsOn(run, 'loss', 'step'), 0.6, 'Loss', '#000');
    const onEpoch = smoothedPair(batchPointsOn(run, 'loss', 'epoch'), 0.6, 'Loss', '#000');
    expect(onEpoch.map((s) => s.points.map((p) => p.y))).toEqual(onStep.map((s) => s.points.map((p) => p.y)));
    expect(onEpoch[1]!.points.map((p) => p.x)).toEqual([0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2]);
  });
});

describe('chart CSV', () => {
  it('has a row per plotted point, the x column named by the axis, and the raw twin of a smoothed curve beside it', () => {
    const points = [{ x: 1, y: 4 }, { x: 2, y: 2 }, { x: 3, y: 3 }];
    const series = smoothedPair(points, 0.5, 'Loss', '#000');
    const { header, rows } = chartCsvTable(series, 'step (batch)');
    expect(header).toEqual(['series', 'step (batch)', 'value (smoothed)', 'value (raw)']);
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => r[3])).toEqual([4, 2, 3]);
    expect(rows.map((r) => r[1])).toEqual([1, 2, 3]);
    expect(rows[0]![2]).toBe(4);
  });

  it('puts a mean curve\'s ±std band in columns of its rows, and quotes labels with commas', () => {
    const band = bandOf([{ x: 0.1, mean: 0.5, std: 0.1 }, { x: 0.2, mean: 0.4, std: 0 }], { label: 'mnist · adv, mean of 3 seeds', color: '#000' });
    const alone: Series = { label: 'run "a", seed 1', color: '#111', points: [{ x: 0.1, y: 0.3 }] };
    const text = chartCsv([...band, alone], 'ε');
    const lines = parseCsv(text);
    expect(lines[0]).toEqual(['series', 'ε', 'value', 'mean − std', 'mean + std']);
    expect(lines).toHaveLength(1 + 3);
    expect(lines[1]).toEqual(['mnist · adv, mean of 3 seeds', '0.1', '0.5', '0.4', '0.6']);
    expect(lines[3]).toEqual(['run "a", seed 1', '0.1', '0.3', '', '']);
    expect(text.endsWith('\r\n')).toBe(true);
  });

  it('names downloads after the chart and its x axis, safe for any file system', () => {
    expect(chartFileName('Training accuracy', 'csv', 'step (batch)')).toBe('rlab-training-accuracy-step.csv');
    expect(chartFileName('PGD-20 L∞ (solid: white-box, dashed: transfer)', 'png', 'ε')).toBe('rlab-pgd-20-linf-solid-white-box-dashed-transfer-eps.png');
    expect(chartFileName('β · KL(p(x) ‖ p(x′))', 'png')).toMatch(/^rlab-[a-z0-9-]+\.png$/);
    expect(chartFileName('', 'csv')).toBe('rlab-chart.csv');
  });
});

describe('log scale', () => {
  it('is offered for losses above 0, not for accuracies nor for data reaching 0', () => {
    const loss: Series = { label: 'Loss', color: '#000', points: [{ x: 1, y: 2 }, { x: 2, y: 0.01 }] };
    expect(logScaleEligibility([loss], false).ok).toBe(true);
    const acc = logScaleEligibility([loss], true);
    expect(acc.ok).toBe(false);
    expect(acc.title).toMatch(/\[0, 1\]/);
    const zero = logScaleEligibility([loss, { label: 'Adversarial (raw)', color: '#000', faint: true, points: [{ x: 1, y: 0 }] }], false);
    expect(zero).toEqual({ ok: false, title: 'Log scale needs values above 0: Adversarial has a value ≤ 0' });
    const band = bandOf([{ x: 1, mean: 0.1, std: 0.2 }], { label: 'g', color: '#000' });
    expect(logScaleEligibility(band, false).title).toMatch(/g's ±std band reaches a value ≤ 0/);
    // a gap (NaN) is not a value ≤ 0
    expect(logScaleEligibility([{ label: 'L', color: '#000', points: [{ x: 1, y: NaN }, { x: 2, y: 1 }] }], false).ok).toBe(true);
  });

  it('labels 1, 2 and 5 of each decade over several decades', () => {
    expect([0.01, 0.02, 0.03, 0.05, 0.1, 0.3, 1, 2, 7, 50].map((v) => logTickLabel(v))).toEqual(['0.01', '0.02', '', '0.05', '0.1', '', '1', '2', '', '50']);
    expect(logTickLabel(0)).toBe('');
    // within one decade every tick is labelled
    const ticks = [0.2, 0.3, 0.4, 0.5];
    expect(ticks.map((t) => logTickLabel(t, ticks))).toEqual(['0.2', '0.3', '0.4', '0.5']);
    expect(logTickLabel(0.3, [0.1, 0.3, 2])).toBe('');
  });
});

describe('chart view', () => {
  const chart = (min: number, max: number, y?: string) => ({ scales: { x: { min, max } }, options: { scales: { y: { type: y } } } });

  it('is zoomed while the x axis shows less than the points span, and reports the y scale type', () => {
    const range = dataXRange([[{ x: 3 }, { x: 11 }], [{ x: 0 }], []]);
    expect(range).toEqual({ min: 0, max: 11 });
    expect(chartView(chart(0, 11), range)).toEqual({ xMin: 0, xMax: 11, yType: 'linear', zoomed: false });
    expect(chartView(chart(2, 11, 'logarithmic'), range)).toEqual({ xMin: 2, xMax: 11, yType: 'logarithmic', zoomed: true });
    expect(chartView(chart(0, 7.5), range).zoomed).toBe(true);
    expect(chartView(chart(0, 1), null).zoomed).toBe(false);
    expect(dataXRange([[{ x: NaN }]])).toBeNull();
  });
});
