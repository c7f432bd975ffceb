// Seeded randomness: repeatable streams, proper permutations, independent derived seeds.
import { describe, expect, it } from 'vitest';
import { LabError } from '../../../../../src/shared/errors';
import { checkSeed, deriveSeed, mulberry32, seededPermutation, shuffleInPlace } from '../../../../../src/main/lab/data/random';

const draw = (seed: number, n: number) => {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => rng());
};

describe('mulberry32', () => {
  it('repeats its stream for the same seed and changes it for another seed', () => {
    expect(draw(42, 50)).toEqual(draw(42, 50));
    expect(draw(42, 50)).not.toEqual(draw(43, 50));
  });

  it('draws values in [0, 1) spread evenly over ten buckets', () => {
    const values = draw(7, 20_000);
    const buckets = new Array<number>(10).fill(0);
    for (const v of values) buckets[Math.floor(v * 10)]! += 1;
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    // Expected 2,000 per bucket; ±10% is many standard deviations (σ ≈ 42) yet catches a broken generator.
    for (const b of buckets) expect(Math.abs(b - 2000)).toBeLessThan(200);
  });
});

describe('seededPermutation', () => {
  it('contains every index exactly once', () => {
    const perm = seededPermutation(1000, 3);
    expect(Array.from(perm).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('is the same for the same seed and different for another', () => {
    expect(seededPermutation(100, 5)).toEqual(seededPermutation(100, 5));
    expect(seededPermutation(100, 5)).not.toEqual(seededPermutation(100, 6));
  });

  it('actually moves elements', () => {
    const perm = seededPermutation(100, 1);
    const fixed = Array.from(perm).filter((v, i) => v === i).length;
    expect(fixed).toBeLessThan(10);
  });
});

describe('shuffleInPlace', () => {
  it('shuffles plain arrays in place and returns them', () => {
    const items = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const out = shuffleInPlace(items, mulberry32(9));
    expect(out).toBe(items);
    expect([...items].sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  });
});

describe('deriveSeed', () => {
  it('gives distinct seeds per extra part and repeats for equal inputs', () => {
    const seeds = new Set(Array.from({ length: 100 }, (_, epoch) => deriveSeed(1, epoch)));
    expect(seeds.size).toBe(100);
    expect(deriveSeed(1, 2, 3)).toBe(deriveSeed(1, 2, 3));
    expect(deriveSeed(1, 2, 3)).not.toBe(deriveSeed(1, 3, 2));
    expect(deriveSeed(1, 2)).not.toBe(deriveSeed(1, 2, 0));
  });

  it('keeps seeds that differ only above 32 bits apart', () => {
    expect(deriveSeed(5)).not.toBe(deriveSeed(5 + 2 ** 32));
    expect(deriveSeed(-1)).not.toBe(deriveSeed(2 ** 32 - 1));
  });
});

describe('checkSeed', () => {
  it('accepts integers and rejects fractions, NaN and unsafe numbers naming the field', () => {
    expect(() => checkSeed(0)).not.toThrow();
    expect(() => checkSeed(-12)).not.toThrow();
    for (const bad of [1.5, Number.NaN, 2 ** 60]) {
      const err = (() => {
        try {
          checkSeed(bad, 'shuffleSeed');
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(LabError);
      expect((err as LabError).field).toBe('shuffleSeed');
      expect((err as LabError).message).toMatch(/shuffleSeed must be an integer/);
    }
  });
});
