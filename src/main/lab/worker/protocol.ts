// The typed messages between the LabService (host) and the engine worker process; plain data only (structured-clone safe).
import { type BatchMetrics, type EngineRecord, type EvaluationRecord, type GallerySample, type MetricValues, type RunConfig, type RunRole } from '../../../shared/contract';
import { type LabErrorShape } from '../../../shared/errors';

/** One attack to run on a model, with every default resolved by the host. */
export interface EvalTask {
  attack: 'clean' | 'fgsm' | 'pgd';
  norm: 'infinity' | 'l2';
  epsilon: number;
  steps: number;
  stepSize: number | null;
  randomStart: boolean;
  restarts: number;
  /** The run whose model makes the perturbation (transfer); null = white-box on the evaluated model. */
  sourceRunId: string | null;
  /** model.json of the source run; null for white-box. */
  sourceModelPath: string | null;
  /** Whether to send gallery samples with the result. */
  gallery: boolean;
}

/** Another trained model of the experiment, shown next to the evaluated one in galleries. */
export interface GalleryPeer {
  runId: string;
  role: RunRole;
  modelPath: string;
}

/** Train one run (optionally continuing from a checkpoint), save its model, then evaluate it. */
export interface TrainJob {
  kind: 'train';
  jobId: string;
  runId: string;
  /** The run's folder: checkpoints/ and model/ go inside. */
  runDir: string;
  /** The dataset cache (<home>/data). */
  cacheDir: string;
  config: RunConfig;
  galleryPeer: GalleryPeer | null;
  /** Continue after this many finished epochs from the checkpoint folder. */
  resume?: { epoch: number; checkpointDir: string };
  /** Evaluations after training: clean first, then the run's attack suite. */
  evaluations: EvalTask[];
}

/** Evaluate an already trained run. */
export interface EvaluateJob {
  kind: 'evaluate';
  jobId: string;
  runId: string;
  runDir: string;
  cacheDir: string;
  config: RunConfig;
  modelPath: string;
  galleryPeer: GalleryPeer | null;
  evaluations: EvalTask[];
}

export type WorkerJob = TrainJob | EvaluateJob;

export type HostToWorker = { type: 'train'; job: TrainJob } | { type: 'evaluate'; job: EvaluateJob } | { type: 'cancel' } | { type: 'shutdown' };

/** An evaluation as the worker measured it; the host adds id and createdAt when storing it. */
export type EvaluationResult = Omit<EvaluationRecord, 'id' | 'runId' | 'createdAt' | 'hasGallery'>;

export interface GalleryPayload {
  width: number;
  height: number;
  classNames: string[];
  samples: GallerySample[];
}

export interface ProgressMessage {
  type: 'progress';
  jobId: string;
  runId: string;
  phase: 'train' | 'evaluate';
  /** 1-based epoch being trained (0 while evaluating). */
  epoch: number;
  epochs: number;
  /** Batches finished in this epoch (or evaluation steps finished). */
  batch: number;
  batches: number;
  step: number;
  loss: number | null;
  accuracy: number | null;
  etaSeconds: number | null;
  metrics?: MetricValues;
  /** Wall-clock ms (Date.now()) when the worker posted it; lets front ends and the bench measure delivery latency. */
  emittedAt: number;
}

export interface EpochEndMessage {
  type: 'epoch-end';
  jobId: string;
  runId: string;
  /** 1-based number of the finished epoch. */
  epoch: number;
  metrics: MetricValues;
  durationMs: number;
  /** Downsampled per-batch points of this epoch, for charts. */
  batches: BatchMetrics[];
  checkpointDir: string;
}

export type WorkerToHost =
  | { type: 'ready'; engine: EngineRecord; pid: number }
  | ProgressMessage
  | EpochEndMessage
  | { type: 'evaluation'; jobId: string; runId: string; evaluation: EvaluationResult; gallery: GalleryPayload | null }
  | { type: 'artifact'; jobId: string; runId: string; kind: 'model' | 'checkpoint'; path: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string; runId?: string }
  | { type: 'done'; jobId: string; runId: string; outcome: 'completed' | 'cancelled' }
  /** `fatal`: the worker is about to exit (an uncaught error); the host must not give it another job. */
  | { type: 'error'; jobId: string | null; runId: string | null; error: LabErrorShape; fatal?: boolean };

const HOST_TYPES = new Set(['train', 'evaluate', 'cancel', 'shutdown']);
const WORKER_TYPES = new Set(['ready', 'progress', 'epoch-end', 'evaluation', 'artifact', 'log', 'done', 'error']);

/** Guards the host against anything on the channel that is not a worker message (stray sends, other libraries). */
export function isWorkerMessage(m: unknown): m is WorkerToHost {
  return typeof m === 'object' && m !== null && WORKER_TYPES.has((m as { type?: unknown }).type as string);
}

export function isHostMessage(m: unknown): m is HostToWorker {
  return typeof m === 'object' && m !== null && HOST_TYPES.has((m as { type?: unknown }).type as string);
}
