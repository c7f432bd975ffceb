// What each sweep result chart draws, as data: the line chart of one axis (a model's robust and clean accuracy per
// value, mean ± std over seeds), the heatmap of two (one tile per pair of values) and the parallel coordinates of
// three or more (one polyline per cell across the axes, ending on its robust accuracy).
import { type CellResult, type Stat } from '../../../shared/sweep-results';
import { type AxisValue, type SweepAxis } from '../../../shared/sweep-spec';
import { cleanOf, robustOf } from './sweep-models';
import { accuracyScale, axisScale, colourScale, type AccuracyScale, type AxisScale, type ColourScale } from './sweep-scales';

const sameValue = (a: AxisValue | undefined, b: AxisValue): boolean => a !== undefined && JSON.stringify(a) === JSON.stringify(b);

export interface LinePoint {
  value: AxisValue;
  /** 0..1 along x. */
  pos: number;
  stat: Stat;
  cell: CellResult;
}

export interface LineSeries {
  key: string;
  metric: 'robust' | 'clean';
  points: LinePoint[];
}

export interface LineLayout {
  x: AxisScale;
  y: AccuracyScale;
  series: LineSeries[];
}

/** One axis: per model, its robust (solid) and clean (dashed) accuracy at each value that has a number, in x order. */
export function lineLayout(axis: SweepAxis, results: readonly CellResult[], keys: readonly string[]): LineLayout {
  const x = axisScale(axis.values);
  const series: LineSeries[] = keys.flatMap((key) =>
    (['robust', 'clean'] as const).map((metric) => {
      const points: LinePoint[] = [];
      for (const cell of results) {
        const stat = metric === 'robust' ? robustOf(cell, key) : cleanOf(cell, key);
        const value = cell.values[axis.path];
        if (stat === null || value === undefined) continue;
        const pos = x.pos(value);
        if (Number.isFinite(pos)) points.push({ value, pos, stat, cell });
      }
      return { key, metric, points: points.sort((a, b) => a.pos - b.pos) };
    }),
  );
  const ys = series.flatMap((s) => s.points.flatMap((p) => [p.stat.mean - (p.stat.std ?? 0), p.stat.mean + (p.stat.std ?? 0)]));
  return { x, y: accuracyScale(ys), series };
}

export interface HeatTile {
  row: number;
  col: number;
  /** The cell run at these values; null when the grid point was not drawn (a random sweep). */
  cell: CellResult | null;
  robust: Stat | null;
  clean: Stat | null;
}

export interface HeatmapLayout {
  rows: { value: AxisValue }[];
  cols: { value: AxisValue }[];
  /** rows × cols, row-major. */
  tiles: HeatTile[][];
  colours: ColourScale;
}

/** Two axes: the first down the rows, the second across, in the spec's value order; coloured over the robust means shown. */
export function heatmapLayout(axes: readonly [SweepAxis, SweepAxis], results: readonly CellResult[], key: string): HeatmapLayout {
  const [ra, ca] = axes;
  const tiles = ra.values.map((rv, row) =>
    ca.values.map((cv, col): HeatTile => {
      const cell = results.find((c) => sameValue(c.values[ra.path], rv) && sameValue(c.values[ca.path], cv)) ?? null;
      return { row, col, cell, robust: cell ? robustOf(cell, key) : null, clean: cell ? cleanOf(cell, key) : null };
    }),
  );
  const means = tiles.flat().flatMap((t) => (t.robust ? [t.robust.mean] : []));
  return { rows: ra.values.map((value) => ({ value })), cols: ca.values.map((value) => ({ value })), tiles, colours: colourScale(means) };
}

export interface ParallelDim {
  label: string;
  /** A swept axis, or the robust accuracy the lines end on. */
  kind: 'axis' | 'robust';
  scale: AxisScale | AccuracyScale;
}

export interface ParallelLine {
  cell: CellResult;
  /** 0..1 on each dimension, in order (NaN where the cell has no number). */
  pos: number[];
  robust: Stat | null;
  /** Its colour by robust accuracy; null without a number (drawn faint). */
  colour: string | null;
}

export interface ParallelLayout {
  dims: ParallelDim[];
  lines: ParallelLine[];
  colours: ColourScale;
}

/** Three or more axes: one dimension per axis, then robust accuracy; lines with a number are listed last (drawn on top). */
export function parallelLayout(axes: readonly SweepAxis[], results: readonly CellResult[], key: string): ParallelLayout {
  const scales = axes.map((a) => axisScale(a.values, 8));
  const robusts = results.map((c) => robustOf(c, key));
  const y = accuracyScale(robusts.flatMap((r) => (r ? [r.mean] : [])));
  const colours = colourScale(robusts.flatMap((r) => (r ? [r.mean] : [])));
  const dims: ParallelDim[] = [...axes.map((a, i): ParallelDim => ({ label: a.path, kind: 'axis', scale: scales[i]! })), { label: 'robust accuracy', kind: 'robust', scale: y }];
  const lines = results.map((cell, i): ParallelLine => {
    const robust = robusts[i]!;
    const pos = [...axes.map((a, k) => (cell.values[a.path] === undefined ? NaN : scales[k]!.pos(cell.values[a.path]!))), robust ? y.pos(robust.mean) : NaN];
    return { cell, pos, robust, colour: robust ? colours.colour(robust.mean) : null };
  });
  return { dims, lines: [...lines.filter((l) => !l.robust), ...lines.filter((l) => l.robust)], colours };
}
