// Chart.js set up for dense scientific line charts: linear axes, no animation, pre-parsed {x, y} points.
import { Chart, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip, type ChartDataset, type ChartOptions } from 'chart.js';
import { type Series } from './series';

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Tooltip, Filler);

/** Helper curves (a smoothed curve's raw twin, a band's edges) stay out of the legend and tooltips. */
const isHelper = (label: string): boolean => label.endsWith('(raw)') || label.endsWith('(band)');

export interface LineChartOptions {
  xLabel: string;
  yLabel?: string;
  /** Accuracy-like values: the y axis spans [0, 1] and ticks read as percentages. */
  fraction?: boolean;
  /** Integer x values only (epochs). */
  integerX?: boolean;
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

export function createLineChart(canvas: HTMLCanvasElement, series: readonly Series[], o: LineChartOptions, c: ChartColours = currentChartColours()): Chart<'line', { x: number; y: number }[]> {
  const grid = { color: c.grid };
  const ticks = { color: c.text, font: { size: 11 } };
  return new Chart<'line', { x: number; y: number }[]>(canvas, {
    type: 'line',
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
          title: { display: true, text: o.xLabel, color: c.text, font: { size: 11 } },
          grid,
          ticks: { ...ticks, precision: o.integerX ? 0 : undefined, callback: (v) => tickLabel(Number(v)) },
        },
        y: {
          type: 'linear',
          title: { display: Boolean(o.yLabel), text: o.yLabel ?? '', color: c.text, font: { size: 11 } },
          grid,
          min: o.fraction ? 0 : undefined,
          max: o.fraction ? 1 : undefined,
          ticks: { ...ticks, callback: o.fraction ? (v) => `${Math.round(Number(v) * 100)}%` : (v) => tickLabel(Number(v)) },
        },
      },
      plugins: {
        legend: {
          display: series.filter((s) => !s.faint && !s.band).length > 1,
          position: 'bottom',
          labels: { boxWidth: 12, boxHeight: 2, font: { size: 11 }, color: c.text, filter: (item) => !isHelper(String(item.text)) },
        },
        tooltip: { filter: (item) => !isHelper(String(item.dataset.label ?? '')) },
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
