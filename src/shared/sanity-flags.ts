// Sanity checks over one model's attack results (Carlini et al. 2019, "On evaluating adversarial robustness"; the
// checks AutoAttack's authors recommend). Each failed check says why the number it flags is possibly overstated.
// Pure: the store runs it after every suite, the CLI, UI and reports show what it returns.
import type { AttackKind, AttackNorm } from './attacks';
import type { SanityFlag } from './contract';
import { DEFENCE_INFO, fastAtAlpha, runDefence, type Defence } from './defences';

export type { SanityFlag };

/** One evaluated point of one model, as the checks need it. `attack` 'clean' is the unattacked accuracy. */
export interface SanityInput {
  attack: AttackKind | 'clean';
  norm: AttackNorm;
  epsilon: number;
  steps: number;
  /** null when not applicable (clean, square). */
  stepSize: number | null;
  restarts: number;
  randomStart: boolean;
  targets?: number;
  queries?: number;
  /** The run whose gradients made the perturbation; null = white-box. */
  sourceRunId: string | null;
  accuracy: number;
  count: number;
  /** Fraction of examples whose input gradient was exactly zero, when measured. */
  zeroGradFraction?: number | null;
  /** autoattack: cumulative accuracy after each component. */
  components?: readonly { attack: AttackKind; accuracy: number }[];
}

/** The checks, as a flag's `check` names them; its `reason` is the sentence shown next to the number. */
export type SanityCheck = 'non-monotone-eps' | 'above-clean' | 'linf-eps1-not-zero' | 'more-iterations-weaker' | 'whitebox-weaker-than-transfer' | 'square-beats-gradient' | 'zero-gradients' | 'at-chance';

export interface SanityOptions {
  /** Flag gradient attacks when more than this fraction of examples has a zero input gradient (default 0.01). */
  zeroGradThreshold?: number;
  /** How much stronger (accuracy points, as a fraction) Square may be than the gradient attacks (default 0.002). */
  squareMargin?: number;
}

const GRADIENT_ATTACKS: readonly (AttackKind | 'clean')[] = ['fgsm', 'pgd', 'pgd-cw', 'apgd-ce', 'apgd-t'];
const ITERATIVE_GRADIENT: readonly (AttackKind | 'clean')[] = ['pgd', 'pgd-cw', 'apgd-ce', 'apgd-t'];

const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;
const norm = (n: AttackNorm): string => (n === 'infinity' ? '∞' : 'L2');
const same = (a: number | null | undefined, b: number | null | undefined): boolean => (a ?? null) === (b ?? null) || (a != null && b != null && Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)));

function label(r: SanityInput): string {
  if (r.attack === 'clean') return 'clean';
  const name: Record<AttackKind, string> = { fgsm: 'FGSM', pgd: `PGD-${r.steps}`, 'pgd-cw': `PGD-CW-${r.steps}`, 'apgd-ce': `APGD-CE-${r.steps}`, 'apgd-t': `APGD-T-${r.steps}`, square: `Square-${r.queries ?? ''}`, autoattack: 'AutoAttack' };
  return `${name[r.attack]}${r.restarts > 1 ? ` ×${r.restarts}` : ''} ${norm(r.norm)} ε${r.epsilon}`;
}

/** Everything but the radius (and the step size derived from it): the same attack at another ε. */
function familyKey(r: SanityInput): string {
  return JSON.stringify([r.attack, r.norm, r.steps, r.restarts, r.randomStart, r.targets ?? null, r.queries ?? null, r.sourceRunId]);
}

/** Same schedule: the same step, or the same total path (steps × step), as PGD's 2.5·ε/steps default keeps. */
function sameSchedule(a: SanityInput, b: SanityInput): boolean {
  if (same(a.stepSize, b.stepSize)) return true;
  return a.stepSize != null && b.stepSize != null && same(a.stepSize * a.steps, b.stepSize * b.steps);
}

function atLeastAsStrong(a: SanityInput, b: SanityInput): boolean {
  const more = a.steps > b.steps || a.restarts > b.restarts || (a.queries ?? 0) > (b.queries ?? 0) || (a.targets ?? 0) > (b.targets ?? 0);
  const never = a.steps >= b.steps && a.restarts >= b.restarts && (a.queries ?? 0) >= (b.queries ?? 0) && (a.targets ?? 0) >= (b.targets ?? 0);
  return more && never;
}

/**
 * Runs every check over `results` (one model's points, any order) and returns, per input, its failed checks (empty
 * when none). A flagged number is "possibly overstated"; the reason says what was seen.
 */
export function sanityFlags(results: readonly SanityInput[], options: SanityOptions = {}): SanityFlag[][] {
  const zeroThreshold = options.zeroGradThreshold ?? 0.01;
  const squareMargin = options.squareMargin ?? 0.002;
  const flags: SanityFlag[][] = results.map(() => []);
  const add = (i: number, check: SanityCheck, reason: string): void => {
    if (!flags[i]!.some((f) => f.check === check)) flags[i]!.push({ check, reason: `possibly overstated: ${reason}` });
  };
  const attacked = results.map((r, i) => ({ r, i })).filter(({ r }) => r.attack !== 'clean' && r.epsilon > 0);

  // accuracy never rises with ε for the same attack, and never exceeds the clean accuracy
  const clean = results.find((r) => r.attack === 'clean' || r.epsilon === 0);
  for (const { r, i } of attacked) {
    if (clean !== undefined && r.accuracy > clean.accuracy) add(i, 'above-clean', `${label(r)} reads ${pct(r.accuracy)}, above the clean accuracy ${pct(clean.accuracy)}; an attack that cannot lower accuracy is not working.`);
    for (const { r: s } of attacked) {
      if (familyKey(s) === familyKey(r) && s.epsilon < r.epsilon && r.accuracy > s.accuracy) {
        add(i, 'non-monotone-eps', `accuracy rises from ${pct(s.accuracy)} at ε${s.epsilon} to ${pct(r.accuracy)} at ε${r.epsilon} under the same attack; a larger ball holds every adversarial example of a smaller one, so the attack misses some (gradient masking or too few steps).`);
      }
    }
  }

  // an ∞ radius of 1 reaches every image: a working white-box attack reads 0%
  for (const { r, i } of attacked) {
    if (r.norm === 'infinity' && r.epsilon >= 1 && r.sourceRunId === null && r.attack !== 'fgsm' && r.accuracy > 0) {
      add(i, 'linf-eps1-not-zero', `${label(r)} leaves ${pct(r.accuracy)} correct at ε = 1, where any image can be turned into any other; expect 0%.`);
    }
  }

  // more steps, restarts, targets or queries on the same schedule never make an attack weaker
  for (const { r, i } of attacked) {
    for (const { r: s } of attacked) {
      if (s.attack !== r.attack || s.norm !== r.norm || !same(s.epsilon, r.epsilon) || s.sourceRunId !== r.sourceRunId || s.randomStart !== r.randomStart) continue;
      if (atLeastAsStrong(r, s) && sameSchedule(r, s) && r.accuracy > s.accuracy) {
        add(i, 'more-iterations-weaker', `${label(r)} reads ${pct(r.accuracy)}, higher than the weaker ${label(s)} at ${pct(s.accuracy)}; more iterations on the same schedule should never help the model.`);
      }
    }
  }

  // a white-box attack has the model's own gradients: it should beat the same attack transferred from another model
  for (const { r, i } of attacked) {
    if (r.sourceRunId !== null) continue;
    for (const { r: s } of attacked) {
      if (s.sourceRunId !== null && s.attack === r.attack && s.norm === r.norm && same(s.epsilon, r.epsilon) && r.accuracy > s.accuracy) {
        add(i, 'whitebox-weaker-than-transfer', `white-box ${label(r)} reads ${pct(r.accuracy)} but the same attack transferred from another model reads ${pct(s.accuracy)}; the model's own gradients mislead the attack (gradient masking).`);
      }
    }
  }

  // a gradient-free attack clearly beating the gradient attacks means the gradients are uninformative
  const groups = new Map<string, { r: SanityInput; i: number }[]>();
  for (const e of attacked) {
    if (e.r.sourceRunId !== null) continue;
    const key = JSON.stringify([e.r.norm, e.r.epsilon]);
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  for (const group of groups.values()) {
    const gradient = group.filter(({ r }) => ITERATIVE_GRADIENT.includes(r.attack));
    for (const { r: sq } of group.filter(({ r }) => r.attack === 'square')) {
      for (const { r, i } of gradient) {
        if (r.accuracy - sq.accuracy > squareMargin) add(i, 'square-beats-gradient', `the gradient-free ${label(sq)} reads ${pct(sq.accuracy)}, ${(100 * (r.accuracy - sq.accuracy)).toFixed(1)} points below ${label(r)} (${pct(r.accuracy)}); the gradients are uninformative (gradient masking).`);
      }
    }
    for (const { r, i } of group.filter(({ r }) => r.attack === 'autoattack' && (r.components?.length ?? 0) >= 2)) {
      const comps = r.components!;
      const squareAt = comps.findIndex((c) => c.attack === 'square');
      if (squareAt < 1) continue;
      const before = comps[squareAt - 1]!.accuracy;
      const after = comps[squareAt]!.accuracy;
      if (before - after > squareMargin) {
        add(i, 'square-beats-gradient', `Square still fooled ${(100 * (before - after)).toFixed(1)} points of the examples APGD-CE and APGD-T left robust (${pct(before)} → ${pct(after)}); the gradients are uninformative, so even this worst case may miss adversarial examples.`);
        for (const { r: g, i: gi } of gradient) if (g.accuracy > after + squareMargin) add(gi, 'square-beats-gradient', `AutoAttack's gradient-free Square component reads ${pct(after)}, below ${label(g)} (${pct(g.accuracy)}); the gradients are uninformative (gradient masking).`);
      }
    }
  }

  // gradient attacks cannot move an example whose input gradient is exactly zero
  for (const { r, i } of attacked) {
    const z = r.zeroGradFraction;
    if (z != null && z > zeroThreshold && (GRADIENT_ATTACKS.includes(r.attack) || r.attack === 'autoattack')) {
      add(i, 'zero-gradients', `${pct(z)} of the examples have an input gradient of exactly zero, so gradient steps cannot move them (gradient masking); check with Square or a transfer attack.`);
    }
  }
  return flags;
}

/** What the at-chance check needs to know about a trained run. */
export interface ChanceInput {
  numClasses: number;
  /** Epochs trained, and the training accuracy of the last one (null: none trained, e.g. an imported model). */
  epochs: number;
  lastTrainAccuracy: number | null;
  /** The clean test accuracy, when measured. */
  cleanAccuracy: number | null;
  role: 'base' | 'adv';
  defence?: Defence | undefined;
}

/** How far above 1/classes an accuracy may be and still count as chance. */
export const CHANCE_MARGIN = 0.05;

/** What to change when a run stays at chance, per defence: its training signal is too hard for the model to fit. */
function chanceAdvice(d: Defence, epochs: number): string {
  const rampHint = (r: number): string => (r > 0 ? `ramp ε over more epochs (epsilonRampEpochs, now ${r})` : `ramp ε from 0 (epsilonRampEpochs, e.g. ${Math.max(1, Math.round(epochs / 3))})`);
  const title = DEFENCE_INFO[d.method].title;
  switch (d.method) {
    case 'standard':
      return 'train longer or change the learning rate, and check the data and labels';
    case 'nsl':
      return `for ${title}, lower the multiplier or the neighbour's step (advStepSize, pgdEpsilon)`;
    case 'pgd-at':
      return `for ${title} at ε ${d.epsilon}, ${rampHint(d.epsilonRampEpochs)} or lower ε`;
    case 'trades':
    case 'mart':
      return `for ${title} at ε ${d.epsilon}, ${rampHint(d.epsilonRampEpochs)}, lower β (${d.beta}) or lower ε`;
    case 'fast-at':
      return `for ${title} at ε ${d.epsilon}, lower α (${fastAtAlpha(d)}) or ε, or lrMax (${d.lrMax})`;
  }
}

/**
 * A run whose model stayed at chance: training accuracy ≤ 1/classes + CHANCE_MARGIN in its last epoch, or clean test
 * accuracy at chance. Its robust accuracies mean nothing (a constant classifier is "robust"), so the flag says what
 * to change. null when the run learned.
 */
export function chanceFlag(input: ChanceInput): SanityFlag | null {
  const chance = 1 / input.numClasses;
  const limit = chance + CHANCE_MARGIN;
  const seen: string[] = [];
  if (input.lastTrainAccuracy !== null && input.epochs > 0 && input.lastTrainAccuracy <= limit) seen.push(`train accuracy ${pct(input.lastTrainAccuracy)} after ${input.epochs} epoch${input.epochs === 1 ? '' : 's'}`);
  if (input.cleanAccuracy !== null && input.cleanAccuracy <= limit) seen.push(`clean test accuracy ${pct(input.cleanAccuracy)}`);
  if (seen.length === 0) return null;
  const d = runDefence(input);
  return {
    check: 'at-chance',
    reason: `stayed at chance (${seen.join(', ')}; chance is ${pct(chance)}): ${chanceAdvice(d, input.epochs)}; until the model learns, its robust accuracy means nothing.`,
  };
}

/** The short word a table shows beside a flagged number: a model at chance is not an overstated robust accuracy. */
export function flagSummary(flags: readonly Pick<SanityFlag, 'check'>[]): string {
  if (flags.length === 0) return '';
  return flags.every((f) => f.check === 'at-chance') ? 'stayed at chance' : 'possibly overstated';
}
