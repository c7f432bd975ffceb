// AdvRegConfig: NSL 1.4's AdvRegConfig + AdvNeighborConfig as one flat, validated object with NSL's defaults.
import { z } from 'zod';
import { LabError } from '../../../shared/errors';
import { type AdvGradNorm } from './norms';

/** A mask value per feature entry in [0, 1]: a number or nested arrays broadcastable to one example's shape. */
export type FeatureMaskValue = number | FeatureMaskValue[];

/** How adversarial neighbours are generated (NSL's AdvNeighborConfig). */
export interface AdvNeighborConfig {
  /** Step size of each gradient step on the input (NSL adv_step_size). */
  advStepSize: number;
  /** Norm used to normalise the gradient, and of the projection ball (NSL adv_grad_norm). */
  advGradNorm: AdvGradNorm;
  /** Lower bound of every perturbed feature value, e.g. 0 for images (NSL clip_value_min). */
  clipValueMin?: number;
  /** Upper bound of every perturbed feature value, e.g. 1 for images (NSL clip_value_max). */
  clipValueMax?: number;
  /** Number of gradient steps; 1 is FGSM-like, more is PGD (NSL pgd_iterations). */
  pgdIterations: number;
  /** Radius of the ball around the original input that every step is projected onto (NSL pgd_epsilon). */
  pgdEpsilon?: number;
  /** Start from a uniformly random point in the pgdEpsilon ball instead of the input (NSL random_init). */
  randomInit: boolean;
  /** Multiplies the input gradient: 0 keeps an entry unperturbed (NSL feature_mask). */
  featureMask?: FeatureMaskValue;
}

/** Adversarial regularization (NSL's AdvRegConfig): neighbour generation plus the loss multiplier. */
export interface AdvRegConfig extends AdvNeighborConfig {
  /** Weight of the adversarial loss in `loss = labeled_loss + multiplier · adversarial_loss`; 0 trains the base model. */
  multiplier: number;
}

export type AdvRegConfigInput = Partial<AdvRegConfig>;

/** NSL 1.4 defaults (make_adv_reg_config). */
export const ADV_REG_DEFAULTS = Object.freeze({
  multiplier: 0.2,
  advStepSize: 0.001,
  advGradNorm: 'l2' as AdvGradNorm,
  pgdIterations: 1,
  randomInit: false,
});

// zod 4 numbers already reject NaN and ±Infinity.
const finite = (field: string) => z.number({ error: `${field} must be a finite number` });
const featureMaskSchema: z.ZodType<FeatureMaskValue> = z.lazy(() =>
  z.union([z.number().min(0, { message: 'featureMask values must be in [0, 1]' }).max(1, { message: 'featureMask values must be in [0, 1]' }), z.array(featureMaskSchema)], { error: 'featureMask must be a number or nested arrays of numbers in [0, 1]' }),
);

/** The zod schema of a config request: every field optional, defaults filled by makeAdvRegConfig. */
export const advRegConfigSchema = z.strictObject({
  multiplier: finite('multiplier').refine((v) => v >= 0, { message: 'multiplier must be >= 0' }).optional(),
  advStepSize: finite('advStepSize').refine((v) => v > 0, { message: 'advStepSize must be > 0' }).optional(),
  advGradNorm: z.enum(['l2', 'l1', 'infinity'], { error: "advGradNorm must be one of 'l2', 'l1', 'infinity'" }).optional(),
  clipValueMin: finite('clipValueMin').optional(),
  clipValueMax: finite('clipValueMax').optional(),
  pgdIterations: z.number({ error: 'pgdIterations must be a number' }).int({ message: 'pgdIterations must be an integer >= 1' }).min(1, { message: 'pgdIterations must be an integer >= 1' }).max(1000, { message: 'pgdIterations must be <= 1000' }).optional(),
  pgdEpsilon: finite('pgdEpsilon').refine((v) => v > 0, { message: 'pgdEpsilon must be > 0' }).optional(),
  randomInit: z.boolean({ error: 'randomInit must be true or false' }).optional(),
  featureMask: featureMaskSchema.optional(),
});

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  try {
    const s = JSON.stringify(value);
    return s === undefined ? String(value) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return String(value);
  }
}

/**
 * Validates and completes a config, as NSL's `make_adv_reg_config`. Throws LabError naming the field:
 * out-of-range values, unknown fields, clipValueMin > clipValueMax, pgdEpsilon with 'l1' (NSL projects
 * only onto L2 and L-infinity balls) and randomInit without pgdEpsilon (the random start needs a ball).
 */
export function makeAdvRegConfig(input: AdvRegConfigInput = {}): AdvRegConfig {
  const parsed = advRegConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length > 0 ? String(issue.path[0]) : undefined;
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0]!;
      throw new LabError('invalid_argument', `${key} is not an AdvRegConfig field (allowed: ${Object.keys(advRegConfigSchema.shape).join(', ')})`, key);
    }
    const got = field === undefined ? input : (input as Record<string, unknown>)[field];
    throw new LabError('invalid_argument', `${issue.message} (got ${describe(got)})`, field);
  }
  const v = parsed.data;
  const cfg: AdvRegConfig = {
    multiplier: v.multiplier ?? ADV_REG_DEFAULTS.multiplier,
    advStepSize: v.advStepSize ?? ADV_REG_DEFAULTS.advStepSize,
    advGradNorm: v.advGradNorm ?? ADV_REG_DEFAULTS.advGradNorm,
    pgdIterations: v.pgdIterations ?? ADV_REG_DEFAULTS.pgdIterations,
    randomInit: v.randomInit ?? ADV_REG_DEFAULTS.randomInit,
  };
  if (v.clipValueMin !== undefined) cfg.clipValueMin = v.clipValueMin;
  if (v.clipValueMax !== undefined) cfg.clipValueMax = v.clipValueMax;
  if (v.pgdEpsilon !== undefined) cfg.pgdEpsilon = v.pgdEpsilon;
  if (v.featureMask !== undefined) cfg.featureMask = v.featureMask;
  checkCombination(cfg);
  return cfg;
}

/** Cross-field rules, also applied to configs built by hand and handed to the generator. */
export function checkCombination(cfg: AdvNeighborConfig): void {
  if (cfg.clipValueMin !== undefined && cfg.clipValueMax !== undefined && cfg.clipValueMin > cfg.clipValueMax) {
    throw new LabError('invalid_argument', `clipValueMin must be <= clipValueMax (got ${cfg.clipValueMin} > ${cfg.clipValueMax})`, 'clipValueMin');
  }
  if (cfg.pgdEpsilon !== undefined && cfg.advGradNorm === 'l1') {
    throw new LabError('unsupported', "pgdEpsilon cannot be used with advGradNorm 'l1': as in NSL, perturbations can only be projected onto L2 and L-infinity balls", 'pgdEpsilon');
  }
  if (cfg.randomInit && cfg.pgdEpsilon === undefined) {
    throw new LabError('invalid_argument', 'randomInit needs pgdEpsilon: the random start is drawn inside the pgdEpsilon ball', 'randomInit');
  }
}
