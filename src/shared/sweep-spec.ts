// A sweep's definition: a base experiment config, the axes it varies (a config path and its values each), the seeds of
// every cell, and optionally a random subset of the grid. The rules here are the only ones: the CLI, the Sweep page
// and the host all validate through these schemas and the planner (src/shared/sweep-plan.ts).
import { z } from 'zod';
import { DEFENCE_METHODS } from './defences';
import { ExperimentConfigSchema, SeedListSchema } from './schemas';

/** A grid larger than this needs an explicit yes (`--yes`, or the Sweep page's confirmation). */
export const SWEEP_CONFIRM_CELLS = 1000;
/** No sweep may plan more cells than this, even with a yes. */
export const SWEEP_MAX_CELLS = 10_000;
export const SWEEP_MAX_AXES = 8;
export const SWEEP_MAX_VALUES = 100;
/** Most engine workers one host runs at once (the job runner's slot limit too). */
export const SWEEP_MAX_WORKERS = 64;

/**
 * The axis that picks the adv role's defence by method (`defence=nsl,pgd-at`), each with its paper's defaults; its
 * settings are then further axes such as `defences.0.epsilon`.
 */
export const DEFENCE_AXIS = 'defence';
/** Defences an axis may choose: every one but standard, which is the base run. */
export const SWEEP_DEFENCE_METHODS = DEFENCE_METHODS.filter((m) => m !== 'standard');

/** A dotted config path: field names and list positions, e.g. `advReg.multiplier` or `defences.0.epsilon`. */
export const CONFIG_PATH_PATTERN = /^[A-Za-z][A-Za-z0-9]*(\.([A-Za-z][A-Za-z0-9]*|0|[1-9][0-9]?))*$/;

export type AxisValue = number | string | boolean;

const NUMBER_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Whether typed text reads as a number (the CLI's and the form's one rule). */
export const isNumberText = (text: string): boolean => NUMBER_TEXT.test(text.trim());

/** One typed axis value, as `--grid` and the Sweep form read it: a number, true/false, else the text itself. */
export function axisValueOf(text: string): AxisValue {
  const t = text.trim();
  if (isNumberText(t)) return Number(t);
  if (t === 'true' || t === 'false') return t === 'true';
  return t;
}

const AxisValueSchema = z.union([z.number().refine(Number.isFinite, { message: 'must be a finite number' }), z.string().min(1).max(100), z.boolean()]);

export const SweepAxisSchema = z
  .object({
    path: z.string().max(200).regex(CONFIG_PATH_PATTERN, 'must be a config path like advReg.multiplier or defences.0.epsilon'),
    values: z.array(AxisValueSchema).min(1).max(SWEEP_MAX_VALUES),
  })
  .strict()
  .superRefine((a, ctx) => {
    const seen = new Set(a.values.map((v) => JSON.stringify(v)));
    if (seen.size !== a.values.length) ctx.addIssue({ code: 'custom', path: ['values'], message: 'must not repeat a value' });
  });
export type SweepAxis = z.infer<typeof SweepAxisSchema>;

export const SweepSpecSchema = z
  .object({
    name: z.string().trim().min(1).max(200).default('sweep'),
    /** Every cell starts from this config; the axes then set one value each. */
    base: ExperimentConfigSchema,
    axes: z.array(SweepAxisSchema).min(1).max(SWEEP_MAX_AXES),
    /** Seeds of every cell (each cell is one experiment with these seeds); default the base config's. */
    seeds: SeedListSchema.optional(),
    /** Run only this many cells, drawn at random (without repeats) from the grid; default every cell. */
    random: z.number().int().min(1).max(SWEEP_MAX_CELLS).optional(),
    /** Seed of the random draw, so a sweep's plan is reproducible. */
    randomSeed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  })
  .strict()
  .superRefine((s, ctx) => {
    const paths = new Set<string>();
    s.axes.forEach((a, i) => {
      if (paths.has(a.path)) ctx.addIssue({ code: 'custom', path: ['axes', i, 'path'], message: `must not repeat an axis (${a.path} is already swept)` });
      paths.add(a.path);
      if (a.path === 'seed' || a.path === 'seeds') ctx.addIssue({ code: 'custom', path: ['axes', i, 'path'], message: 'must not be seed or seeds: give the seeds of every cell as `seeds` (`--seeds 0,1,2`)' });
    });
  });
export type SweepSpecInput = z.input<typeof SweepSpecSchema>;
export type SweepSpec = z.infer<typeof SweepSpecSchema>;

export const CreateSweepRequestSchema = z
  .object({
    spec: SweepSpecSchema,
    /** Required for more than SWEEP_CONFIRM_CELLS cells. */
    yes: z.boolean().default(false),
    /** Engine workers to run the sweep's jobs on at once (this host's own processes); default the host's. */
    workers: z.number().int().min(1).max(SWEEP_MAX_WORKERS).optional(),
  })
  .strict();
export const PlanSweepRequestSchema = z.object({ spec: SweepSpecSchema }).strict();
export const SweepIdSchema = z.string().max(100).regex(/^swp_[A-Za-z0-9]+$/, 'must be a sweep id like swp_ab12cd');
export const SweepIdRequestSchema = z.object({ sweepId: SweepIdSchema }).strict();
