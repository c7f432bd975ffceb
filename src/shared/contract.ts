// The contract between every front end (Electron renderer, browser, CLI) and the LabService.
import { z } from 'zod';
import {
  ConfusionRequestSchema,
  CreateExperimentRequestSchema,
  DownloadDatasetRequestSchema,
  EnsembleRequestSchema,
  EvaluateCheckpointRequestSchema,
  EvaluateRequestSchema,
  ExperimentIdRequestSchema,
  ExportModelRequestSchema,
  ExportReportRequestSchema,
  GalleryPageRequestSchema,
  GalleryRequestSchema,
  ImportDatasetRequestSchema,
  ImportModelRequestSchema,
  JobIdRequestSchema,
  ListRunsRequestSchema,
  MetricsRequestSchema,
  RunIdRequestSchema,
  UpdateRunRequestSchema,
  type AdvRegConfig,
  type AttackSpec,
  type DataSplit,
  type ExperimentConfig,
  type HParams,
  type RunRole,
  type RunStatus,
} from './schemas';
import { type ExperimentEstimate } from './cost-estimate';
import { type Defence } from './defences';
import { type AttackKind, type ResolvedAttack } from './attacks';
import { type Headline } from './headline';
import { type SweepDetail, type SweepPlanView, type SweepSummary } from './sweep-contract';
import { CreateSweepRequestSchema, PlanSweepRequestSchema, SweepIdRequestSchema } from './sweep-spec';

export type { RunRole, RunStatus };
export type { Headline };

/** What the engine worker actually ran on; attached to every run. */
export interface EngineRecord {
  backend: 'tensorflow' | 'wasm' | 'cpu';
  tfjsVersion: string;
  /** Native TensorFlow version, null off the native backend. */
  tfVersion: string | null;
  /** Where the native binding's libtensorflow came from; null when the native setup did not succeed. */
  libtensorflowSource: string | null;
  threads: number;
  cpu: { model: string; cores: number; features: string[] };
  gpus: { name: string; memoryMiB: number }[];
  /** Every better option that was not used, and why. */
  notUsed: { option: string; why: string }[];
  warnings: string[];
  /** `${process.platform}-${process.arch}` of the worker; absent in records stored before it was kept. */
  platform?: string;
  /** Node version of the worker; absent in records stored before it was kept. */
  node?: string;
}

/** The config one run trains with: the experiment's config resolved for its role. */
export interface RunConfig {
  role: RunRole;
  hparams: HParams;
  /** The base run has multiplier 0 (no adversarial pass); an NSL defence's own advReg fields are merged in. */
  advReg: AdvRegConfig;
  /** What trained this run, complete with defaults; absent in runs stored before defences (see `runDefence`). */
  defence?: Defence;
  data: DataSplit;
  /** This run's training seed: initial weights, data order, random starts, attack draws. */
  seed: number;
  /** The seed of the train/test split, shared by every run of the experiment (its first seed); absent in runs stored before seed groups, which split by `seed`. */
  splitSeed?: number;
  attacks: AttackSpec[];
  baseModelPath?: string;
  /** Set on a run made by import-model: where its model came from and what the check found. */
  imported?: ImportedModelInfo;
}

/** 'imported': a user's model turned into a run by import-model, never trained. */
export type RunKind = 'trained' | 'imported';

export interface ImportedModelInfo {
  /** The model.json it was imported from (the run keeps its own copy). */
  sourcePath: string;
  layers: number;
  parameters: number;
  /** 'flat': the model took flattened images; the run's copy has a Flatten in front so it takes images like every lab model. */
  inputKind: 'image' | 'flat';
  outputKind: 'logits' | 'probabilities';
}

export interface ExperimentSummary {
  id: string;
  name: string;
  createdAt: string;
  tags: string[];
  runIds: string[];
}

export interface RunSummary {
  id: string;
  experimentId: string;
  experimentName: string;
  name: string;
  role: RunRole;
  /** The run's training seed (RunConfig.seed); runs of one experiment and role with different seeds form a seed group. */
  seed: number;
  status: RunStatus;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  epochsDone: number;
  epochs: number;
  /** Accuracy on the clean test split after training. */
  cleanAccuracy: number | null;
  /** Headline robust accuracy (see `headline`), kept as plain fields for sorting and old readers. */
  robustAccuracy: number | null;
  /** The headline's full name, e.g. "AutoAttack ∞ ε0.2, 2,000 images". */
  robustLabel: string | null;
  /** The headline robust accuracy with everything that makes it comparable (attack, norm, ε, test subset); null when the run has none. */
  headline: Headline | null;
  backend: string | null;
  tags: string[];
  error: string | null;
  /** 'imported' for a run made by import-model (no training); absent means trained. */
  kind?: RunKind;
  /** What the run's model outputs, when recorded. */
  outputKind?: 'logits' | 'probabilities' | null;
  /** What trained the run (complete with defaults); null for an imported model, which the lab did not train. */
  defence?: Defence | null;
  /** Set when a defence's guard ended training before its last epoch; the model is the kept epoch's. */
  earlyStop?: EarlyStop | null;
  /** The training settings a runs table compares at a glance (from the run's config). */
  training?: RunTraining;
  /**
   * The epoch checkpoint the clean and robust accuracy above were measured on (a run evaluated before its training
   * finished, src/shared/model-evaluations.ts); null for the run's saved model or when it has no numbers.
   */
  measuredEpoch?: number | null;
}

/** A run's data and optimiser settings, as its config holds them. */
export interface RunTraining {
  dataset: string;
  trainSize: number;
  testSize: number;
  batchSize: number;
  learningRate: number;
  optimizer: string;
}

/** Training ended after `afterEpoch` of the planned epochs, keeping the weights of `keptEpoch` (1-based), because of `reason`. */
export interface EarlyStop {
  afterEpoch: number;
  keptEpoch: number;
  reason: string;
}

/** Metric names follow NSL: loss, sparse_categorical_crossentropy, scaled_adversarial_loss, sparse_categorical_accuracy. */
export type MetricValues = Record<string, number>;

export interface EpochMetrics {
  epoch: number;
  metrics: MetricValues;
  durationMs: number;
}

export interface BatchMetrics {
  epoch: number;
  batch: number;
  step: number;
  metrics: MetricValues;
}

/** Which test images an evaluation scored: two evaluations are comparable example by example only on the same subset. */
export interface TestSubset {
  /** Dataset id (mnist-sample, mnist, fashion-mnist or an imported id). */
  dataset: string;
  /** The seed that chose the subset (the run's split seed). */
  splitSeed: number;
  size: number;
  /** sha256 (hex, first 16 characters) of the dataset id and the example indices in order. */
  indicesHash: string;
}

/** A sanity check that failed: the number may be overstated (gradient masking, a too-weak attack, ...). */
export interface SanityFlag {
  /** Machine-readable name of the check, e.g. "non-monotone-eps", "zero-gradients". */
  check: string;
  /** For people: what was seen and why it matters. */
  reason: string;
}

/** One attack of an ensemble (autoattack's APGD-CE → APGD-T → Square), as the examples still robust saw it. */
export interface EvaluationComponent {
  attack: AttackKind;
  /** Accuracy after this component (cumulative: examples robust to it and every earlier one). */
  accuracy: number;
  correct: number;
}

export interface EvaluationRecord {
  id: number;
  runId: string;
  /** Run whose gradients made the perturbation; null for white-box. */
  sourceRunId: string | null;
  attack: AttackKind | 'clean';
  norm: 'infinity' | 'l2';
  epsilon: number;
  steps: number;
  stepSize: number | null;
  restarts: number;
  randomStart: boolean;
  /** The complete attack as run (every default resolved); null for clean accuracy. */
  spec: ResolvedAttack | null;
  accuracy: number;
  /** Accuracy per class, in label order; null for a class with no example in the test split. */
  perClassAccuracy: (number | null)[];
  count: number;
  /** Examples still classified correctly (accuracy · count). */
  correct: number;
  /** 95% Wilson score interval of the accuracy. */
  interval: { low: number; high: number };
  /** Fraction of examples whose input gradient was exactly zero (a sign of gradient masking); null when not measured. */
  zeroGradFraction: number | null;
  /** The test images scored; null for evaluations stored before subsets were recorded. */
  subset: TestSubset | null;
  /** Per-component results of an ensemble attack (autoattack); empty otherwise. */
  components: EvaluationComponent[];
  /** Failed sanity checks; non-empty means the number is possibly overstated. */
  flags: SanityFlag[];
  /** Whether the per-example correctness mask is stored (needed for ensembles). */
  hasMask: boolean;
  createdAt: string;
  hasGallery: boolean;
  /**
   * The finished-epoch count whose checkpoint weights were evaluated (a run evaluated before its training finished);
   * null = the run's saved model. A run's numbers come from one model (src/shared/model-evaluations.ts).
   */
  modelEpoch: number | null;
}

/** One class's row of a confusion matrix: its test examples and how many of them the model still classified right. */
export interface ClassAccuracy {
  /** Test examples of this (true) class: the matrix row's sum. */
  count: number;
  /** The diagonal entry. */
  correct: number;
  /** correct / count; null for a class with no example in the test subset. */
  accuracy: number | null;
}

/** How one evaluation's examples were classified: counts by true class (rows) and predicted class (columns). */
export interface ConfusionRecord {
  evaluationId: number;
  runId: string;
  /** The run model's classes: the matrix is classes × classes. */
  classes: number;
  /** matrix[true][predicted]: examples of class `true` the model predicted as `predicted` (under the attack, if any). */
  matrix: number[][];
  perClass: ClassAccuracy[];
  /** All examples (the matrix's sum) and the correctly classified ones (its diagonal's sum, the evaluation's correct). */
  count: number;
  correct: number;
}

/** Accuracy against a set of attacks together: an example is robust only if it survives every one of them. */
export interface EnsembleRecord {
  norm: 'infinity' | 'l2';
  epsilon: number;
  subset: TestSubset;
  /** The evaluations combined, by id. */
  evaluationIds: number[];
  /** Their attack labels, e.g. ["FGSM ∞ ε0.2", "PGD-20 ∞ ε0.2 (transfer)"]. */
  attacks: string[];
  accuracy: number;
  correct: number;
  count: number;
  interval: { low: number; high: number };
  /** Flags of any member evaluation. */
  flags: SanityFlag[];
  /** The model its members evaluated (they all evaluated the same one): a checkpoint's epoch, or null for the saved model. */
  modelEpoch: number | null;
}

export interface ArtifactRecord {
  kind: 'model' | 'checkpoint' | 'export' | 'report';
  path: string;
  createdAt: string;
}

export interface RunDetail extends RunSummary {
  config: RunConfig;
  engine: EngineRecord | null;
  notes: string;
  epochMetrics: EpochMetrics[];
  evaluations: EvaluationRecord[];
  /** Per (norm, ε, test subset) with two or more attacks: the ensemble of all of them ("ensemble (all attacks)"). */
  ensembles: EnsembleRecord[];
  artifacts: ArtifactRecord[];
  /** Remote workers that trained it, oldest first (empty for runs trained on the host's own workers). */
  attempts: RunAttempt[];
}

/** One remote worker's turn at a run's job: it trained the epochs after `startEpoch` until the next attempt began. */
export interface RunAttempt {
  attempt: string;
  jobId: string;
  /** "hostname pid N" of the `rlab worker` process. */
  worker: string;
  startEpoch: number;
  startedAt: string;
}

export interface ExperimentDetail extends ExperimentSummary {
  /** The config the experiment was created with, as stored: `rlab run --config` of it (or of this record) creates the same experiment. */
  config: ExperimentConfig;
  runs: RunDetail[];
}

export interface GallerySample {
  /** Index of the image in the run's test split. */
  index: number;
  label: number;
  /** Row-major grayscale pixels 0–255, width×height. */
  clean: number[];
  adversarial: number[];
  /** Predictions of each model shown, by run id. */
  predictions: GalleryPrediction[];
}

/** One model's predicted classes on a gallery image, and (when the engine stored them) every class's probability. */
export interface GalleryPrediction {
  runId: string;
  role: RunRole;
  clean: number;
  adversarial: number;
  /** Softmax probability of each class (classNames order) on the clean / adversarial image; absent when not stored. */
  cleanProbabilities?: number[];
  adversarialProbabilities?: number[];
}

/** One evaluation shown in a gallery page (one column of side-by-side panes). */
export interface GalleryPageColumn {
  evaluationId: number;
  runId: string;
  sourceRunId: string | null;
  attack: string;
  norm: string;
  epsilon: number;
  /** Whether the per-example mask is stored: without it only stored images say right or wrong. */
  hasMask: boolean;
  /** Images stored with the evaluation (the rest of the subset has its mask bit only). */
  storedImages: number;
  /** The stored images' size and the class names; 0 / [] when the evaluation has no gallery. */
  width: number;
  height: number;
  classNames: string[];
}

export interface GalleryPageCell {
  /** Still classified correctly on the adversarial image (the mask; else the stored prediction); null when unknown. */
  correct: boolean | null;
  /** The stored image and predictions; null when only the mask covers this example. */
  sample: GallerySample | null;
  /** L∞ and L2 of adversarial − clean on the [0, 1] scale, from the stored 8-bit pixels; null when not stored. */
  perturbation: { linf: number; l2: number } | null;
}

export interface GalleryPageEntry {
  /** Position in the test subset (the same example in every column). */
  index: number;
  /** True label, when any column stored this image; null otherwise. */
  label: number | null;
  /** One cell per requested evaluation, in request order. */
  cells: GalleryPageCell[];
}

export interface GalleryPage {
  columns: GalleryPageColumn[];
  /** Examples in the test subset the evaluations scored. */
  count: number;
  /** Examples the filter keeps (count without one). */
  total: number;
  page: number;
  limit: number;
  /** Pages of `total` (at least 1). */
  pages: number;
  entries: GalleryPageEntry[];
}

export interface Gallery {
  evaluationId: number;
  runId: string;
  attack: string;
  norm: string;
  epsilon: number;
  width: number;
  height: number;
  classNames: string[];
  samples: GallerySample[];
}

export interface DatasetInfo {
  id: string;
  kind: 'mnist-sample' | 'mnist' | 'fashion-mnist' | 'imported';
  name: string;
  classNames: string[];
  count: number;
  available: boolean;
  source: string;
}

export interface JobSummary {
  id: string;
  kind: 'train' | 'evaluate';
  runId: string;
  status: 'queued' | 'running';
  createdAt: string;
}

// ---- events ----
export interface RunStatusEvent { runId: string; experimentId: string; status: RunStatus; error?: string }
export interface ProgressEvent {
  runId: string;
  phase: 'train' | 'evaluate';
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number | null;
  accuracy: number | null;
  /** Seconds left for the whole job, null until measurable. */
  etaSeconds: number | null;
  /** Metrics of the latest batch, for live charts. */
  metrics?: MetricValues;
  step?: number;
  /** Wall-clock ms when the engine worker emitted this event. */
  emittedAt?: number;
}
export interface EpochEndEvent { runId: string; epoch: number; metrics: MetricValues; durationMs: number }
export interface EvaluationEvent { runId: string; evaluation: EvaluationRecord }
export interface LogEvent { level: 'info' | 'warn' | 'error'; message: string; runId?: string }
export interface DatasetProgressEvent { kind: string; receivedBytes: number; totalBytes: number | null; done: boolean; error?: string }
/** A job left the queue: how it ended and the evaluations it stored (so a client needs no polling to collect them). */
export interface JobFinishedEvent {
  jobId: string;
  runId: string;
  kind: 'train' | 'evaluate';
  /** 'interrupted': the host closed while the job ran (a training run is resumable, an evaluation waits in the queue). */
  outcome: 'completed' | 'failed' | 'cancelled' | 'interrupted';
  /** Ids of the evaluations this job stored, in the order they were stored. */
  evaluationIds: number[];
  error?: string;
}

export interface LabEvents {
  'run-status': RunStatusEvent;
  progress: ProgressEvent;
  'epoch-end': EpochEndEvent;
  evaluation: EvaluationEvent;
  log: LogEvent;
  'dataset-progress': DatasetProgressEvent;
  'job-finished': JobFinishedEvent;
}
export type LabEventName = keyof LabEvents;
export const LAB_EVENTS = ['run-status', 'progress', 'epoch-end', 'evaluation', 'log', 'dataset-progress', 'job-finished'] as const satisfies readonly LabEventName[];

type Unsubscribe = () => void;

/**
 * What each LabApi method resolves with. Its request is the input type of its schema in LAB_REQUEST_SCHEMAS (the two
 * tables have the same keys), so a new method is one schema entry, one result entry and one service method.
 */
export interface LabResults {
  createExperiment: { experiment: ExperimentSummary; runs: RunSummary[] };
  listExperiments: ExperimentSummary[];
  getExperiment: ExperimentDetail;
  deleteExperiment: { deleted: string[] };
  listRuns: RunSummary[];
  getRun: RunDetail;
  deleteRun: { deleted: string[] };
  cancelRun: RunSummary;
  updateRun: RunSummary;
  getMetrics: { runId: string; epochs: EpochMetrics[]; batches: BatchMetrics[] };
  listEvaluations: EvaluationRecord[];
  evaluate: { jobId: string };
  /** Queues the run's attack suite (clean accuracy first) on its last finished epoch's checkpoint: `epoch` is that epoch. */
  evaluateCheckpoint: { jobId: string; epoch: number };
  /** The ensemble of stored evaluations on one test subset, norm and ε: robust only if every attack fails. */
  ensemble: EnsembleRecord;
  getGallery: Gallery;
  /** The confusion matrix and per-class accuracy of one evaluation stored with its per-example predictions. */
  confusion: ConfusionRecord;
  /** A page of the test subset's examples across evaluations (same indices each), optionally fooled-in-one-not-the-other. */
  galleryPage: GalleryPage;
  engineInfo: EngineRecord;
  listDatasets: DatasetInfo[];
  downloadDataset: DatasetInfo;
  importDataset: DatasetInfo;
  /** Validates a user's TF.js layers classifier (in an engine worker) and stores it as a completed run with no training. */
  importModel: { experiment: ExperimentSummary; run: RunSummary };
  exportModel: { files: string[] };
  /** Writes report.json, metrics.csv and evaluations.csv of an experiment; returns the files written. */
  exportReport: { files: string[] };
  listJobs: JobSummary[];
  /** Stops one job: a queued one leaves the queue, a running one is stopped at its next batch (what it stored stays); `job` is the job as it was. */
  cancelJob: { job: JobSummary };
  /** Continues an interrupted, failed or cancelled run from its last finished epoch's checkpoint (`rlab resume`). */
  resumeRun: RunSummary;
  /** What a config will cost, run by run, at the speed of this lab's finished runs (or a laptop default); stores nothing. */
  estimateExperiment: ExperimentEstimate;
  /** A sweep's cells and cost, every cell validated as createSweep would; stores nothing. */
  planSweep: SweepPlanView;
  /** Validates every cell, then stores the sweep and one experiment per cell and queues their runs, all at once. */
  createSweep: SweepSummary;
  listSweeps: SweepSummary[];
  getSweep: SweepDetail;
  /** Cancels every run of the sweep that has not finished; what finished stays. */
  cancelSweep: SweepDetail;
  /** Re-queues the runs that did not finish (from their last checkpoints); completed runs never run again. */
  resumeSweep: SweepDetail;
}

const Empty = z.object({}).strict();

/** Request schema per method: IPC, WebSocket and CLI validate through this one table. */
export const LAB_REQUEST_SCHEMAS = {
  createExperiment: CreateExperimentRequestSchema,
  listExperiments: Empty,
  getExperiment: ExperimentIdRequestSchema,
  deleteExperiment: ExperimentIdRequestSchema,
  listRuns: ListRunsRequestSchema,
  getRun: RunIdRequestSchema,
  deleteRun: RunIdRequestSchema,
  cancelRun: RunIdRequestSchema,
  updateRun: UpdateRunRequestSchema,
  getMetrics: MetricsRequestSchema,
  listEvaluations: RunIdRequestSchema,
  evaluate: EvaluateRequestSchema,
  evaluateCheckpoint: EvaluateCheckpointRequestSchema,
  ensemble: EnsembleRequestSchema,
  getGallery: GalleryRequestSchema,
  confusion: ConfusionRequestSchema,
  galleryPage: GalleryPageRequestSchema,
  engineInfo: Empty,
  listDatasets: Empty,
  downloadDataset: DownloadDatasetRequestSchema,
  importDataset: ImportDatasetRequestSchema,
  importModel: ImportModelRequestSchema,
  exportModel: ExportModelRequestSchema,
  exportReport: ExportReportRequestSchema,
  listJobs: Empty,
  cancelJob: JobIdRequestSchema,
  resumeRun: RunIdRequestSchema,
  estimateExperiment: CreateExperimentRequestSchema,
  planSweep: PlanSweepRequestSchema,
  createSweep: CreateSweepRequestSchema,
  listSweeps: Empty,
  getSweep: SweepIdRequestSchema,
  cancelSweep: SweepIdRequestSchema,
  resumeSweep: SweepIdRequestSchema,
} as const satisfies { [M in keyof LabResults]: z.ZodType };

export type LabMethod = keyof typeof LAB_REQUEST_SCHEMAS;
export const LAB_METHODS = Object.keys(LAB_REQUEST_SCHEMAS) as LabMethod[];

/** What a caller passes to `method`: its schema's input (fields with defaults may be left out). */
export type LabRequest<M extends LabMethod> = z.input<(typeof LAB_REQUEST_SCHEMAS)[M]>;
export type LabResult<M extends LabMethod> = LabResults[M];
/** What the service's method body gets: the request after its schema parsed it (defaults filled in). */
export type LabParsedRequest<M extends LabMethod> = z.output<(typeof LAB_REQUEST_SCHEMAS)[M]>;

/** Every method takes one request object and returns a Promise; errors reject with LabError. */
export type LabMethods = { [M in keyof LabResults]: (req: LabRequest<M>) => Promise<LabResults[M]> };

/** Event subscription method for each event name. */
export const EVENT_SUBSCRIBERS = {
  'run-status': 'onRunStatus',
  progress: 'onProgress',
  'epoch-end': 'onEpochEnd',
  evaluation: 'onEvaluation',
  log: 'onLog',
  'dataset-progress': 'onDatasetProgress',
  'job-finished': 'onJobFinished',
} as const satisfies { [K in LabEventName]: `on${string}` };

/** The onRunStatus/onProgress/... half of LabApi: one per event, each returning its unsubscribe. */
export type LabSubscriptions = { [K in LabEventName as (typeof EVENT_SUBSCRIBERS)[K]]: (cb: (e: LabEvents[K]) => void) => Unsubscribe };

/** The lab as every front end sees it (built by makeLabApi in src/shared/make-lab-api.ts, served by the LabService). */
export interface LabApi extends LabMethods, LabSubscriptions {}

/**
 * Version of the LabApi wire protocol (calls, replies, events) a host speaks; published in its endpoint file and
 * health answer, so a client of another version stops with a clear message instead of misreading replies.
 */
export const LAB_PROTOCOL_VERSION = 1;

export const IPC_CHANNELS = {
  invoke: 'lab:invoke',
  event: 'lab:event',
} as const;

/** Wire format of one call (IPC and WebSocket). */
export interface LabCall { id: number; method: LabMethod; params: unknown }
export type LabReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: { code: string; message: string; field?: string } };
export interface LabEventMessage<K extends LabEventName = LabEventName> { event: K; payload: LabEvents[K] }
