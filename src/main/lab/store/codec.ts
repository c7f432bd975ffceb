// JSON encoding of the store's columns. Metric values may be NaN or ±Infinity (a diverging run), which plain
// JSON would turn into null; they are written as the strings "NaN", "Infinity", "-Infinity" and read back as numbers.
import { LabError } from '../../../shared/errors';

const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };

export function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

/** Parses JSON written by encodeJson; strings spelling a non-finite number become that number again. */
export function decodeNumbers<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => (typeof v === 'string' && v in NON_FINITE ? NON_FINITE[v] : v)) as T;
}

/** Parses JSON whose strings must stay strings (configs, tags, engine records). */
export function decodeJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

/** Checks a metrics object: plain object of name → number (non-finite allowed). */
export function checkMetricValues(metrics: unknown, field: string): Record<string, number> {
  if (metrics === null || typeof metrics !== 'object' || Array.isArray(metrics)) {
    throw new LabError('invalid_argument', `${field} must be an object of metric name → number (got ${JSON.stringify(metrics)})`, field);
  }
  for (const [name, value] of Object.entries(metrics)) {
    if (typeof value !== 'number') throw new LabError('invalid_argument', `${field}.${name} must be a number (got ${JSON.stringify(value)})`, `${field}.${name}`);
  }
  return metrics as Record<string, number>;
}

/** Checks a list of tags: strings, trimmed, non-empty; duplicates are dropped keeping the first. */
export function normaliseTags(tags: readonly string[], field = 'tags'): string[] {
  if (!Array.isArray(tags)) throw new LabError('invalid_argument', `${field} must be a list of strings`, field);
  const out: string[] = [];
  for (const tag of tags) {
    if (typeof tag !== 'string' || tag.trim() === '') throw new LabError('invalid_argument', `${field} must contain non-empty strings (got ${JSON.stringify(tag)})`, field);
    const t = tag.trim();
    if (!out.includes(t)) out.push(t);
  }
  return out;
}
