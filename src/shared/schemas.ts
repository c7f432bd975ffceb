// Zod schemas for every config and request that crosses a boundary; types are z.infer of these.
// Main (IPC), `rlab serve` (WebSocket), the CLI and the UI form all validate with these same schemas.
import { z } from 'zod';
import { ATTACK_KINDS, ATTACK_LIMITS, ATTACK_NORMS, resolveAttack, type AttackRequest } from './attacks';
import { DefenceSchema, defenceLabel } from './defences';
import { GALLERY_PAGE_DEFAULT_LIMIT, GALLERY_PAGE_MAX_EVALUATIONS, GALLERY_PAGE_MAX_LIMIT } from './gallery';
import { LabError } from './errors';
import { LR_MILESTONES_MAX, lrMilestonesProblem } from './lr-schedule';

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const finite = () => z.number().refine(Number.isFinite, { message: 'must be a finite number' });

export const ModelKindSchema = z.enum(['cnn', 'mlp']);
export { NormSchema } from './adv-reg-schema';
export const AttackNormSchema = z.enum(ATTACK_NORMS);
export const AttackKindSchema = z.enum(ATTACK_KINDS);

export const HParamsSchema = z
  .object({
    model: ModelKindSchema.default('cnn'),
    inputShape: z.tuple([int(1, 512), int(1, 512), int(1, 4)]).default([28, 28, 1]),
    numClasses: int(2, 1000).default(10),
    convFilters: z.array(int(1, 1024)).min(1).max(8).default([32, 64, 64]),
    kernelSize: int(1, 11).default(3),
    poolSize: int(1, 8).default(2),
    numFcUnits: z.array(int(1, 8192)).max(8).default([64]),
    batchSize: int(1, 4096).default(32),
    epochs: int(1, 1000).default(5),
    learningRate: finite().gt(0).max(1).default(0.001),
    /**
     * Step decay (PyTorch's MultiStepLR): the learning rate is multiplied by lrGamma after each of these epochs
     * (strictly increasing, each before the last epoch). Empty: constant. Fast-AT's cyclic rate replaces both.
     */
    lrMilestones: z.array(int(1, 999)).max(LR_MILESTONES_MAX).default([]),
    lrGamma: finite().gt(0).max(1).default(0.1),
    optimizer: z.enum(['adam', 'sgd']).default('adam'),
  })
  .strict();
export type HParams = z.infer<typeof HParamsSchema>;

export { AdvRegSchema, AdvRegOverridesSchema, type AdvRegConfig, type AdvRegConfigInput } from './adv-reg-schema';
import { AdvRegSchema } from './adv-reg-schema';

export const DatasetSpecSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('mnist-sample') }).strict(),
  z.object({ kind: z.literal('mnist') }).strict(),
  z.object({ kind: z.literal('fashion-mnist') }).strict(),
  z.object({ kind: z.literal('imported'), id: z.string().min(1).max(200) }).strict(),
]);
export type DatasetSpec = z.infer<typeof DatasetSpecSchema>;

export const DataSplitSchema = z
  .object({
    dataset: DatasetSpecSchema.default({ kind: 'mnist-sample' }),
    trainSize: int(1, 10_000_000).default(8000),
    testSize: int(1, 10_000_000).default(2000),
  })
  .strict();
export type DataSplit = z.infer<typeof DataSplitSchema>;

const epsilon = finite().min(0).max(28);

/** An attack request with a list of radii instead of one (the seed comes from the run or the request). */
type AttackFields = Omit<AttackRequest, 'epsilon' | 'seed'> & { epsilons: number[] };

/**
 * Every ε is resolved with the one attack table (src/shared/attacks.ts): ε in range for the norm (∞ in [0, 1], L2 in
 * [0, 28]) and no field the attack does not take. Bounds that need the model (image size, classes) are checked again
 * by the service, which knows them.
 */
function checkAttack(c: AttackFields, ctx: z.RefinementCtx): void {
  const { epsilons, ...rest } = c;
  for (let i = 0; i < epsilons.length; i++) {
    try {
      resolveAttack({ ...rest, epsilon: epsilons[i]! });
    } catch (err) {
      if (!(err instanceof LabError)) throw err;
      const field = err.field ?? 'attack';
      const path = field === 'epsilon' ? ['epsilons', i] : [field];
      ctx.addIssue({ code: 'custom', path, message: err.message.startsWith(`${field} `) ? err.message.slice(field.length + 1).replace(/ \(got [^)]*\)$/, '') : err.message });
      if (field !== 'epsilon') return;
    }
  }
}

/**
 * The attack parameters shared by a config's attack suite and an on-demand evaluation. Every field but the attack and
 * its radii is optional and never defaulted here: an omitted field takes the attack's own default when the service
 * resolves it (ATTACK_DEFAULTS), so leaving a field empty never changes what the attack is.
 */
const attackParams = {
  attack: AttackKindSchema,
  norm: AttackNormSchema.default('infinity'),
  epsilons: z.array(epsilon).min(1).max(64),
  steps: int(1, ATTACK_LIMITS.steps).optional(),
  /** Step size (fgsm/pgd/pgd-cw); default ε for fgsm, 2.5·ε/steps for pgd. */
  stepSize: finite().gt(0).max(28).optional(),
  randomStart: z.boolean().optional(),
  restarts: int(1, ATTACK_LIMITS.restarts).optional(),
  /** apgd-t: target classes (≤ classes − 1). */
  targets: int(1, ATTACK_LIMITS.targets).optional(),
  /** square: queries per example. */
  queries: int(1, ATTACK_LIMITS.queries).optional(),
  /** square: initial fraction of pixels changed. */
  pInit: finite().gt(0).max(1).optional(),
};

export const AttackSpecSchema = z
  .object({
    ...attackParams,
    /** 'self' = white-box; 'base' = transfer from the experiment's base run; or a run id to transfer from. */
    source: z.union([z.literal('self'), z.literal('base'), z.string().regex(/^run_[A-Za-z0-9]+$/)]).default('self'),
    /**
     * Attack at most this many of the run's test images (default: all of them), chosen by the same rule as
     * `rlab eval --test-size`, so both score the same images. For expensive attacks on a large test split.
     */
    testSize: int(1, 10_000_000).optional(),
  })
  .strict()
  .superRefine(checkAttack);
export type AttackSpec = z.infer<typeof AttackSpecSchema>;

export const RunRoleSchema = z.enum(['base', 'adv']);
export type RunRole = z.infer<typeof RunRoleSchema>;

export const SEED_MAX = 2 ** 31 - 1;
export const MAX_SEEDS = 32;
/** The one rule for a seed list, shown as is by the schema, the CLI and the form. */
export const SEEDS_RULE = `must be a list of 1 to ${MAX_SEEDS} distinct integers in [0, ${SEED_MAX}]`;
const isSeed = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= SEED_MAX;
export const SeedListSchema = z.custom<number[]>(
  (v) => Array.isArray(v) && v.length >= 1 && v.length <= MAX_SEEDS && v.every(isSeed) && new Set(v).size === v.length,
  { message: SEEDS_RULE },
);

export const ExperimentConfigSchema = z
  .object({
    name: z.string().trim().min(1).max(200).default('experiment'),
    hparams: HParamsSchema.default(HParamsSchema.parse({})),
    advReg: AdvRegSchema.default(AdvRegSchema.parse({})),
    data: DataSplitSchema.default(DataSplitSchema.parse({})),
    /** The experiment's seed: it fixes the train/test split of every run and is the first of `seeds`. Default: seeds[0], or 0. */
    seed: int(0, SEED_MAX).optional(),
    /** Training seeds: one base and one adv run per seed (init, data order, random starts). Default [seed]. */
    seeds: SeedListSchema.optional(),
    /** Which models to train: the plain base model, the adversarially regularized one, or both. */
    runs: z.array(RunRoleSchema).min(1).max(2).default(['base', 'adv']),
    /**
     * What the adv role trains with (src/shared/defences.ts): one adv run per defence and seed, all on the same data,
     * split and initial weights as the base run. Default: NSL with the experiment's advReg.
     */
    defences: z.array(DefenceSchema).min(1).max(8).default([{ method: 'nsl' }]),
    /** Attacks run on every trained model after training. */
    attacks: z.array(AttackSpecSchema).max(32).default([]),
    /** Optional TF.js layers model (model.json path) used as the starting model instead of a builder. */
    baseModelPath: z.string().min(1).max(4096).optional(),
    tags: z.array(z.string().trim().min(1).max(64)).max(32).default([]),
    notes: z.string().max(100_000).default(''),
  })
  .strict()
  .superRefine((c, ctx) => {
    const milestones = lrMilestonesProblem(c.hparams.lrMilestones, c.hparams.epochs);
    if (milestones !== undefined) ctx.addIssue({ code: 'custom', path: ['hparams', 'lrMilestones'], message: milestones });
    if (new Set(c.runs).size !== c.runs.length) ctx.addIssue({ code: 'custom', path: ['runs'], message: 'must not repeat a role' });
    const labels = new Set<string>();
    c.defences.forEach((d, i) => {
      if (d.method === 'standard') ctx.addIssue({ code: 'custom', path: ['defences', i, 'method'], message: 'standard is the base run: put "base" in runs instead' });
      const l = defenceLabel(d);
      if (l === 'base' || labels.has(l)) ctx.addIssue({ code: 'custom', path: ['defences', i, 'label'], message: `must be unique among the defences and not "base" (got "${l}"); give each a label` });
      labels.add(l);
    });
    if (c.seed !== undefined && c.seeds !== undefined && c.seeds[0] !== c.seed) {
      ctx.addIssue({ code: 'custom', path: ['seed'], message: `must be the first of seeds (${c.seeds[0]}) when both are given: it fixes the data split of every run` });
    }
  })
  .transform(({ seed, seeds, ...rest }) => {
    const all = seeds ?? [seed ?? 0];
    return { ...rest, seed: all[0]!, seeds: all };
  });
export type ExperimentConfigInput = z.input<typeof ExperimentConfigSchema>;
export type ExperimentConfig = z.infer<typeof ExperimentConfigSchema>;

export const RunIdSchema = z.string().max(100).regex(/^run_[A-Za-z0-9]+$/, 'must be a run id like run_ab12cd');
export const ExperimentIdSchema = z.string().max(100).regex(/^exp_[A-Za-z0-9]+$/, 'must be an experiment id like exp_ab12cd');
export const RunStatusSchema = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted']);
export type RunStatus = z.infer<typeof RunStatusSchema>;

export const CreateExperimentRequestSchema = z.object({ config: ExperimentConfigSchema }).strict();
export const ListRunsRequestSchema = z
  .object({
    status: z.array(RunStatusSchema).optional(),
    tag: z.string().max(64).optional(),
    search: z.string().max(200).optional(),
    experimentId: ExperimentIdSchema.optional(),
    limit: int(1, 100_000).default(1000),
  })
  .strict();
export const IdRequestSchema = z.object({ id: z.string().min(1).max(100) }).strict();
export const RunIdRequestSchema = z.object({ runId: RunIdSchema }).strict();
export const ExperimentIdRequestSchema = z.object({ experimentId: ExperimentIdSchema }).strict();
export const JobIdSchema = z.string().max(100).regex(/^job_[A-Za-z0-9]+$/, 'must be a job id like job_ab12cd');
export const JobIdRequestSchema = z.object({ jobId: JobIdSchema }).strict();
export const UpdateRunRequestSchema = z
  .object({
    runId: RunIdSchema,
    name: z.string().trim().min(1).max(200).optional(),
    tags: z.array(z.string().trim().min(1).max(64)).max(32).optional(),
    notes: z.string().max(100_000).optional(),
  })
  .strict();
export const MetricsRequestSchema = z.object({ runId: RunIdSchema, granularity: z.enum(['batch', 'epoch']).default('epoch') }).strict();
export const EvaluateRequestSchema = z
  .object({
    runId: RunIdSchema,
    ...attackParams,
    sourceRunId: RunIdSchema.optional(),
    /** Evaluate on this dataset's test split instead of the run's own (same image shape and classes as the model). */
    dataset: DatasetSpecSchema.optional(),
    /** Test images to use; default the run's test size (capped at what the dataset's test part has). */
    testSize: int(1, 10_000_000).optional(),
  })
  .strict()
  .superRefine(checkAttack);
/**
 * Evaluates a run that has no model (cancelled, interrupted or failed after a finished epoch) at its last finished
 * epoch's checkpoint, with the run's own attack suite; the run's status stays as it is.
 */
export const EvaluateCheckpointRequestSchema = z.object({ runId: RunIdSchema }).strict();
export const GalleryRequestSchema = z.object({ evaluationId: z.number().int().min(1) }).strict();
export const ConfusionRequestSchema = z.object({ evaluationId: z.number().int().min(1) }).strict();
/**
 * One page of the examples that evaluations scored, the same indices for each (side by side): every example of the
 * test subset, or with `filter` only those the `fooledIn` evaluation got wrong and the `heldIn` one still got right
 * (their per-example masks). The evaluations must have scored the same test images.
 */
export const GalleryPageRequestSchema = z
  .object({
    evaluationIds: z
      .array(z.number().int().min(1))
      .min(1)
      .max(GALLERY_PAGE_MAX_EVALUATIONS)
      .refine((ids) => new Set(ids).size === ids.length, { message: 'must not name an evaluation twice' }),
    /** 0-based page; must be below the page count of the matching examples (page 0 always exists). */
    page: int(0, 10_000_000).default(0),
    limit: int(1, GALLERY_PAGE_MAX_LIMIT).default(GALLERY_PAGE_DEFAULT_LIMIT),
    filter: z.object({ fooledIn: z.number().int().min(1), heldIn: z.number().int().min(1) }).strict().optional(),
  })
  .strict();
/** Evaluations to combine (same test subset, norm and ε): an example is robust only if it survives every one. */
export const EnsembleRequestSchema = z.object({ evaluationIds: z.array(z.number().int().min(1)).min(1).max(1000) }).strict();
/**
 * `outDir` for tfjs: the folder to write model.json, weights.bin, README.txt and metadata.json into. For onnx: a path
 * ending in .onnx is the file itself; anything else is a folder that gets model.onnx. An absolute path outside the
 * lab's own folders; it must be new or empty (a new .onnx file) unless `force` allows overwriting the export's files.
 */
export const ExportModelRequestSchema = z
  .object({
    runId: RunIdSchema,
    format: z.enum(['tfjs', 'onnx']).default('tfjs'),
    outDir: z.string().min(1).max(4096),
    force: z.boolean().optional(),
    /** false: a temporary copy (a browser download's), not recorded as the run's export artifact. Default true. */
    recordArtifact: z.boolean().optional(),
  })
  .strict();
/** Writes report.json, metrics.csv and evaluations.csv of one experiment into the folder `outDir`. */
export const ExportReportRequestSchema = z.object({ experimentId: ExperimentIdSchema, outDir: z.string().min(1).max(4096), force: z.boolean().optional() }).strict();
export const DownloadDatasetRequestSchema = z.object({ kind: z.enum(['mnist', 'fashion-mnist']) }).strict();
export const ImportDatasetRequestSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    source: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('idx'), imagesPath: z.string().min(1).max(4096), labelsPath: z.string().min(1).max(4096) }).strict(),
      z.object({ kind: z.literal('png-folder'), path: z.string().min(1).max(4096) }).strict(),
    ]),
  })
  .strict();

export type CreateExperimentRequest = z.input<typeof CreateExperimentRequestSchema>;
export type ListRunsRequest = z.input<typeof ListRunsRequestSchema>;
export type UpdateRunRequest = z.input<typeof UpdateRunRequestSchema>;
export type MetricsRequest = z.input<typeof MetricsRequestSchema>;
export type EvaluateRequest = z.input<typeof EvaluateRequestSchema>;
export type EvaluateCheckpointRequest = z.input<typeof EvaluateCheckpointRequestSchema>;
export type GalleryRequest = z.input<typeof GalleryRequestSchema>;
export type ConfusionRequest = z.input<typeof ConfusionRequestSchema>;
export type GalleryPageRequest = z.input<typeof GalleryPageRequestSchema>;
export type EnsembleRequest = z.input<typeof EnsembleRequestSchema>;
export type ExportModelRequest = z.input<typeof ExportModelRequestSchema>;
export type ExportReportRequest = z.input<typeof ExportReportRequestSchema>;
export type DownloadDatasetRequest = z.input<typeof DownloadDatasetRequestSchema>;
export type ImportDatasetRequest = z.input<typeof ImportDatasetRequestSchema>;

/** Turns a user's TF.js layers classifier into a run with no training (`rlab import-model`, the UI's Import model form). */
export const ImportModelRequestSchema = z
  .object({
    /** The model.json of a TF.js layers model; its weights files must lie in the same folder. */
    modelPath: z.string().min(1).max(4096),
    name: z.string().trim().min(1).max(200),
    /** The dataset the model classifies and the test split it is evaluated on; default the offline MNIST sample's. */
    data: DataSplitSchema.default(DataSplitSchema.parse({})),
    /** Seed of the train/test split (which test images), and of the attacks' random draws. */
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
    tags: z.array(z.string().trim().min(1).max(64)).max(32).default([]),
  })
  .strict();
export type ImportModelRequest = z.input<typeof ImportModelRequestSchema>;
