// Hyperparameter table of the Compare page: each run's config flattened to dotted keys, rows marked where runs differ.
import { type RunDetail } from '../../../shared/contract';
import { defenceOfRun, defenceTitle } from './run-defence';

export interface ParamRow {
  key: string;
  values: string[];
  differs: boolean;
}

function show(v: unknown): string {
  if (v === undefined || v === null) return '—';
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function flattenInto(out: Record<string, string>, prefix: string, value: unknown): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flattenInto(out, prefix ? `${prefix}.${k}` : k, v);
    return;
  }
  out[prefix] = show(value);
}

/** Dotted keys → display strings; long arrays (feature masks) are summarised, attacks listed one per key. */
export function flattenRun(run: RunDetail): Record<string, string> {
  const c = run.config;
  const out: Record<string, string> = { role: run.role };
  const defence = defenceOfRun(run);
  out.defence = defence ? defenceTitle(defence) : 'imported';
  if (defence) {
    // the method's parameters (an NSL run's are its advReg, below)
    const { method: _method, label: _label, ...params } = defence as Record<string, unknown>;
    flattenInto(out, 'defence', params);
  }
  flattenInto(out, 'hparams', c.hparams);
  const { featureMask, ...advReg } = c.advReg;
  flattenInto(out, 'advReg', advReg);
  out['advReg.featureMask'] = featureMask ? `${featureMask.filter((m) => m > 0).length} of ${featureMask.length} pixels` : 'all pixels';
  out['data.dataset'] = c.data.dataset.kind === 'imported' ? `imported:${c.data.dataset.id}` : c.data.dataset.kind;
  out['data.trainSize'] = String(c.data.trainSize);
  out['data.testSize'] = String(c.data.testSize);
  out.seed = String(c.seed);
  c.attacks.forEach((a, i) => {
    // the fields the config sets; the others are the attack's defaults (src/shared/attacks.ts)
    const set = (['steps', 'stepSize', 'randomStart', 'restarts', 'targets', 'queries', 'pInit'] as const).filter((k) => a[k] !== undefined).map((k) => `${k}=${String(a[k])}`);
    const images = a.testSize === undefined ? [] : [`testSize=${a.testSize}`];
    out[`attacks.${i}`] = [`${a.attack} ${a.norm} ε=${show(a.epsilons)}`, ...set, `source=${a.source}`, ...images].join(' ');
  });
  if (c.baseModelPath) out.baseModelPath = c.baseModelPath;
  out['engine.backend'] = run.engine?.backend ?? run.backend ?? '—';
  return out;
}

/** One row per key any run has, in first-seen order; `differs` when not every run shows the same value. */
export function paramRows(runs: readonly RunDetail[]): ParamRow[] {
  const flat = runs.map(flattenRun);
  const keys: string[] = [];
  for (const f of flat) for (const k of Object.keys(f)) if (!keys.includes(k)) keys.push(k);
  return keys.map((key) => {
    const values = flat.map((f) => f[key] ?? '—');
    return { key, values, differs: new Set(values).size > 1 };
  });
}
