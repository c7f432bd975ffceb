// Zod schemas for every config and request that crosses a boundary; types are z.infer of these.
// Main (IPC), `rlab serve` (WebSocket), the CLI and the UI form all validate with these same schemas.
import { z } from 'zod';

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const finite = () => z.number().refine(Number.isFinite, { message: 'must be a finite number' });

export const ModelKindSchema = z.enum(['cnn', 'mlp']);
export const NormSchema = z.enum(['l2', 'l1', 'infinity']);
export const AttackNormSchema = z.enum(['infinity', 'l2']);
export const AttackKindSchema = z.enum(['fgsm', 'pgd']);

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
    optimizer: z.enum(['adam', 'sgd']).default('adam'),
  })
  .strict();
export type HParams = z.infer<typeof HParamsSchema>;

/** NSL 1.4 AdvRegConfig + AdvNeighborConfig, camel-cased, with NSL's defaults. */
export const AdvRegSchema = z
  .object({
    multiplier: finite().min(0).max(1000).default(0.2),
    advStepSize: finite().gt(0).max(100).default(0.001),
    advGradNorm: NormSchema.default('l2'),
    clipValueMin: finite().optional(),
    clipValueMax: finite().optional(),
    pgdIterations: int(1, 1000).default(1),
    pgdEpsilon: finite().gt(0).max(100).optional(),
    randomInit: z.boolean().default(false),
    /** Per-pixel mask (1 = perturb) of the image feature, flattened; omitted = perturb everything. */
    featureMask: z.array(z.number().min(0).max(1)).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.clipValueMin !== undefined && c.clipValueMax !== undefined && c.clipValueMin > c.clipValueMax)
      ctx.addIssue({ code: 'custom', path: ['clipValueMax'], message: `must be ≥ clipValueMin (${c.clipValueMin})` });
    if (c.pgdEpsilon !== undefined && c.advGradNorm === 'l1')
      ctx.addIssue({ code: 'custom', path: ['pgdEpsilon'], message: 'cannot be used with advGradNorm "l1" (NSL has no l1 projection)' });
  });
export type AdvRegConfigInput = z.input<typeof AdvRegSchema>;
export type AdvRegConfig = z.infer<typeof AdvRegSchema>;

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

/** ε is a pixel-scale bound for ∞ (so ≤ 1 for [0,1] images); L2 radii on MNIST go up to √784 = 28. */
function checkEpsilons(c: { norm: 'infinity' | 'l2'; epsilons: number[] }, ctx: z.RefinementCtx): void {
  c.epsilons.forEach((e, i) => {
    if (c.norm === 'infinity' && e > 1) ctx.addIssue({ code: 'custom', path: ['epsilons', i], message: 'must be in [0, 1] for the infinity norm' });
  });
}

/** The attack parameters shared by a config's attack suite and an on-demand evaluation. */
const attackParams = {
  attack: AttackKindSchema,
  norm: AttackNormSchema.default('infinity'),
  epsilons: z.array(epsilon).min(1).max(64),
  steps: int(1, 1000).default(1),
  /** Step size per PGD iteration; default 2.5·ε/steps. */
  stepSize: finite().gt(0).max(10).optional(),
  randomStart: z.boolean().default(false),
  restarts: int(1, 100).default(1),
};

export const AttackSpecSchema = z
  .object({
    ...attackParams,
    /** 'self' = white-box; 'base' = transfer from the experiment's base run; or a run id to transfer from. */
    source: z.union([z.literal('self'), z.literal('base'), z.string().regex(/^run_[A-Za-z0-9]+$/)]).default('self'),
  })
  .strict()
  .superRefine(checkEpsilons);
export type AttackSpec = z.infer<typeof AttackSpecSchema>;

export const RunRoleSchema = z.enum(['base', 'adv']);
export type RunRole = z.infer<typeof RunRoleSchema>;

export const ExperimentConfigSchema = z
  .object({
    name: z.string().trim().min(1).max(200).default('experiment'),
    hparams: HParamsSchema.default(HParamsSchema.parse({})),
    advReg: AdvRegSchema.default(AdvRegSchema.parse({})),
    data: DataSplitSchema.default(DataSplitSchema.parse({})),
    seed: int(0, 2 ** 31 - 1).default(0),
    /** Which models to train: the plain base model, the adversarially regularized one, or both. */
    runs: z.array(RunRoleSchema).min(1).max(2).default(['base', 'adv']),
    /** Attacks run on every trained model after training. */
    attacks: z.array(AttackSpecSchema).max(32).default([]),
    /** Optional TF.js layers model (model.json path) used as the starting model instead of a builder. */
    baseModelPath: z.string().min(1).max(4096).optional(),
    tags: z.array(z.string().trim().min(1).max(64)).max(32).default([]),
    notes: z.string().max(100_000).default(''),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (new Set(c.runs).size !== c.runs.length) ctx.addIssue({ code: 'custom', path: ['runs'], message: 'must not repeat a role' });
  });
export type ExperimentConfigInput = z.input<typeof ExperimentConfigSchema>;
export type ExperimentConfig = z.infer<typeof ExperimentConfigSchema>;

export const RunIdSchema = z.string().regex(/^run_[A-Za-z0-9]+$/, 'must be a run id like run_ab12cd');
export const ExperimentIdSchema = z.string().regex(/^exp_[A-Za-z0-9]+$/, 'must be an experiment id like exp_ab12cd');
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
  })
  .strict()
  .superRefine(checkEpsilons);
export const GalleryRequestSchema = z.object({ evaluationId: z.number().int().min(1) }).strict();
/**
 * `outDir` for tfjs: the folder to write model.json, weights.bin, README.txt and metadata.json into. For onnx: a path
 * ending in .onnx is the file itself; anything else is a folder that gets model.onnx.
 */
export const ExportModelRequestSchema = z
  .object({ runId: RunIdSchema, format: z.enum(['tfjs', 'onnx']).default('tfjs'), outDir: z.string().min(1).max(4096) })
  .strict();
/** Writes report.json, metrics.csv and evaluations.csv of one experiment into the folder `outDir`. */
export const ExportReportRequestSchema = z.object({ experimentId: ExperimentIdSchema, outDir: z.string().min(1).max(4096) }).strict();
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
export type GalleryRequest = z.input<typeof GalleryRequestSchema>;
export type ExportModelRequest = z.input<typeof ExportModelRequestSchema>;
export type ExportReportRequest = z.input<typeof ExportReportRequestSchema>;
export type DownloadDatasetRequest = z.input<typeof DownloadDatasetRequestSchema>;
export type ImportDatasetRequest = z.input<typeof ImportDatasetRequestSchema>;
