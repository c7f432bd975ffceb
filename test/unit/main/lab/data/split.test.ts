// Seeded train/test splits: deterministic, disjoint, honouring sizes, defaults and official splits.
import { describe, expect, it } from 'vitest';
import { LabError } from '../../../../../src/shared/errors';
import { splitDataset } from '../../../../../src/main/lab/data/split';

const pool = (count: number) => ({ id: 'pool', count });
const official = { id: 'full', count: 700, predefinedSplit: { train: 600, test: 100 } };

function expectDisjointAndInRange(train: Uint32Array, test: Uint32Array, count: number): void {
  const all = new Set([...train, ...test]);
  expect(all.size).toBe(train.length + test.length);
  expect([...all].filter((i) => i >= count)).toEqual([]);
}

describe('splitDataset on a pool', () => {
  it('defaults to 8,000 train and 2,000 test examples of 10,000, disjoint', () => {
    const { train, test } = splitDataset(pool(10_000), { seed: 1 });
    expect(train.length).toBe(8000);
    expect(test.length).toBe(2000);
    expectDisjointAndInRange(train, test, 10_000);
  });

  it('gives the same split for the same seed and another for a different seed', () => {
    const a = splitDataset(pool(1000), { trainSize: 600, testSize: 200, seed: 11 });
    const b = splitDataset(pool(1000), { trainSize: 600, testSize: 200, seed: 11 });
    const c = splitDataset(pool(1000), { trainSize: 600, testSize: 200, seed: 12 });
    expect(a).toEqual(b);
    expect(a.train).not.toEqual(c.train);
  });

  it('keeps the test set fixed when only trainSize changes', () => {
    const small = splitDataset(pool(1000), { trainSize: 100, testSize: 200, seed: 3 });
    const large = splitDataset(pool(1000), { trainSize: 800, testSize: 200, seed: 3 });
    expect(small.test).toEqual(large.test);
    expect(Array.from(large.train.subarray(0, 100))).toEqual(Array.from(small.train));
  });

  it('caps the defaults at 80% / 20% of a small pool', () => {
    const { train, test } = splitDataset(pool(500), { seed: 0 });
    expect([train.length, test.length]).toEqual([400, 100]);
    expect(splitDataset(pool(500), { seed: 0, testSize: 300 }).train.length).toBe(200);
  });

  it('rejects sizes beyond the pool, naming the numbers', () => {
    expect(() => splitDataset(pool(1000), { trainSize: 900, testSize: 200, seed: 0 })).toThrow('trainSize + testSize must be ≤ 1000, the number of examples in "pool" (got 900 + 200)');
  });

  it('rejects non-integer and non-positive sizes and bad seeds with the field named', () => {
    const cases: Array<[Parameters<typeof splitDataset>[1], string]> = [
      [{ trainSize: 0, seed: 0 }, 'trainSize'],
      [{ trainSize: 10.5, seed: 0 }, 'trainSize'],
      [{ testSize: -1, seed: 0 }, 'testSize'],
      [{ seed: 0.5 }, 'seed'],
    ];
    for (const [options, field] of cases) {
      try {
        splitDataset(pool(100), options);
        expect.fail(`accepted ${JSON.stringify(options)}`);
      } catch (err) {
        expect(err).toBeInstanceOf(LabError);
        expect((err as LabError).field).toBe(field);
      }
    }
  });
});

describe('splitDataset with an official split', () => {
  it('draws train only from the training part and test only from the test part', () => {
    const { train, test } = splitDataset(official, { trainSize: 500, testSize: 80, seed: 4 });
    expect(train.length).toBe(500);
    expect(test.length).toBe(80);
    expect(Math.max(...train)).toBeLessThan(600);
    expect(Math.min(...test)).toBeGreaterThanOrEqual(600);
    expectDisjointAndInRange(train, test, 700);
    expect(splitDataset(official, { trainSize: 500, testSize: 80, seed: 4 })).toEqual({ train, test });
  });

  it('defaults to at most 8,000 / 2,000 within the parts', () => {
    const { train, test } = splitDataset(official, { seed: 4 });
    expect([train.length, test.length]).toEqual([600, 100]);
  });

  it('rejects asking for more than a part holds', () => {
    expect(() => splitDataset(official, { trainSize: 601, seed: 0 })).toThrow(/trainSize must be ≤ 600, the size of the official training part/);
    expect(() => splitDataset(official, { testSize: 101, seed: 0 })).toThrow(/testSize must be ≤ 100, the size of the official test part/);
  });
});
