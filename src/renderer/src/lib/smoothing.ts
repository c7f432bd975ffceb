// TensorBoard-style exponential moving average for noisy per-batch curves.

/**
 * Smooths `values` with weight w in [0, 1): s_t = w·s_{t-1} + (1−w)·x_t, debiased by 1−w^t so the first points are
 * not pulled towards zero. Non-finite values are passed through and do not disturb the average.
 */
export function emaSmooth(values: readonly number[], weight: number): number[] {
  const w = Math.min(Math.max(weight, 0), 0.999);
  if (w === 0) return [...values];
  const out: number[] = [];
  let last = 0;
  let n = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) {
      out.push(v);
      continue;
    }
    last = last * w + (1 - w) * v;
    n += 1;
    out.push(last / (1 - w ** n));
  }
  return out;
}
