// Chart-ready series built from metrics: what LineChart draws, independent of Chart.js.
import { type BatchMetrics, type EpochMetrics } from '../../../shared/contract';
import { DEFENCE_INFO, type DefenceMethod } from '../../../shared/defences';
import { emaSmooth } from '../lib/smoothing';

export interface Point {
  x: number;
  y: number;
}

export interface Series {
  label: string;
  points: Point[];
  color: string;
  dashed?: boolean;
  /** Drawn thin and translucent behind its smoothed twin. */
  faint?: boolean;
  /** Draw point markers (sparse data such as epochs or ε grids). */
  markers?: boolean;
  /** An edge of a shaded band: no line of its own; an 'upper' edge is filled down to the series just before it. */
  band?: 'lower' | 'upper';
}

/** Tableau 10: distinct, colour-blind friendly enough for up to 8 overlaid runs. */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#9c755f', '#ff9da7', '#bab0ac'];

export const color = (i: number): string => PALETTE[i % PALETTE.length]!;

export interface MetricInfo {
  key: string;
  label: string;
  /** Accuracy-like metrics are plotted on [0, 1]. */
  unit: 'loss' | 'fraction';
  /** Measured once per epoch only (never in a per-batch point). */
  epochOnly?: true;
  /** Drawn (dashed) on this other metric's per-epoch chart of a run, when the run has that metric too. */
  overlays?: string;
}

/** NSL's metric names (src/main/lab/nsl/metrics.ts) in display order; every defence reports the same keys. */
export const TRAIN_METRICS: readonly MetricInfo[] = [
  { key: 'loss', label: DEFENCE_INFO.nsl.curves.loss, unit: 'loss' },
  { key: 'sparse_categorical_crossentropy', label: 'Labeled loss', unit: 'loss' },
  { key: 'scaled_adversarial_loss', label: DEFENCE_INFO.nsl.curves.adversarial, unit: 'loss' },
  // measured on the clean training batches as they are trained on (src/main/lab/defences/training-step.ts), not on the
  // test split: the Compare page's "Clean acc" and the run page's "Clean accuracy" are the test numbers
  { key: 'sparse_categorical_accuracy', label: 'Training accuracy', unit: 'fraction' },
  // after each epoch, in inference mode, on the first 1,000 images of the run's test split in split order
  // (src/main/lab/worker/test-metrics.ts): the test numbers per epoch, next to the training ones
  { key: 'val_accuracy', label: 'Test accuracy (clean, first 1,000 test images)', unit: 'fraction', epochOnly: true, overlays: 'sparse_categorical_accuracy' },
  { key: 'val_loss', label: 'Test loss (clean cross-entropy, first 1,000 test images)', unit: 'loss', epochOnly: true },
];

/** The metrics a per-batch point can hold. */
export const BATCH_METRICS: readonly MetricInfo[] = TRAIN_METRICS.filter((m) => !m.epochOnly);

export interface EpochChartGroup {
  /** The chart's own metric (its test id). */
  key: string;
  /** Its metric first, then the ones overlaid on it. */
  keys: string[];
}

/**
 * One run's per-epoch charts: each metric on its own chart, except one that overlays another present metric (test
 * accuracy on training accuracy), which is drawn on that one's chart.
 */
export function epochChartGroups(keys: readonly string[]): EpochChartGroup[] {
  const hostOf = (k: string): string | undefined => {
    const host = TRAIN_METRICS.find((m) => m.key === k)?.overlays;
    return host !== undefined && keys.includes(host) ? host : undefined;
  };
  return keys.filter((k) => hostOf(k) === undefined).map((key) => ({ key, keys: [key, ...keys.filter((k) => hostOf(k) === key)] }));
}

/** What the x axis of training curves counts at each granularity: finished epochs, or optimizer steps (one per batch). */
export const TRAINING_X_AXIS = { epoch: 'epoch', batch: 'step (batch)' } as const satisfies Record<'epoch' | 'batch', string>;

/** Points of one metric over training steps; missing or non-finite values are skipped. */
export function batchPoints(batches: readonly BatchMetrics[], key: string): Point[] {
  const out: Point[] = [];
  for (const b of batches) {
    const y = b.metrics[key];
    if (typeof y === 'number' && Number.isFinite(y)) out.push({ x: b.step, y });
  }
  return out;
}

export function epochPoints(epochs: readonly EpochMetrics[], key: string): Point[] {
  const out: Point[] = [];
  for (const e of epochs) {
    const y = e.metrics[key];
    if (typeof y === 'number' && Number.isFinite(y)) out.push({ x: e.epoch, y });
  }
  return out;
}

/** The raw curve (faint) and its EMA-smoothed twin, as TensorBoard draws them. */
export function smoothedPair(points: readonly Point[], smoothing: number, label: string, c: string): Series[] {
  const smooth = emaSmooth(
    points.map((p) => p.y),
    smoothing,
  );
  const smoothed: Series = { label, color: c, points: points.map((p, i) => ({ x: p.x, y: smooth[i]! })) };
  if (smoothing <= 0) return [smoothed];
  return [{ label: `${label} (raw)`, color: c, faint: true, points: [...points] }, smoothed];
}

/** Every metric name present in the data, NSL's known ones first. */
export function metricKeys(rows: readonly { metrics: Record<string, number> }[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r.metrics)) seen.add(k);
  const known = TRAIN_METRICS.map((m) => m.key).filter((k) => seen.has(k));
  return [...known, ...[...seen].filter((k) => !known.includes(k)).sort()];
}

/** Titles for charts that overlay runs of different defences, whose losses are different quantities. */
const MIXED_CURVES = { loss: "Loss (each run's own defence)", adversarial: "Adversarial term (each run's own defence)" };

/**
 * How a metric is shown. Given the defence that trained the run(s), the loss and adversarial term say what they hold
 * ('mixed' when overlaid runs differ); without one, NSL's titles.
 */
export function metricInfo(key: string, method?: DefenceMethod | 'mixed'): MetricInfo {
  const known = TRAIN_METRICS.find((m) => m.key === key) ?? { key, label: key, unit: /acc/.test(key) ? 'fraction' : 'loss' };
  if (!method) return known;
  const curves = method === 'mixed' ? MIXED_CURVES : DEFENCE_INFO[method].curves;
  if (key === 'loss') return { ...known, label: curves.loss };
  if (key === 'scaled_adversarial_loss') return { ...known, label: curves.adversarial };
  return known;
}
