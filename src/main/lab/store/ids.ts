// Identifiers for experiments, runs and jobs: a prefix plus 10 random base62 characters from the OS's CSPRNG.
import { randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ID_LENGTH = 10;
// 248 = 4·62: bytes at or above it are skipped so every character is equally likely (no modulo bias).
const UNBIASED_LIMIT = 248;

/** 10 random characters from [0-9A-Za-z]; 62^10 ≈ 8·10^17 values, so collisions are not a practical concern. */
export function randomBase62(length = ID_LENGTH): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte >= UNBIASED_LIMIT) continue;
      out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

export const newExperimentId = (): string => `exp_${randomBase62()}`;
export const newRunId = (): string => `run_${randomBase62()}`;
export const newJobId = (): string => `job_${randomBase62()}`;
export const newSweepId = (): string => `swp_${randomBase62()}`;
