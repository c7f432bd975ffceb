// Attack specifications for the attacks module: the one table of kinds and defaults lives in src/shared/attacks.ts;
// this file adapts it (AttackSpec = the shared request) and adds what only the engine needs (batches, seeds).
import { LabError } from '../../../shared/errors';
import { resolveAttack, type AttackRequest, type ResolvedAttack } from '../../../shared/attacks';

export { ATTACK_DEFAULTS, ATTACK_KINDS, ATTACK_NORMS, AUTOATTACK_SUITE, checkEpsilon, resolveAttack, type AttackKind, type AttackLoss, type AttackNorm, type AttackRequest, type ResolvedAttack } from '../../../shared/attacks';

/** What to run: the shared attack request (every omitted field takes the attack's default). */
export type AttackSpec = AttackRequest;

export const DEFAULT_BATCH_SIZE = 256;

/**
 * Validates a spec and fills in its defaults with the shared table. `pixels` (h·w·c) bounds an l2 ε by the image
 * diameter and `classes` bounds apgd-t's targets, when known. Throws LabError('invalid_argument') naming the field.
 */
export function resolveAttackSpec(spec: AttackSpec, pixels?: number, classes?: number): ResolvedAttack {
  return resolveAttack(spec, pixels, classes);
}

/** Validates a batch size (integer ≥ 1). */
export function checkBatchSize(batchSize: unknown): number {
  if (typeof batchSize !== 'number' || !Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new LabError('invalid_argument', `batchSize must be an integer ≥ 1 (got ${String(batchSize)})`, 'batchSize');
  }
  return batchSize;
}

/** Mixes integers into a 31-bit seed, so batches, restarts and iterations draw independent randomness from one spec seed. */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    for (const word of [p | 0, Math.floor(p / 2 ** 32) | 0]) {
      h = Math.imul(h ^ (word & 0xffff), 0x01000193);
      h = Math.imul(h ^ ((word >>> 16) & 0xffff), 0x01000193);
    }
  }
  return (h >>> 1) & 0x7fffffff;
}
