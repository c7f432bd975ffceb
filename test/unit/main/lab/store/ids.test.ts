// Identifier generation: prefix + 10 base62 characters, drawn without bias.
import { describe, expect, it } from 'vitest';
import { newExperimentId, newJobId, newRunId } from '../../../../../src/main/lab/store';
import { randomBase62 } from '../../../../../src/main/lab/store/ids';

describe('ids', () => {
  it('have the documented prefixes and form, and match the request schemas', () => {
    expect(newRunId()).toMatch(/^run_[0-9A-Za-z]{10}$/);
    expect(newExperimentId()).toMatch(/^exp_[0-9A-Za-z]{10}$/);
    expect(newJobId()).toMatch(/^job_[0-9A-Za-z]{10}$/);
  });

  it('do not repeat and use the whole alphabet about evenly', () => {
    const ids = Array.from({ length: 5000 }, () => randomBase62());
    expect(new Set(ids).size).toBe(ids.length);
    const counts = new Map<string, number>();
    for (const c of ids.join('')) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(62);
    // 50,000 draws over 62 symbols: expected 806 each, standard deviation ≈ 28; ±25% is > 7σ.
    for (const n of counts.values()) {
      expect(n).toBeGreaterThan(806 * 0.75);
      expect(n).toBeLessThan(806 * 1.25);
    }
  });
});
