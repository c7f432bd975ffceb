// Chart.js set up for dense scientific line charts: linear axes (y optionally logarithmic), no animation, pre-parsed
// {x, y} points. Zoom and pan on x are chartjs-plugin-zoom's, registered by zoom-plugin.ts (it needs a browser); the
// options for it are set here and do nothing where it is not registered.
import { Chart, Filler, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, Tooltip, type ChartDataset, type ChartOptions, type Plugin } from 'chart.js';
import type { ZoomPluginOptions } from 'chartjs-plugin-zoom/types/options';
import { type Series } from './series';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip, Filler);

type LineChart = Chart<'line', { x: number; y: number }[]>;

/** Helper curves (a smoothed curve's raw twin, a band's edges) stay out of the legend and tooltips. */
const isHelper = (label: string): boolean => label.endsWith('(raw)') || label.endsWith('(band)');

export interface LineChartOptions {
  xLabel: string;
  yLabel?: string;
  /** Accuracy-like values: the y axis spans [0, 1] and ticks read as percentages. */
  fraction?: boolean;
  /** Integer x values only (epochs). */
  integerX?: boolean;
  /** A logarithmic y axis (see log-scale.ts for when it is offered). */
  logY?: boolean;
  /** Called after every update (data, zoom, pan, resize) with what the chart now shows. */
  onView?: (view: ChartView) => void;
}

/** What a chart shows: its x axis' current range (zoomed or not) and its y scale's type. */
export interface ChartView {
  xMin: number;
  xMax: number;
  yType: 'linear' | 'logarithmic';
  /** Zoomed in or panned away from the full x range. */
  zoomed: boolean;
}

/** The theme's colours for what Chart.js draws itself (axes, grid, legend); see --chart-* in app.css. */
export interface ChartColours {
  grid: string;
  text: string;
}

const LIGHT_CHART_COLOURS: ChartColours = { grid: 'rgba(0, 0, 0, 0.06)', text: '#5f6773' };

/** `read` gives a CSS custom property's value ('' when unset, as getComputedStyle does). */
export function chartColoursFrom(read: (name: string) => string): ChartColours {
  return {
    grid: read('--chart-grid').trim() || LIGHT_CHART_COLOURS.grid,
    text: read('--chart-text').trim() || LIGHT_CHART_COLOURS.text,
  };
}

/** The current theme's chart colours, read from the page's CSS variables. */
export function currentChartColours(): ChartColours {
  const style = window.getComputedStyle(document.documentElement);
  return chartColoursFrom((name) => style.getPropertyValue(name));
}

/** Sets the axes', grid's and legend's colours in place (options as createLineChart builds them). */
export function applyChartColours(options: ChartOptions<'line'>, c: ChartColours): void {
  for (const scale of [options.scales?.x, options.scales?.y]) {
    if (scale?.grid) scale.grid.color = c.grid;
    if (scale?.ticks) scale.ticks.color = c.text;
    if (scale && 'title' in scale && scale.title) scale.title.color = c.text;
  }
  const labels = options.plugins?.legend?.labels;
  if (labels) labels.color = c.text;
}

function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/**
 * Log-axis ticks: over more than a decade only 1, 2 and 5 times a power of ten are labelled, so the decades stay
 * readable; within one decade (`ticks`, the axis' tick values, span less than ×10) every tick is.
 */
export function logTickLabel(v: number, ticks: readonly number[] = []): string {
  if (!(v > 0)) return '';
  const positive = ticks.filter((t) => t > 0);
  if (positive.length > 0 && Math.max(...positive) / Math.min(...positive) < 10) return tickLabel(v);
  const m = Math.round((v / 10 ** Math.floor(Math.log10(v) + 1e-9)) * 1000) / 1000;
  return m === 1 || m === 2 || m === 5 ? tickLabel(v) : '';
}

/** Axis ticks without float noise (0.7000000000000001 → 0.7). */
export function tickLabel(v: number): string {
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs < 1e-3 || abs >= 1e5) return v.toExponential(1);
  return String(Number(v.toPrecision(4)));
}

/** A band edge: invisible itself; the upper edge fills down to the dataset before it (its lower edge). */
function bandDataset(s: Series): ChartDataset<'line', { x: number; y: number }[]> {
  return {
    label: s.label,
    data: s.points,
    borderColor: 'transparent',
    backgroundColor: withAlpha(s.color, 0.18),
    borderWidth: 0,
    pointRadius: 0,
    pointHitRadius: 0,
    tension: 0,
    spanGaps: true,
    fill: s.band === 'upper' ? '-1' : false,
  };
}

export function toDatasets(series: readonly Series[]): ChartDataset<'line', { x: number; y: number }[]>[] {
  return series.map((s) => (s.band ? bandDataset(s) : lineDataset(s)));
}

function lineDataset(s: Series): ChartDataset<'line', { x: number; y: number }[]> {
  return {
    label: s.label,
    data: s.points,
    borderColor: s.faint ? withAlpha(s.color, 0.25) : s.color,
    backgroundColor: s.color,
    borderWidth: s.faint ? 1 : 1.75,
    borderDash: s.dashed ? [6, 4] : [],
    pointRadius: s.markers ? 3 : 0,
    pointHoverRadius: 4,
    pointHitRadius: 6,
    tension: 0,
    spanGaps: true,
  };
}

/**
 * Zoom on x only: drag a box (plain drag), Ctrl + wheel or pinch; pan with Shift + drag. Plain wheel is left to the
 * page, which scrolls past many charts. Neither goes beyond the data's own range.
 */
export const zoomOptions = (): ZoomPluginOptions => ({
  limits: { x: { min: 'original', max: 'original' } },
  pan: { enabled: true, mode: 'x', modifierKey: 'shift' },
  zoom: {
    mode: 'x',
    drag: { enabled: true, threshold: 5, backgroundColor: 'rgba(47, 111, 235, 0.12)', borderColor: 'rgba(47, 111, 235, 0.6)', borderWidth: 1 },
    wheel: { enabled: true, modifierKey: 'ctrl' },
    pinch: { enabled: true },
  },
});

/** The chart's current view; `dataX` is the plotted points' x range (what an unzoomed axis spans). */
export function chartView(chart: { scales: Partial<Record<string, { min: number; max: number }>>; options: { scales?: { y?: { type?: string } } } }, dataX: { min: number; max: number } | null): ChartView {
  const x = chart.scales.x;
  const xMin = x?.min ?? NaN;
  const xMax = x?.max ?? NaN;
  const yType = chart.options.scales?.y?.type === 'logarithmic' ? 'logarithmic' : 'linear';
  const eps = dataX ? 1e-9 * Math.max(1, Math.abs(dataX.max - dataX.min)) : 0;
  const zoomed = dataX !== null && (xMin > dataX.min + eps || xMax < dataX.max - eps);
  return { xMin, xMax, yType, zoomed };
}

/** The x range of the points a chart draws (helper curves included), null when it draws none. */
export function dataXRange(curves: readonly (readonly { x: number }[])[]): { min: number; max: number } | null {
  let min = Infinity;
  let max = -Infinity;
  for (const points of curves)
    for (const p of points)
      if (Number.isFinite(p.x)) {
        min = Math.min(min, p.x);
        max = Math.max(max, p.x);
      }
  return min <= max ? { min, max } : null;
}

/** Reports the view after every update (Chart.js calls afterUpdate after data, zoom, pan and resize updates). */
function viewReporter(onView: (view: ChartView) => void): Plugin<'line'> {
  return {
    id: 'rlabView',
    afterUpdate: (chart) => onView(chartView(chart, dataXRange(chart.data.datasets.map((d) => d.data as { x: number }[])))),
  };
}

function yScaleOptions(o: LineChartOptions, c: ChartColours, grid: { color: string }, ticks: { color: string; font: { size: number } }): NonNullable<ChartOptions<'line'>['scales']>['y'] {
  const title = { display: Boolean(o.yLabel), text: o.yLabel ?? '', color: c.text, font: { size: 11 } };
  if (o.logY) return { type: 'logarithmic', title, grid, ticks: { ...ticks, autoSkip: true, callback: (v, _i, ticks) => logTickLabel(Number(v), ticks.map((t) => t.value)) } };
  return {
    type: 'linear',
    title,
    grid,
    min: o.fraction ? 0 : undefined,
    max: o.fraction ? 1 : undefined,
    ticks: { ...ticks, callback: o.fraction ? (v) => `${Math.round(Number(v) * 100)}%` : (v) => tickLabel(Number(v)) },
  };
}

/** Switches the y axis between linear and logarithmic in place (the x zoom is kept) and redraws. */
export function setLogY(chart: LineChart, o: Omit<LineChartOptions, 'xLabel' | 'onView'>, on: boolean): void {
  const scales = chart.options.scales;
  if (!scales) return;
  const current = scales.y?.type === 'logarithmic';
  if (current === on) return;
  const colours = currentChartColours();
  scales.y = yScaleOptions({ ...o, xLabel: '', logY: on }, colours, { color: colours.grid }, { color: colours.text, font: { size: 11 } });
  chart.update('none');
}

export function createLineChart(canvas: HTMLCanvasElement, series: readonly Series[], o: LineChartOptions, c: ChartColours = currentChartColours()): LineChart {
  const grid = { color: c.grid };
  const ticks = { color: c.text, font: { size: 11 } };
  return new Chart<'line', { x: number; y: number }[]>(canvas, {
    type: 'line',
    plugins: o.onView ? [viewReporter(o.onView)] : [],
    data: { datasets: toDatasets(series) },
    options: {
      animation: false,
      parsing: false,
      normalized: true,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: {
        x: {
          type: 'linear',
          // the axis spans the data (not rounded out to the next tick), so a reset zoom shows exactly the points
          bounds: 'data',
          title: { display: true, text: o.xLabel, color: c.text, font: { size: 11 } },
          grid,
          ticks: { ...ticks, precision: o.integerX ? 0 : undefined, callback: (v) => tickLabel(Number(v)) },
        },
        y: yScaleOptions(o, c, grid, ticks),
      },
      plugins: {
        legend: {
          display: series.filter((s) => !s.faint && !s.band).length > 1,
          position: 'bottom',
          labels: { boxWidth: 12, boxHeight: 2, font: { size: 11 }, color: c.text, filter: (item) => !isHelper(String(item.text)) },
        },
        tooltip: { filter: (item) => !isHelper(String(item.dataset.label ?? '')) },
        zoom: zoomOptions(),
      },
    },
  });
}

/** The title the chart's x axis shows ('' when none). */
export function xAxisTitle(chart: Pick<Chart<'line', { x: number; y: number }[]>, 'options'>): string {
  const x = chart.options.scales?.x;
  const title = x && 'title' in x ? x.title : undefined;
  return title?.display ? String(title.text) : '';
}

/** Replaces the data in place; 'none' skips animation so live updates at 10 per second stay cheap. */
export function updateLineChart(chart: Chart<'line', { x: number; y: number }[]>, series: readonly Series[]): void {
  chart.data.datasets = toDatasets(series);
  const legend = chart.options.plugins?.legend;
  if (legend) legend.display = series.filter((s) => !s.faint && !s.band).length > 1;
  chart.update('none');
}

/** Re-reads the theme's colours after a theme change and redraws. */
export function recolourLineChart(chart: Chart<'line', { x: number; y: number }[]>): void {
  applyChartColours(chart.options, currentChartColours());
  chart.update('none');
}
