// Seeded randomness for everything that must repeat exactly: dataset splits, batch order, sampled galleries.
import { LabError } from '../../../shared/errors';

/** A generator of uniform floats in [0, 1), deterministic for its seed. */
export type Rng = () => number;

/**
 * mulberry32: a 32-bit state generator, small and fast, with good enough statistics for shuffling.
 * Math.random cannot be seeded, so anything that must be reproducible uses this instead.
 */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Throws a LabError unless `seed` is a safe integer (negative values are allowed; they are folded to 32 bits). */
export function checkSeed(seed: number, field = 'seed'): void {
  if (!Number.isSafeInteger(seed)) throw new LabError('invalid_argument', `${field} must be an integer (got ${String(seed)})`, field);
}

/**
 * Mixes a seed with further integers (an epoch, a purpose tag) into one 32-bit seed.
 * Streams for (seed, epoch 0) and (seed, epoch 1) must not be shifted copies of each other,
 * which adding the numbers would give; a murmur3-style finaliser per part avoids that.
 */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let h = fold(seed) ^ 0x9e3779b9;
  for (const part of [...parts, parts.length]) {
    h = Math.imul(h ^ fold(part), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

// Keeps the high bits of seeds above 2^32 instead of dropping them.
function fold(n: number): number {
  const lo = n >>> 0;
  const hi = Math.floor(n / 4294967296) >>> 0;
  return (lo ^ Math.imul(hi, 0x27d4eb2d)) >>> 0;
}

/** A uniform integer in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** Fisher–Yates shuffle in place; returns the same array. */
export function shuffleInPlace<L extends { length: number; [i: number]: unknown }>(items: L, rng: Rng): L {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}

/** The numbers 0..n-1 in an order fixed by `seed`. */
export function seededPermutation(n: number, seed: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return shuffleInPlace(out, mulberry32(seed));
}
