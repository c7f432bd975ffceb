// NSL's AdvRegConfig as a zod schema: the experiment's advReg, and the overrides an NSL defence entry may give.
import { z } from 'zod';

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const finite = () => z.number().refine(Number.isFinite, { message: 'must be a finite number' });

export const NormSchema = z.enum(['l2', 'l1', 'infinity']);

const advRegFields = {
  multiplier: finite().min(0).max(1000),
  advStepSize: finite().gt(0).max(100),
  advGradNorm: NormSchema,
  clipValueMin: finite().optional(),
  clipValueMax: finite().optional(),
  pgdIterations: int(1, 1000),
  pgdEpsilon: finite().gt(0).max(100).optional(),
  randomInit: z.boolean(),
  /** Per-pixel mask (1 = perturb) of the image feature, flattened; omitted = perturb everything. */
  featureMask: z.array(z.number().min(0).max(1)).optional(),
};

type AdvRegShape = { clipValueMin?: number | undefined; clipValueMax?: number | undefined; pgdEpsilon?: number | undefined; advGradNorm?: string | undefined };

function checkAdvReg(c: AdvRegShape, ctx: z.RefinementCtx): void {
  if (c.clipValueMin !== undefined && c.clipValueMax !== undefined && c.clipValueMin > c.clipValueMax)
    ctx.addIssue({ code: 'custom', path: ['clipValueMax'], message: `must be ≥ clipValueMin (${c.clipValueMin})` });
  if (c.pgdEpsilon !== undefined && c.advGradNorm === 'l1')
    ctx.addIssue({ code: 'custom', path: ['pgdEpsilon'], message: 'cannot be used with advGradNorm "l1" (NSL has no l1 projection)' });
}

/** NSL 1.4 AdvRegConfig + AdvNeighborConfig, camel-cased, with NSL's defaults. */
export const AdvRegSchema = z
  .object({
    ...advRegFields,
    multiplier: advRegFields.multiplier.default(0.2),
    advStepSize: advRegFields.advStepSize.default(0.001),
    advGradNorm: advRegFields.advGradNorm.default('l2'),
    pgdIterations: advRegFields.pgdIterations.default(1),
    randomInit: advRegFields.randomInit.default(false),
  })
  .strict()
  .superRefine(checkAdvReg);
export type AdvRegConfigInput = z.input<typeof AdvRegSchema>;
export type AdvRegConfig = z.infer<typeof AdvRegSchema>;

/** Fields replacing the experiment's advReg for one NSL defence (checked again, merged, by the service). */
export const AdvRegOverridesSchema = z.object(advRegFields).partial().strict();
export type AdvRegOverrides = z.infer<typeof AdvRegOverridesSchema>;
