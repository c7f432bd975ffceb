// The typed messages between the LabService (host) and the engine worker process; plain data only (structured-clone safe).
import { type BatchMetrics, type EngineRecord, type EvaluationRecord, type GallerySample, type MetricValues, type RunConfig, type RunRole } from '../../../shared/contract';
import { type ResolvedAttack } from '../../../shared/attacks';
import { type LabErrorShape } from '../../../shared/errors';
import { type DatasetSpec } from '../../../shared/schemas';

/** One attack to run on a model, resolved once by the host into the complete spec that runs and is stored. */
export interface EvalTask {
  /** The attack as it runs; null = clean accuracy (no attack). */
  attack: ResolvedAttack | null;
  /** The run whose model makes the perturbation (transfer); null = white-box on the evaluated model. */
  sourceRunId: string | null;
  /** model.json of the source run; null for white-box. */
  sourceModelPath: string | null;
  /** Whether to send gallery samples with the result. */
  gallery: boolean;
  /** Score only this many of the test images (the images `rlab eval --test-size` would take); null = all of them. */
  testSize: number | null;
}

/** Another dataset's test split to evaluate on instead of the run's own (checked against the model by the host). */
export interface TestSource {
  dataset: DatasetSpec;
  testSize: number;
  /** The seed choosing the test subset (the run's split seed, so the same dataset gives the run's own subset). */
  splitSeed: number;
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

/** An epoch checkpoint of a run (checkpoint.ts): its weights are evaluated when the run has no saved model. */
export interface CheckpointRef {
  /** Finished epochs when it was written (1-based count); every evaluation is reported with it as its modelEpoch. */
  epoch: number;
  checkpointDir: string;
}

interface EvaluateJobBase {
  kind: 'evaluate';
  jobId: string;
  runId: string;
  runDir: string;
  cacheDir: string;
  config: RunConfig;
  galleryPeer: GalleryPeer | null;
  evaluations: EvalTask[];
  /** Evaluate on this test split instead of the run's own. */
  test?: TestSource;
}

/**
 * Evaluate a run's saved model (`modelPath`), or the weights of one of its epoch checkpoints: the model is then built
 * from the run's config as its training built it, and given the checkpoint's weights.
 */
export type EvaluateJob = EvaluateJobBase & ({ modelPath: string; checkpoint?: undefined } | { modelPath?: undefined; checkpoint: CheckpointRef });

export type WorkerJob = TrainJob | EvaluateJob;

/** Check a user's model file in the worker (the host never parses or builds one) and optionally save a normalised copy. */
export interface InspectModelRequest {
  requestId: string;
  /** The user's model.json. */
  modelPath: string;
  /** The images the model must take, [height, width, channels]. */
  inputShape: [number, number, number];
  numClasses: number;
  /** Folder to save the validated model into, in the lab's own format (image input, one weights.bin); null = check only. */
  saveTo: string | null;
  /** Also measure the model's clean accuracy on this test split (an imported model's first evaluation). */
  cleanOn?: TestSource & { cacheDir: string };
}

/** What an inspection found: the topology check's summary, the output kind, and the saved copy's model.json. */
export interface ModelInspection {
  modelClass: 'Sequential' | 'Model';
  layers: number;
  parameters: number;
  inputShape: number[];
  inputKind: 'image' | 'flat';
  outputUnits: number;
  outputKind: 'logits' | 'probabilities';
  savedModelPath: string | null;
  /** Clean accuracy on the request's `cleanOn` split; absent when not asked. */
  clean?: EvaluationResult;
}

export type HostToWorker = { type: 'train'; job: TrainJob } | { type: 'evaluate'; job: EvaluateJob } | { type: 'cancel' } | { type: 'shutdown' } | { type: 'inspect-model'; request: InspectModelRequest };

/**
 * An evaluation as the worker measured it, with its per-example correctness mask (1 = still correct, in subset
 * order); the host adds id, createdAt, the interval and the sanity flags when storing it.
 */
export type EvaluationResult = Omit<EvaluationRecord, 'id' | 'runId' | 'createdAt' | 'hasGallery' | 'hasMask' | 'interval' | 'flags' | 'modelEpoch'> & {
  /** The checkpoint's epoch when its weights were evaluated; absent or null for the saved model. */
  modelEpoch?: number | null;
  mask: Uint8Array | null;
  /** Each example's true and predicted class (subset order), for the confusion matrix. */
  labels?: Uint8Array | Uint16Array;
  predictions?: Uint8Array | Uint16Array;
};

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
  /** Set on the last epoch of a run its training step stopped early: the weights kept are epoch `keepEpoch`'s. */
  stopped?: { keepEpoch: number; reason: string };
}

export type WorkerToHost =
  | { type: 'ready'; engine: EngineRecord; pid: number }
  | ProgressMessage
  | EpochEndMessage
  | { type: 'evaluation'; jobId: string; runId: string; evaluation: EvaluationResult; gallery: GalleryPayload | null }
  | { type: 'artifact'; jobId: string; runId: string; kind: 'model' | 'checkpoint'; path: string; /** model: what its last layer outputs (model-head.ts). */ outputKind?: 'logits' | 'probabilities' }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string; runId?: string }
  /** A remote worker took the job (src/main/lab/queue): its engine, and the finished epochs it starts after. */
  | { type: 'attempt'; jobId: string; runId: string; attempt: string; worker: string; engine: EngineRecord; startEpoch: number }
  | { type: 'done'; jobId: string; runId: string; outcome: 'completed' | 'cancelled' }
  | { type: 'model-inspected'; requestId: string; result: { ok: true; inspection: ModelInspection } | { ok: false; error: LabErrorShape } }
  /** `fatal`: the worker is about to exit (an uncaught error); the host must not give it another job. */
  | { type: 'error'; jobId: string | null; runId: string | null; error: LabErrorShape; fatal?: boolean };

const HOST_TYPES = new Set(['train', 'evaluate', 'cancel', 'shutdown', 'inspect-model']);
const WORKER_TYPES = new Set(['ready', 'attempt', 'progress', 'epoch-end', 'evaluation', 'artifact', 'log', 'done', 'error', 'model-inspected']);

/** Guards the host against anything on the channel that is not a worker message (stray sends, other libraries). */
export function isWorkerMessage(m: unknown): m is WorkerToHost {
  return typeof m === 'object' && m !== null && WORKER_TYPES.has((m as { type?: unknown }).type as string);
}

export function isHostMessage(m: unknown): m is HostToWorker {
  return typeof m === 'object' && m !== null && HOST_TYPES.has((m as { type?: unknown }).type as string);
}
