// Attack specifications: the user-facing AttackSpec, its validation, and the fully resolved form the attack runs on.
import { LabError } from '../../../shared/errors';

export type AttackKind = 'fgsm' | 'pgd';
export type AttackNorm = 'infinity' | 'l2';

export const ATTACK_KINDS: readonly AttackKind[] = ['fgsm', 'pgd'];
export const ATTACK_NORMS: readonly AttackNorm[] = ['infinity', 'l2'];

/** What to run. Optional fields take the defaults listed; `resolveAttackSpec` returns the values actually used. */
export interface AttackSpec {
  /** fgsm: one step of size ε from the clean input; pgd: projected gradient ascent. */
  attack: AttackKind;
  /** The threat model: the ball the perturbation stays in, and the norm of each ascent step. */
  norm: AttackNorm;
  /** Radius of the ball. infinity: in [0, 1]; l2: in [0, √(pixels per image)] (the diameter of [0,1]^d). */
  epsilon: number;
  /** Ascent steps. pgd: integer ≥ 1, default 10; fgsm: must be 1 when given. */
  steps?: number;
  /** Size of each step. Default pgd: 2.5·ε/steps, fgsm: ε. Must be > 0. */
  stepSize?: number;
  /** Start from a uniform sample of the ε-ball (clipped to [0,1]) instead of the clean input. Default pgd: true, fgsm: false. */
  randomStart?: boolean;
  /** Independent starts; per example the input that fools the model, else the one with the highest loss, is kept. Default 1. */
  restarts?: number;
  /** Seed of the random starts (integer). Default 0, so that an evaluation can be repeated exactly. */
  seed?: number;
}

/** An AttackSpec with every default filled in. */
export interface ResolvedAttack {
  attack: AttackKind;
  norm: AttackNorm;
  epsilon: number;
  steps: number;
  stepSize: number;
  randomStart: boolean;
  restarts: number;
  seed: number;
}

export const DEFAULT_PGD_STEPS = 10;
export const DEFAULT_BATCH_SIZE = 256;

function fail(field: string, message: string): never {
  throw new LabError('invalid_argument', message, field);
}

function isInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

/** Checks that `epsilon` is a valid radius for `norm`; `pixels` (values per image) bounds l2 when known. */
export function checkEpsilon(epsilon: unknown, norm: AttackNorm, field = 'epsilon', pixels?: number): number {
  if (typeof epsilon !== 'number' || !Number.isFinite(epsilon)) fail(field, `${field} must be a finite number (got ${String(epsilon)})`);
  if (norm === 'infinity' && (epsilon < 0 || epsilon > 1)) fail(field, `${field} must be in [0, 1] for the infinity norm (got ${epsilon})`);
  if (norm === 'l2') {
    const max = pixels === undefined ? Infinity : Math.sqrt(pixels);
    if (epsilon < 0 || epsilon > max) fail(field, `${field} must be in [0, ${pixels === undefined ? '∞' : max.toFixed(3)}] for the l2 norm (got ${epsilon})`);
  }
  return epsilon;
}

/**
 * Validates a spec and fills in its defaults. Throws LabError('invalid_argument') naming the first bad field.
 * `pixels` is the number of values per image (h·w·c); when given, an l2 ε beyond the image diameter is rejected.
 */
export function resolveAttackSpec(spec: AttackSpec, pixels?: number): ResolvedAttack {
  if (typeof spec !== 'object' || spec === null) fail('spec', 'the attack spec must be an object');
  if (!ATTACK_KINDS.includes(spec.attack)) fail('attack', `attack must be one of ${ATTACK_KINDS.join(', ')} (got ${JSON.stringify(spec.attack)})`);
  if (!ATTACK_NORMS.includes(spec.norm)) fail('norm', `norm must be one of ${ATTACK_NORMS.join(', ')} (got ${JSON.stringify(spec.norm)})`);
  const epsilon = checkEpsilon(spec.epsilon, spec.norm, 'epsilon', pixels);
  const fgsm = spec.attack === 'fgsm';

  let steps = fgsm ? 1 : DEFAULT_PGD_STEPS;
  if (spec.steps !== undefined) {
    if (!isInteger(spec.steps) || spec.steps < 1) fail('steps', `steps must be an integer ≥ 1 (got ${String(spec.steps)})`);
    if (fgsm && spec.steps !== 1) fail('steps', `steps must be 1 for fgsm (got ${spec.steps}); use pgd for several steps`);
    steps = spec.steps;
  }

  let stepSize = fgsm ? epsilon : (2.5 * epsilon) / steps;
  if (spec.stepSize !== undefined) {
    if (typeof spec.stepSize !== 'number' || !Number.isFinite(spec.stepSize) || spec.stepSize <= 0) {
      fail('stepSize', `stepSize must be a finite number > 0 (got ${String(spec.stepSize)})`);
    }
    stepSize = spec.stepSize;
  }

  const randomStart = spec.randomStart ?? !fgsm;
  if (typeof randomStart !== 'boolean') fail('randomStart', `randomStart must be true or false (got ${String(randomStart)})`);

  const restarts = spec.restarts ?? 1;
  if (!isInteger(restarts) || restarts < 1) fail('restarts', `restarts must be an integer ≥ 1 (got ${String(restarts)})`);

  const seed = spec.seed ?? 0;
  if (!isInteger(seed)) fail('seed', `seed must be an integer (got ${String(seed)})`);

  return { attack: spec.attack, norm: spec.norm, epsilon, steps, stepSize, randomStart, restarts, seed };
}

/** Validates a batch size (integer ≥ 1). */
export function checkBatchSize(batchSize: unknown): number {
  if (!isInteger(batchSize) || batchSize < 1) fail('batchSize', `batchSize must be an integer ≥ 1 (got ${String(batchSize)})`);
  return batchSize;
}

/** Mixes integers into a 31-bit seed, so batches and restarts draw independent random starts from one spec seed. */
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
