// The one table of attacks: their kinds, defaults and limits, and the resolution of a request into the complete spec
// that runs, is stored with the evaluation and is shown next to its number. The UI displays these defaults; leaving
// a field empty takes the attack's own default and never changes the attack's kind.
import { LabError } from './errors';

export const ATTACK_KINDS = ['fgsm', 'pgd', 'pgd-cw', 'apgd-ce', 'apgd-t', 'square', 'autoattack'] as const;
export type AttackKind = (typeof ATTACK_KINDS)[number];
export const ATTACK_NORMS = ['infinity', 'l2'] as const;
export type AttackNorm = (typeof ATTACK_NORMS)[number];

/** The objective an attack climbs. ce: cross-entropy (as log-odds of a mistake); cw: the CW margin max_{j≠y} z_j − z_y;
 *  dlr-targeted: Croce & Hein's targeted DLR loss; margin: Square's margin loss on the logits. */
export type AttackLoss = 'ce' | 'cw' | 'dlr-targeted' | 'margin';

/** The components of the `autoattack` ensemble, run in this order on the points still robust. */
export const AUTOATTACK_SUITE: readonly Exclude<AttackKind, 'autoattack'>[] = ['apgd-ce', 'apgd-t', 'square'];

/** Upper bounds that keep a request from running for days; requests beyond them are refused. */
export const ATTACK_LIMITS = { steps: 10_000, restarts: 100, targets: 999, queries: 100_000 } as const;

export interface AttackDefaults {
  /** One-line description shown in the UI and `rlab help eval`. */
  summary: string;
  /** Gradient iterations (fgsm: 1; square: 0, it is query based). */
  steps: number;
  /** `null` = derived: fgsm ε, pgd/pgd-cw 2.5·ε/steps, apgd 2·ε (its initial step, then adapted). */
  stepSize: null;
  randomStart: boolean;
  restarts: number;
  loss: AttackLoss;
  /** apgd-t: how many target classes (the top ones after the true class); 0 for untargeted attacks. */
  targets: number;
  /** square: queries per example; 0 for gradient attacks. */
  queries: number;
  /** square: initial fraction of pixels in a square; 0 for gradient attacks. */
  pInit: number;
  /** Whether the user may change each field (fgsm's steps are always 1, square has no gradient steps, ...). */
  editable: readonly ('steps' | 'stepSize' | 'randomStart' | 'restarts' | 'targets' | 'queries' | 'pInit')[];
}

export const ATTACK_DEFAULTS: Record<AttackKind, AttackDefaults> = {
  fgsm: { summary: 'one signed-gradient step of size ε (Goodfellow et al. 2015)', steps: 1, stepSize: null, randomStart: false, restarts: 1, loss: 'ce', targets: 0, queries: 0, pInit: 0, editable: ['stepSize', 'randomStart'] },
  pgd: { summary: 'projected gradient ascent on the cross-entropy, random start, best point per example (Madry et al. 2018)', steps: 10, stepSize: null, randomStart: true, restarts: 1, loss: 'ce', targets: 0, queries: 0, pInit: 0, editable: ['steps', 'stepSize', 'randomStart', 'restarts'] },
  'pgd-cw': { summary: 'PGD on the Carlini–Wagner margin loss', steps: 10, stepSize: null, randomStart: true, restarts: 1, loss: 'cw', targets: 0, queries: 0, pInit: 0, editable: ['steps', 'stepSize', 'randomStart', 'restarts'] },
  'apgd-ce': { summary: 'Auto-PGD on the cross-entropy, step size adapted by checkpoints (Croce & Hein 2020)', steps: 100, stepSize: null, randomStart: true, restarts: 1, loss: 'ce', targets: 0, queries: 0, pInit: 0, editable: ['steps', 'restarts'] },
  'apgd-t': { summary: 'targeted Auto-PGD on the DLR loss over the top 9 other classes (Croce & Hein 2020)', steps: 100, stepSize: null, randomStart: true, restarts: 1, loss: 'dlr-targeted', targets: 9, queries: 0, pInit: 0, editable: ['steps', 'restarts', 'targets'] },
  square: { summary: 'score-based Square Attack, no gradients (Andriushchenko et al. 2020)', steps: 0, stepSize: null, randomStart: true, restarts: 1, loss: 'margin', targets: 0, queries: 5000, pInit: 0.8, editable: ['queries', 'pInit', 'restarts'] },
  autoattack: { summary: 'APGD-CE → APGD-T → Square on the points still robust; worst case per example (Croce & Hein 2020)', steps: 100, stepSize: null, randomStart: true, restarts: 1, loss: 'ce', targets: 9, queries: 5000, pInit: 0.8, editable: [] },
};

/** What a request may say about an attack; every omitted field takes the attack's default. */
export interface AttackRequest {
  attack: AttackKind;
  norm: AttackNorm;
  epsilon: number;
  steps?: number | undefined;
  stepSize?: number | undefined;
  randomStart?: boolean | undefined;
  restarts?: number | undefined;
  targets?: number | undefined;
  queries?: number | undefined;
  pInit?: number | undefined;
  /** Seed of every random draw of the attack (starts, squares). Default 0, so an evaluation repeats exactly. */
  seed?: number | undefined;
}

/** The complete spec an attack runs with: stored with its evaluation and shown wherever its number is shown. */
export interface ResolvedAttack {
  attack: AttackKind;
  norm: AttackNorm;
  epsilon: number;
  steps: number;
  /** fgsm/pgd/pgd-cw: the step; apgd: the initial step (2ε), then adapted; square: 0. */
  stepSize: number;
  randomStart: boolean;
  restarts: number;
  loss: AttackLoss;
  targets: number;
  queries: number;
  pInit: number;
  seed: number;
}

function fail(field: string, message: string): never {
  throw new LabError('invalid_argument', message, field);
}

const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

/** Checks that `epsilon` is a valid radius for `norm`; `pixels` (values per image) bounds l2 when known. */
export function checkEpsilon(epsilon: unknown, norm: AttackNorm, field = 'epsilon', pixels?: number): number {
  if (typeof epsilon !== 'number' || !Number.isFinite(epsilon)) fail(field, `${field} must be a finite number (got ${String(epsilon)})`);
  if (norm === 'infinity' && (epsilon < 0 || epsilon > 1)) fail(field, `${field} must be in [0, 1] for the infinity norm (got ${epsilon})`);
  if (norm === 'l2') {
    const max = pixels === undefined ? 28 : Math.sqrt(pixels);
    if (epsilon < 0 || epsilon > max) fail(field, `${field} must be in [0, ${Number(max.toFixed(3))}] for the l2 norm (got ${epsilon})`);
  }
  return epsilon;
}

function intIn(v: unknown, field: string, min: number, max: number): number {
  if (!isInteger(v) || v < min || v > max) fail(field, `${field} must be an integer in [${min}, ${max}] (got ${String(v)})`);
  return v;
}

/**
 * Validates a request and fills in its attack's defaults. `pixels` (h·w·c) bounds an l2 ε by the image diameter and
 * `classes` bounds apgd-t's targets by classes − 1, when known. Throws LabError('invalid_argument') naming the field.
 */
export function resolveAttack(req: AttackRequest, pixels?: number, classes?: number): ResolvedAttack {
  if (typeof req !== 'object' || req === null) fail('attack', 'the attack spec must be an object');
  if (!(ATTACK_KINDS as readonly string[]).includes(req.attack)) fail('attack', `attack must be one of ${ATTACK_KINDS.join(', ')} (got ${JSON.stringify(req.attack)})`);
  if (!(ATTACK_NORMS as readonly string[]).includes(req.norm)) fail('norm', `norm must be one of ${ATTACK_NORMS.join(', ')} (got ${JSON.stringify(req.norm)})`);
  const epsilon = checkEpsilon(req.epsilon, req.norm, 'epsilon', pixels);
  const d = ATTACK_DEFAULTS[req.attack];
  const given = (f: AttackDefaults['editable'][number]): boolean => req[f] !== undefined;
  for (const f of ['steps', 'stepSize', 'randomStart', 'restarts', 'targets', 'queries', 'pInit'] as const) {
    if (given(f) && !d.editable.includes(f)) {
      const same = f !== 'stepSize' && req[f] === d[f];
      if (!same) fail(f, `${f} cannot be set for ${req.attack} (${d.editable.length ? `it takes ${d.editable.join(', ')}` : 'it runs with fixed settings'})`);
    }
  }
  const steps = req.steps === undefined ? d.steps : intIn(req.steps, 'steps', 1, ATTACK_LIMITS.steps);
  const restarts = req.restarts === undefined ? d.restarts : intIn(req.restarts, 'restarts', 1, ATTACK_LIMITS.restarts);
  const maxTargets = classes === undefined ? ATTACK_LIMITS.targets : classes - 1;
  const targets = req.targets === undefined ? (classes === undefined ? d.targets : Math.min(d.targets, classes - 1)) : intIn(req.targets, 'targets', 1, maxTargets);
  const queries = req.queries === undefined ? d.queries : intIn(req.queries, 'queries', 1, ATTACK_LIMITS.queries);
  let pInit = d.pInit;
  if (req.pInit !== undefined) {
    if (typeof req.pInit !== 'number' || !(req.pInit > 0 && req.pInit <= 1)) fail('pInit', `pInit must be in (0, 1] (got ${String(req.pInit)})`);
    pInit = req.pInit;
  }
  let stepSize: number;
  if (req.stepSize !== undefined) {
    if (typeof req.stepSize !== 'number' || !Number.isFinite(req.stepSize) || req.stepSize <= 0 || req.stepSize > 28) fail('stepSize', `stepSize must be a number in (0, 28] (got ${String(req.stepSize)})`);
    stepSize = req.stepSize;
  } else if (req.attack === 'fgsm') stepSize = epsilon;
  else if (req.attack === 'pgd' || req.attack === 'pgd-cw') stepSize = (2.5 * epsilon) / steps;
  else if (req.attack === 'square') stepSize = 0;
  else stepSize = 2 * epsilon;
  const randomStart = req.randomStart ?? d.randomStart;
  if (typeof randomStart !== 'boolean') fail('randomStart', `randomStart must be true or false (got ${String(randomStart)})`);
  const seed = req.seed === undefined ? 0 : intIn(req.seed, 'seed', 0, 2 ** 31 - 1);
  return { attack: req.attack, norm: req.norm, epsilon, steps, stepSize, randomStart, restarts, loss: d.loss, targets, queries, pInit, seed };
}

type LabelFields = Pick<ResolvedAttack, 'attack' | 'norm' | 'epsilon' | 'steps' | 'restarts' | 'queries'>;

/** The attack's name without its threat model, e.g. "PGD-20 ×10", "APGD-T-100", "AutoAttack". */
export function attackName(a: Omit<LabelFields, 'norm' | 'epsilon'>): string {
  const restarts = a.restarts > 1 ? ` ×${a.restarts}` : '';
  const name: Record<AttackKind, string> = {
    fgsm: 'FGSM',
    pgd: `PGD-${a.steps}`,
    'pgd-cw': `PGD-CW-${a.steps}`,
    'apgd-ce': `APGD-CE-${a.steps}`,
    'apgd-t': `APGD-T-${a.steps}`,
    square: `Square-${a.queries}`,
    autoattack: 'AutoAttack',
  };
  return `${name[a.attack]}${restarts}`;
}

/** A short label for an attack as run, e.g. "PGD-20 ×10 ∞ ε0.3" or "AutoAttack L2 ε1.5". */
export function attackLabel(a: LabelFields): string {
  return `${attackName(a)} ${a.norm === 'infinity' ? '∞' : 'L2'} ε${a.epsilon}`;
}

const round4 = (x: number): string => String(Number(x.toPrecision(4)));

/** The settings beyond the label, shown next to every number: "10 steps of 0.025, random start, loss ce, seed 0". */
export function attackSettings(s: ResolvedAttack): string {
  const parts: string[] = [];
  if (s.attack === 'square') parts.push(`${s.queries} queries`, `p_init ${s.pInit}`);
  else if (s.attack === 'autoattack') parts.push(`APGD ${s.steps} steps`, `APGD-T ${s.targets} targets`, `Square ${s.queries} queries`);
  else {
    parts.push(`${s.steps} step${s.steps === 1 ? '' : 's'} of ${round4(s.stepSize)}${s.attack.startsWith('apgd') ? ' (initial)' : ''}`);
    if (s.targets > 0) parts.push(`${s.targets} targets`);
  }
  parts.push(s.randomStart ? 'random start' : 'no random start');
  if (s.restarts > 1) parts.push(`${s.restarts} restarts`);
  parts.push(`loss ${s.loss}`, `seed ${s.seed}`);
  return parts.join(', ');
}

/**
 * The request that resolves back to `a` (the fields the attack takes, plus its seed): what a module that resolves
 * again (the attack engine) is given, so a complete spec is never refused for naming a derived field.
 */
export function requestOf(a: ResolvedAttack): AttackRequest {
  const req: AttackRequest = { attack: a.attack, norm: a.norm, epsilon: a.epsilon, seed: a.seed };
  for (const f of ATTACK_DEFAULTS[a.attack].editable) (req as unknown as Record<string, unknown>)[f] = a[f];
  return req;
}

const SPEC_FIELDS = ['attack', 'norm', 'epsilon', 'steps', 'stepSize', 'randomStart', 'restarts', 'loss', 'targets', 'queries', 'pInit', 'seed'] as const;

/** Whether two specs run the same attack (ε and step sizes equal within float noise). */
export function sameAttack(a: ResolvedAttack, b: ResolvedAttack): boolean {
  return SPEC_FIELDS.every((f) => {
    const [x, y] = [a[f], b[f]];
    return typeof x === 'number' && typeof y === 'number' ? Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x)) : x === y;
  });
}
