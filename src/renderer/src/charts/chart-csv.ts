// A chart's plotted data as CSV: one row per point of each curve the chart counts (its data-points), in long form
// (series, x, value). A smoothed curve's raw twin and a mean's ±std band edges become columns of that row.
import { type CsvCell, toCsv } from '../lib/csv';
import { type Series } from './series';

/** The header and rows; `xTitle` (the axis title) names the x column. */
export function chartCsvTable(series: readonly Series[], xTitle: string): { header: string[]; rows: CsvCell[][] } {
  const lines = series.filter((s) => !s.faint && !s.band);
  const raw = new Map(series.filter((s) => s.faint).map((s) => [s.label.replace(/ \(raw\)$/, ''), s]));
  const lower = new Map(series.filter((s) => s.band === 'lower').map((s) => [s.label.replace(/ −std \(band\)$/, ''), s]));
  const upper = new Map(series.filter((s) => s.band === 'upper').map((s) => [s.label.replace(/ \+std \(band\)$/, ''), s]));
  const hasRaw = lines.some((s) => raw.has(s.label));
  const hasBand = lines.some((s) => lower.has(s.label) && upper.has(s.label));
  const header = ['series', xTitle || 'x', hasRaw ? 'value (smoothed)' : 'value', ...(hasRaw ? ['value (raw)'] : []), ...(hasBand ? ['mean − std', 'mean + std'] : [])];
  /** The twin's y at the same x (twins are built point for point from the same x values). */
  const at = (twin: Series | undefined, i: number, x: number): CsvCell => {
    if (!twin) return '';
    const p = twin.points[i]?.x === x ? twin.points[i] : twin.points.find((q) => q.x === x);
    return p?.y ?? '';
  };
  const rows = lines.flatMap((s) =>
    s.points.map((p, i): CsvCell[] => {
      const band = lower.has(s.label) && upper.has(s.label);
      return [s.label, p.x, p.y, ...(hasRaw ? [at(raw.get(s.label), i, p.x)] : []), ...(hasBand ? [band ? at(lower.get(s.label), i, p.x) : '', band ? at(upper.get(s.label), i, p.x) : ''] : [])];
    }),
  );
  return { header, rows };
}

export function chartCsv(series: readonly Series[], xTitle: string): string {
  const { header, rows } = chartCsvTable(series, xTitle);
  return toCsv(header, rows);
}

/** "rlab-training-accuracy-step.png": a chart's title (and what its x axis counts) as a safe file name. */
export function chartFileName(title: string, ext: 'png' | 'csv', xTitle = ''): string {
  const slug = (s: string) =>
    s
      .normalize('NFKD')
      .replace(/ε/g, 'eps')
      .replace(/∞/g, 'inf')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '');
  const parts = ['rlab', slug(title) || 'chart', slug(xTitle.replace(/\(.*\)/, ''))].filter((p) => p !== '');
  return `${parts.join('-').slice(0, 120)}.${ext}`;
}
