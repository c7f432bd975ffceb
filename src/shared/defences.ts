// The one table of training defences: their methods, parameters, paper defaults, limits and descriptions, and the
// schema of a defence entry in an experiment config. The CLI flags, the New-experiment form, the engine worker and
// the bench all read it from here.
import { z } from 'zod';
import { ATTACK_NORMS } from './attacks';
import { type AdvRegOverrides, AdvRegOverridesSchema } from './adv-reg-schema';

export const DEFENCE_METHODS = ['standard', 'nsl', 'pgd-at', 'trades', 'mart', 'fast-at'] as const;
export type DefenceMethod = (typeof DEFENCE_METHODS)[number];

/** Upper bounds that keep a config from training for weeks; values beyond them are refused. */
export const DEFENCE_LIMITS = { steps: 1000, beta: 1000, rampEpochs: 1000, lrMax: 1, overfitDrop: 1 } as const;

/** ε's allowed range per norm (images in [0, 1]: ∞ up to 1, L2 up to 28, the diagonal of a 28×28 image in [0, 1]). */
export const DEFENCE_EPSILON_MAX = { infinity: 1, l2: 28 } as const;

export interface DefenceInfo {
  /** Short label for buttons and table cells. */
  title: string;
  /** One line for help texts and the form, with its reference. */
  summary: string;
  reference: string;
  /** What its training curves hold: the loss it minimises, and the adversarial term (`scaled_adversarial_loss`). */
  curves: { loss: string; adversarial: string };
}

export const DEFENCE_INFO: Record<DefenceMethod, DefenceInfo> = {
  standard: {
    title: 'Standard',
    summary: 'plain cross-entropy on clean images, no defence',
    reference: '',
    curves: { loss: 'Loss (cross-entropy on clean images)', adversarial: 'Adversarial term (none: 0)' },
  },
  nsl: {
    title: 'NSL',
    summary: "NSL's adversarial regularization: clean loss + multiplier · loss on a gradient neighbour (one step, or PGD)",
    reference: 'Goodfellow et al. 2015; TensorFlow Neural Structured Learning 1.4',
    curves: { loss: 'Loss (labeled + multiplier · adversarial)', adversarial: 'Scaled adversarial loss (multiplier · neighbour loss)' },
  },
  'pgd-at': {
    title: 'PGD-AT',
    summary: 'adversarial training: the loss of the PGD adversary (random start, signed steps) only',
    reference: 'Madry et al. 2018, "Towards Deep Learning Models Resistant to Adversarial Attacks"',
    curves: { loss: 'Loss (cross-entropy on the PGD point)', adversarial: 'Adversarial loss (the whole loss)' },
  },
  trades: {
    title: 'TRADES',
    summary: "clean cross-entropy + β · KL(p(x) ‖ p(x′)), x′ maximising the KL from x + 0.001·N(0, 1)",
    reference: 'Zhang et al. 2019, "Theoretically Principled Trade-off between Robustness and Accuracy"',
    curves: { loss: 'Loss (clean cross-entropy + β · KL)', adversarial: 'β · KL(p(x) ‖ p(x′))' },
  },
  mart: {
    title: 'MART',
    summary: 'boosted cross-entropy on the PGD point + β · KL weighted by how misclassified the clean point is',
    reference: 'Wang et al. 2020, "Improving Adversarial Robustness Requires Revisiting Misclassified Examples"',
    curves: { loss: 'Loss (boosted cross-entropy + β · weighted KL)', adversarial: 'Adversarial loss (the whole loss)' },
  },
  'fast-at': {
    title: 'Fast-AT',
    summary: 'one FGSM step of α = 1.25ε from a uniform random start, cyclic learning rate, early stop on catastrophic overfitting',
    reference: 'Wong et al. 2020, "Fast is better than free: Revisiting adversarial training"',
    curves: { loss: 'Loss (cross-entropy on the FGSM point)', adversarial: 'Adversarial loss (the whole loss)' },
  },
};

const finite = () => z.number().refine(Number.isFinite, { message: 'must be a finite number' });
const int = (min: number, max: number) => z.number().int().min(min).max(max);
const label = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be 1 to 40 lowercase letters, digits or dashes, starting with a letter or digit')
  .optional();

/**
 * The inner maximisation shared by PGD-AT, TRADES and MART: `steps` signed (∞) or normalised (L2) gradient steps of
 * `stepSize`, projected onto the ε-ball and [0, 1]. `epsilonRampEpochs` > 0 grows the training ε linearly from 0 to
 * `epsilon` over that many epochs (step by step), which the tutorial CNN needs to leave chance at ε 0.3.
 */
const innerMax = {
  norm: z.enum(ATTACK_NORMS).default('infinity'),
  epsilon: finite().gt(0).default(0.3),
  steps: int(1, DEFENCE_LIMITS.steps).default(40),
  stepSize: finite().gt(0).default(0.01),
  epsilonRampEpochs: finite().min(0).max(DEFENCE_LIMITS.rampEpochs).default(0),
};

/** ε in the norm's range and (for iterative methods) a step no larger than ε. */
function checkBall(d: { norm: 'infinity' | 'l2'; epsilon: number; stepSize?: number }, ctx: z.RefinementCtx): void {
  const max = DEFENCE_EPSILON_MAX[d.norm];
  if (d.epsilon > max) ctx.addIssue({ code: 'custom', path: ['epsilon'], message: `must be in (0, ${max}] for norm ${d.norm}` });
  if (d.stepSize !== undefined && d.stepSize > d.epsilon) ctx.addIssue({ code: 'custom', path: ['stepSize'], message: `must be in (0, epsilon = ${d.epsilon}]` });
}

/**
 * The PGD neighbour of an NSL defence (the issue's NSL-PGD): 40 L∞ steps of 0.01 from a random start, projected onto
 * ε 0.3 and clipped to [0, 1] (Madry et al.'s MNIST adversary) instead of NSL's one gradient step.
 */
export const PGD_NEIGHBOUR: Readonly<AdvRegOverrides> = Object.freeze({
  advGradNorm: 'infinity',
  pgdIterations: 40,
  pgdEpsilon: 0.3,
  advStepSize: 0.01,
  randomInit: true,
  clipValueMin: 0,
  clipValueMax: 1,
});

export const StandardDefenceSchema = z.object({ method: z.literal('standard'), label }).strict();

/** `advReg` replaces fields of the experiment's advReg for this run (e.g. a PGD neighbour); omitted = the experiment's. */
export const NslDefenceSchema = z.object({ method: z.literal('nsl'), label, advReg: AdvRegOverridesSchema.optional() }).strict();

export const PgdAtDefenceSchema = z.object({ method: z.literal('pgd-at'), label, ...innerMax, randomStart: z.boolean().default(true) }).strict().superRefine(checkBall);

export const TradesDefenceSchema = z.object({ method: z.literal('trades'), label, ...innerMax, beta: finite().min(0).max(DEFENCE_LIMITS.beta).default(6) }).strict().superRefine(checkBall);

export const MartDefenceSchema = z.object({ method: z.literal('mart'), label, ...innerMax, beta: finite().min(0).max(DEFENCE_LIMITS.beta).default(6) }).strict().superRefine(checkBall);

/**
 * Wong et al.'s MNIST recipe: ε 0.3, α 0.375 (1.25ε), learning rate cycled 0 → lrMax (at 2/5 of training) → 0.
 * The guard measures PGD accuracy on a fixed part of the training data after every epoch and, when it falls by more
 * than `overfitDrop` below the best epoch's, stops and keeps the best epoch's weights.
 */
export const FastAtDefenceSchema = z
  .object({
    method: z.literal('fast-at'),
    label,
    norm: z.enum(ATTACK_NORMS).default('infinity'),
    epsilon: finite().gt(0).default(0.3),
    /** FGSM step; default 1.25 · epsilon. */
    alpha: finite().gt(0).optional(),
    cyclicLr: z.boolean().default(true),
    /** Peak of the cyclic learning rate (replaces hparams.learningRate when cyclicLr is on). */
    lrMax: finite().gt(0).max(DEFENCE_LIMITS.lrMax).default(0.005),
    overfitGuard: z.boolean().default(true),
    overfitDrop: finite().gt(0).max(DEFENCE_LIMITS.overfitDrop).default(0.2),
  })
  .strict()
  .superRefine((d, ctx) => {
    checkBall(d, ctx);
    if (d.alpha !== undefined && d.alpha > 2.5 * d.epsilon) ctx.addIssue({ code: 'custom', path: ['alpha'], message: `must be in (0, 2.5 · epsilon = ${2.5 * d.epsilon}]` });
  });

export const DefenceSchema = z.discriminatedUnion('method', [StandardDefenceSchema, NslDefenceSchema, PgdAtDefenceSchema, TradesDefenceSchema, MartDefenceSchema, FastAtDefenceSchema]);
export type DefenceInput = z.input<typeof DefenceSchema>;
export type Defence = z.infer<typeof DefenceSchema>;
export type DefenceOf<M extends DefenceMethod> = Extract<Defence, { method: M }>;

/** The parameter fields of each method (what the form shows and the CLI's defence flags set), in display order. */
export const DEFENCE_FIELDS: Record<DefenceMethod, readonly string[]> = {
  standard: [],
  nsl: ['advReg'],
  'pgd-at': ['norm', 'epsilon', 'steps', 'stepSize', 'randomStart', 'epsilonRampEpochs'],
  trades: ['beta', 'norm', 'epsilon', 'steps', 'stepSize', 'epsilonRampEpochs'],
  mart: ['beta', 'norm', 'epsilon', 'steps', 'stepSize', 'epsilonRampEpochs'],
  'fast-at': ['norm', 'epsilon', 'alpha', 'cyclicLr', 'lrMax', 'overfitGuard', 'overfitDrop'],
};

/** A defence's name in run names, `--out` folders and tables: its label, else the method ('adv' for NSL, the tutorial's name). */
export function defenceLabel(d: Pick<Defence, 'method' | 'label'>): string {
  return d.label ?? (d.method === 'nsl' ? 'adv' : d.method);
}

/** The ε a training step uses at `progress` epochs into training (fractional), with the method's linear ramp. */
export function rampedEpsilon(epsilon: number, rampEpochs: number, progress: number): number {
  if (rampEpochs <= 0) return epsilon;
  return epsilon * Math.min(1, Math.max(0, progress) / rampEpochs);
}

/** Fast-AT's FGSM step: alpha, or 1.25 · epsilon. */
export function fastAtAlpha(d: Pick<DefenceOf<'fast-at'>, 'alpha' | 'epsilon'>): number {
  return d.alpha ?? 1.25 * d.epsilon;
}

/** Wong et al.'s cyclic schedule: 0 → lrMax linearly over the first 2/5 of training, then back to 0. */
export function cyclicLearningRate(lrMax: number, progress: number, epochs: number): number {
  const peak = (epochs * 2) / 5;
  if (progress <= 0) return 0;
  if (progress >= epochs) return 0;
  return progress <= peak ? (lrMax * progress) / peak : (lrMax * (epochs - progress)) / (epochs - peak);
}

/** Gradient passes per training batch (forward + backward), the cost unit shown beside a defence. */
export function gradientPassesPerStep(d: Defence, nslIterations: number): number {
  switch (d.method) {
    case 'standard':
      return 1;
    case 'nsl':
      return 1 + nslIterations;
    case 'pgd-at':
      return d.steps + 1;
    // the outer loss back-propagates through the clean and the adversarial batch
    case 'trades':
    case 'mart':
      return d.steps + 2;
    case 'fast-at':
      return 2;
  }
}

/** What trained a run: its recorded defence, or for runs stored before defences, what its role meant then. */
export function runDefence(config: { role: 'base' | 'adv'; defence?: Defence | undefined }): Defence {
  return config.defence ?? (config.role === 'base' ? { method: 'standard' } : { method: 'nsl' });
}
