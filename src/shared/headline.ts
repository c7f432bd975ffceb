// The headline robust accuracy of a run: one ensemble at one norm and ε on one test subset, named in full, and the
// rule that decides whether two headlines may be ranked against each other.
import { type AttackNorm } from './attacks';
import { checkpointMarker, modelName } from './model-evaluations';

/** The norm and ε every headline is reported at (the MNIST ∞ convention of NSL's tutorial). */
export const HEADLINE_NORM: AttackNorm = 'infinity';
export const HEADLINE_EPSILON = 0.2;
/** The attack a headline is taken from when a run has it; otherwise the worst case over every attack at that ε. */
export const HEADLINE_ATTACK = 'autoattack';

export interface Headline {
  accuracy: number;
  correct: number;
  count: number;
  interval: { low: number; high: number };
  /** What was run: "AutoAttack", or "worst of FGSM, PGD-20" when the run has no AutoAttack at this ε. */
  attack: string;
  norm: AttackNorm;
  epsilon: number;
  /** Dataset id and sha-256 prefix of the test indices: the same hash means the same images in the same order. */
  dataset: string;
  indicesHash: string;
  /** Reasons the number may be overstated (from the sanity checks of its evaluations); empty when none failed. */
  flags: string[];
  /** Set when the number is of an epoch checkpoint's weights (a run evaluated before training finished): that epoch. Absent: the run's saved model. */
  modelEpoch?: number;
}

const NORM_SIGN: Record<AttackNorm, string> = { infinity: '∞', l2: 'L2' };

/** "2,000" — thousands separated, independent of the host's locale. */
function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * The headline in full, e.g. "AutoAttack ∞ ε0.2, 2,000 images", "AutoAttack ∞ ε0.2, 2,000 images (epoch 3
 * checkpoint)" or, over seeds, "AutoAttack ∞ ε0.2, 2,000 images, 3 seeds".
 */
export function headlineName(h: Pick<Headline, 'attack' | 'norm' | 'epsilon' | 'count' | 'modelEpoch'>, seeds?: number): string {
  const marker = checkpointMarker(h.modelEpoch);
  const base = `${h.attack} ${NORM_SIGN[h.norm]} ε${Number(h.epsilon.toPrecision(6))}, ${count(h.count)} images${marker ? ` (${marker})` : ''}`;
  return seeds === undefined ? base : `${base}, ${seeds} seed${seeds === 1 ? '' : 's'}`;
}

/**
 * Everything two headlines must share to be ranked: the attack (as run), norm, ε, the exact test images, and the kind
 * of model (a checkpoint's number is never ranked against final models').
 */
export function headlineKey(h: Pick<Headline, 'attack' | 'norm' | 'epsilon' | 'count' | 'dataset' | 'indicesHash' | 'modelEpoch'>): string {
  return JSON.stringify([h.attack, h.norm, Number(h.epsilon.toPrecision(9)), h.count, h.dataset, h.indicesHash, h.modelEpoch ?? null]);
}

export function comparableHeadlines(a: Headline | null, b: Headline | null): boolean {
  return a !== null && b !== null && headlineKey(a) === headlineKey(b);
}

/**
 * The headline most of `items` share (ties: the first seen): the reference that sorting and Compare rank against.
 * Items with another headline, or none, are incomparable with it.
 */
export function referenceHeadline(items: readonly { headline: Headline | null }[]): Headline | null {
  const seen = new Map<string, { first: Headline; n: number }>();
  let best: { first: Headline; n: number } | null = null;
  for (const it of items) {
    if (it.headline === null) continue;
    const k = headlineKey(it.headline);
    const entry = seen.get(k) ?? { first: it.headline, n: 0 };
    entry.n += 1;
    seen.set(k, entry);
    if (best === null || entry.n > best.n) best = entry;
  }
  return best?.first ?? null;
}

/** Why a headline cannot be ranked against the reference, for a tooltip or a CLI note; null when it can. */
export function incomparableReason(h: Headline | null, reference: Headline | null): string | null {
  if (h === null) return 'no headline robust accuracy (no attack at the headline ε)';
  if (reference === null || headlineKey(h) === headlineKey(reference)) return null;
  const diffs: string[] = [];
  if (h.attack !== reference.attack) diffs.push(`attack ${h.attack} vs ${reference.attack}`);
  if (h.norm !== reference.norm || h.epsilon !== reference.epsilon) diffs.push(`threat model ${NORM_SIGN[h.norm]} ε${h.epsilon} vs ${NORM_SIGN[reference.norm]} ε${reference.epsilon}`);
  if (h.dataset !== reference.dataset || h.indicesHash !== reference.indicesHash || h.count !== reference.count) {
    diffs.push(`test images ${h.dataset} ${count(h.count)} #${h.indicesHash.slice(0, 8)} vs ${reference.dataset} ${count(reference.count)} #${reference.indicesHash.slice(0, 8)}`);
  }
  if ((h.modelEpoch ?? null) !== (reference.modelEpoch ?? null)) diffs.push(`model ${modelName(h.modelEpoch)} vs ${modelName(reference.modelEpoch)}`);
  return `incomparable: ${diffs.join('; ')}`;
}
