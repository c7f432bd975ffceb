// Folds repeated benchmark rounds into one result: median of the medians, min of the mins, worst tensor balance.
import { type PythonResult, type PythonTiming } from './spawn';
import { type VariantResult, type WorkerResult } from './worker';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function mergeVariant(runs: VariantResult[]): VariantResult {
  const worst = runs.reduce((a, b) => (b.numTensorsAfter - b.numTensorsBefore > a.numTensorsAfter - a.numTensorsBefore ? b : a));
  return {
    name: runs[0]!.name,
    medianMs: median(runs.map((r) => r.medianMs)),
    minMs: Math.min(...runs.map((r) => r.minMs)),
    steps: runs.reduce((n, r) => n + r.steps, 0),
    kernelsPerStep: runs.find((r) => r.kernelsPerStep !== null)?.kernelsPerStep ?? null,
    numTensorsBefore: worst.numTensorsBefore,
    numTensorsAfter: worst.numTensorsAfter,
  };
}

/** Results of several worker processes of one backend (any mix of variants and rounds), variants in first-seen order. */
export function mergeWorkers(results: WorkerResult[]): WorkerResult | undefined {
  if (results.length === 0) return undefined;
  const byName = new Map<string, VariantResult[]>();
  for (const r of results) for (const v of r.variants) byName.set(v.name, [...(byName.get(v.name) ?? []), v]);
  return {
    ...results[0]!,
    opOverheadMicros: median(results.map((r) => r.opOverheadMicros)),
    variants: [...byName.values()].map(mergeVariant),
  };
}

function mergeTiming(ts: PythonTiming[]): PythonTiming {
  return { medianMs: median(ts.map((t) => t.medianMs)), minMs: Math.min(...ts.map((t) => t.minMs)), steps: ts.reduce((n, t) => n + t.steps, 0) };
}

export function mergePython(results: PythonResult[]): PythonResult | undefined {
  if (results.length === 0) return undefined;
  const keys = ['graph_plain', 'graph_adversarial', 'eager_plain', 'eager_adversarial'] as const;
  const merged: PythonResult = { ...results[0]! };
  for (const k of keys) merged[k] = mergeTiming(results.map((r) => r[k]));
  return merged;
}
