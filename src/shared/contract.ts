// The contract between every front end (Electron renderer, browser, CLI) and the LabService.
import { z } from 'zod';
import {
  CreateExperimentRequestSchema,
  DownloadDatasetRequestSchema,
  EvaluateRequestSchema,
  ExperimentIdRequestSchema,
  ExportModelRequestSchema,
  ExportReportRequestSchema,
  GalleryRequestSchema,
  ImportDatasetRequestSchema,
  ListRunsRequestSchema,
  MetricsRequestSchema,
  RunIdRequestSchema,
  UpdateRunRequestSchema,
  type AdvRegConfig,
  type AttackSpec,
  type CreateExperimentRequest,
  type DataSplit,
  type DownloadDatasetRequest,
  type EvaluateRequest,
  type ExportModelRequest,
  type ExportReportRequest,
  type GalleryRequest,
  type HParams,
  type ImportDatasetRequest,
  type ListRunsRequest,
  type MetricsRequest,
  type RunRole,
  type RunStatus,
  type UpdateRunRequest,
} from './schemas';

export type { RunRole, RunStatus };

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
  /** The base run has multiplier 0 (no adversarial pass). */
  advReg: AdvRegConfig;
  data: DataSplit;
  seed: number;
  attacks: AttackSpec[];
  baseModelPath?: string;
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
  status: RunStatus;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  epochsDone: number;
  epochs: number;
  /** Accuracy on the clean test split after training. */
  cleanAccuracy: number | null;
  /** Headline robust accuracy: the lowest accuracy among the run's evaluations at the headline ε (0.2). */
  robustAccuracy: number | null;
  robustLabel: string | null;
  backend: string | null;
  tags: string[];
  error: string | null;
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

export interface EvaluationRecord {
  id: number;
  runId: string;
  /** Run whose gradients made the perturbation; null for white-box. */
  sourceRunId: string | null;
  attack: 'fgsm' | 'pgd' | 'clean';
  norm: 'infinity' | 'l2';
  epsilon: number;
  steps: number;
  stepSize: number | null;
  restarts: number;
  randomStart: boolean;
  accuracy: number;
  /** Accuracy per class, in label order; null for a class with no example in the test split. */
  perClassAccuracy: (number | null)[];
  count: number;
  createdAt: string;
  hasGallery: boolean;
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
  artifacts: ArtifactRecord[];
}

export interface ExperimentDetail extends ExperimentSummary {
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
  predictions: { runId: string; role: RunRole; clean: number; adversarial: number }[];
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

export interface LabEvents {
  'run-status': RunStatusEvent;
  progress: ProgressEvent;
  'epoch-end': EpochEndEvent;
  evaluation: EvaluationEvent;
  log: LogEvent;
  'dataset-progress': DatasetProgressEvent;
}
export type LabEventName = keyof LabEvents;
export const LAB_EVENTS = ['run-status', 'progress', 'epoch-end', 'evaluation', 'log', 'dataset-progress'] as const satisfies readonly LabEventName[];

type Unsubscribe = () => void;

/** Every method takes one request object and returns a Promise; errors reject with LabError. */
export interface LabApi {
  createExperiment(req: CreateExperimentRequest): Promise<{ experiment: ExperimentSummary; runs: RunSummary[] }>;
  listExperiments(req: Record<string, never>): Promise<ExperimentSummary[]>;
  getExperiment(req: { experimentId: string }): Promise<ExperimentDetail>;
  deleteExperiment(req: { experimentId: string }): Promise<{ deleted: string[] }>;
  listRuns(req: ListRunsRequest): Promise<RunSummary[]>;
  getRun(req: { runId: string }): Promise<RunDetail>;
  deleteRun(req: { runId: string }): Promise<{ deleted: string[] }>;
  cancelRun(req: { runId: string }): Promise<RunSummary>;
  updateRun(req: UpdateRunRequest): Promise<RunSummary>;
  getMetrics(req: MetricsRequest): Promise<{ runId: string; epochs: EpochMetrics[]; batches: BatchMetrics[] }>;
  listEvaluations(req: { runId: string }): Promise<EvaluationRecord[]>;
  evaluate(req: EvaluateRequest): Promise<{ jobId: string }>;
  getGallery(req: GalleryRequest): Promise<Gallery>;
  engineInfo(req: Record<string, never>): Promise<EngineRecord>;
  listDatasets(req: Record<string, never>): Promise<DatasetInfo[]>;
  downloadDataset(req: DownloadDatasetRequest): Promise<DatasetInfo>;
  importDataset(req: ImportDatasetRequest): Promise<DatasetInfo>;
  exportModel(req: ExportModelRequest): Promise<{ files: string[] }>;
  /** Writes report.json, metrics.csv and evaluations.csv of an experiment; returns the files written. */
  exportReport(req: ExportReportRequest): Promise<{ files: string[] }>;
  listJobs(req: Record<string, never>): Promise<JobSummary[]>;

  onRunStatus(cb: (e: RunStatusEvent) => void): Unsubscribe;
  onProgress(cb: (e: ProgressEvent) => void): Unsubscribe;
  onEpochEnd(cb: (e: EpochEndEvent) => void): Unsubscribe;
  onEvaluation(cb: (e: EvaluationEvent) => void): Unsubscribe;
  onLog(cb: (e: LogEvent) => void): Unsubscribe;
  onDatasetProgress(cb: (e: DatasetProgressEvent) => void): Unsubscribe;
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
  getGallery: GalleryRequestSchema,
  engineInfo: Empty,
  listDatasets: Empty,
  downloadDataset: DownloadDatasetRequestSchema,
  importDataset: ImportDatasetRequestSchema,
  exportModel: ExportModelRequestSchema,
  exportReport: ExportReportRequestSchema,
  listJobs: Empty,
} as const;

export type LabMethod = keyof typeof LAB_REQUEST_SCHEMAS;
export const LAB_METHODS = Object.keys(LAB_REQUEST_SCHEMAS) as LabMethod[];

/** Methods only, without the event subscriptions. */
export type LabMethods = Pick<LabApi, LabMethod>;

/** Event subscription method for each event name. */
export const EVENT_SUBSCRIBERS = {
  'run-status': 'onRunStatus',
  progress: 'onProgress',
  'epoch-end': 'onEpochEnd',
  evaluation: 'onEvaluation',
  log: 'onLog',
  'dataset-progress': 'onDatasetProgress',
} as const satisfies { [K in LabEventName]: keyof LabApi };

export const IPC_CHANNELS = {
  invoke: 'lab:invoke',
  event: 'lab:event',
} as const;

/** Wire format of one call (IPC and WebSocket). */
export interface LabCall { id: number; method: LabMethod; params: unknown }
export type LabReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: { code: string; message: string; field?: string } };
export interface LabEventMessage<K extends LabEventName = LabEventName> { event: K; payload: LabEvents[K] }
