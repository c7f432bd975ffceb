// Scales of the sweep charts, free of the DOM: where a swept value lies on its axis (numbers linearly, or on a log
// scale when they span decades; words and true/false as evenly spaced categories), an accuracy axis with round ticks,
// and the colour of an accuracy (viridis: ordered light-to-dark-blind safe, readable in both themes).
import { type AxisValue } from '../../../shared/sweep-spec';

export interface Tick {
  /** 0..1 along the axis. */
  pos: number;
  label: string;
}

export interface AxisScale {
  kind: 'linear' | 'log' | 'category';
  /** 0..1 along the axis; NaN for a value the axis does not hold (a category it does not list). */
  pos(v: AxisValue): number;
  ticks: Tick[];
}

/** A swept value as the charts label it: numbers without float noise. */
export function valueText(v: AxisValue): string {
  return typeof v === 'number' ? String(Number(v.toPrecision(6))) : String(v);
}

/** Numbers spanning at least this ratio (all positive) get a log axis: 0.01, 0.1, 1 then lie evenly apart. */
export const LOG_RATIO = 20;

/** The scale of one swept axis over its values (in the spec's order); every value is a tick, at most `maxTicks` of them. */
export function axisScale(values: readonly AxisValue[], maxTicks = 12): AxisScale {
  const step = Math.max(1, Math.ceil(values.length / maxTicks));
  const ticksOf = (pos: (v: AxisValue) => number, order: readonly AxisValue[]): Tick[] => order.filter((_, i) => i % step === 0 || i === order.length - 1).map((v) => ({ pos: pos(v), label: valueText(v) }));
  if (values.length > 0 && values.every((v): v is number => typeof v === 'number')) {
    const nums = values;
    const min = Math.min(...nums);
    const max = Math.max(...nums);
    const sorted = [...nums].sort((a, b) => a - b);
    if (min > 0 && max / min >= LOG_RATIO) {
      const [lo, hi] = [Math.log10(min), Math.log10(max)];
      const pos = (v: AxisValue) => (typeof v === 'number' && v > 0 ? (Math.log10(v) - lo) / (hi - lo) : NaN);
      return { kind: 'log', pos, ticks: ticksOf(pos, sorted) };
    }
    const pos = (v: AxisValue) => (typeof v !== 'number' ? NaN : max === min ? 0.5 : (v - min) / (max - min));
    return { kind: 'linear', pos, ticks: ticksOf(pos, sorted) };
  }
  const keys = values.map((v) => JSON.stringify(v));
  const pos = (v: AxisValue) => {
    const i = keys.indexOf(JSON.stringify(v));
    return i < 0 ? NaN : values.length === 1 ? 0.5 : i / (values.length - 1);
  };
  return { kind: 'category', pos, ticks: ticksOf(pos, values) };
}

/** A round step near span / count: 1, 2 or 5 times a power of ten. */
function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

export interface AccuracyScale {
  min: number;
  max: number;
  pos(v: number): number;
  ticks: Tick[];
}

/**
 * An accuracy axis (fractions) covering `values` with round ends and ticks, within [0, 1]; a flat or empty set gets
 * a little room around it.
 */
export function accuracyScale(values: readonly number[], tickCount = 5): AccuracyScale {
  const finite = values.filter(Number.isFinite);
  let lo = finite.length ? Math.min(...finite) : 0;
  let hi = finite.length ? Math.max(...finite) : 1;
  if (hi - lo < 0.02) {
    lo -= 0.01;
    hi += 0.01;
  }
  const step = niceStep(hi - lo, tickCount);
  const min = Math.max(0, Math.floor(lo / step - 1e-9) * step);
  const max = Math.min(1, Math.ceil(hi / step + 1e-9) * step);
  const pos = (v: number) => (max === min ? 0.5 : (v - min) / (max - min));
  const ticks: Tick[] = [];
  for (let v = min; v <= max + step / 1000; v += step) ticks.push({ pos: pos(v), label: `${Number((v * 100).toPrecision(6))}%` });
  return { min, max, pos, ticks };
}

/** Viridis at 9 stops (matplotlib's), low to high. */
const VIRIDIS = ['#440154', '#472d7b', '#3b528b', '#2c728e', '#21918c', '#28ae80', '#5ec962', '#addc30', '#fde725'];

const rgb = (hex: string): [number, number, number] => {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
};

/** The colour of t in [0, 1] (clamped) on viridis, as #rrggbb. */
export function viridis(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [rgb(VIRIDIS[i]!), rgb(VIRIDIS[i + 1]!)];
  return `#${a.map((c, k) => Math.round(c + (b[k]! - c) * f).toString(16).padStart(2, '0')).join('')}`;
}

/** Black or white, whichever reads better on `hex` (WCAG relative luminance). */
export function textOn(hex: string): '#000000' | '#ffffff' {
  const lin = rgb(hex).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  const l = 0.2126 * lin[0]! + 0.7152 * lin[1]! + 0.0722 * lin[2]!;
  return (l + 0.05) / 0.05 > 1.05 / (l + 0.05) ? '#000000' : '#ffffff';
}

export interface ColourScale {
  min: number;
  max: number;
  colour(v: number): string;
}

/** Colours over the range the values span (a flat set is mid-scale), so small differences between cells show. */
export function colourScale(values: readonly number[]): ColourScale {
  const finite = values.filter(Number.isFinite);
  const min = finite.length ? Math.min(...finite) : 0;
  const max = finite.length ? Math.max(...finite) : 1;
  return { min, max, colour: (v) => viridis(max === min ? 0.5 : (v - min) / (max - min)) };
}
