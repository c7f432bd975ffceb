// Turns a stored job into the worker's job: resolved attack tasks (transfer sources as model paths) and the gallery peer.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type EvaluationRecord, type RunDetail } from '../../../shared/contract';
import { sameAttack } from '../../../shared/attacks';
import { LabError } from '../../../shared/errors';
import { type Store, type StoredJob } from '../store';
import { type CheckpointRef, type EvalTask, type EvaluateJob, type GalleryPeer, type TrainJob } from '../worker/protocol';
import { CHECKPOINT_STATE_FILE } from '../worker/run-paths';
import { type EvaluatePayload, modelPathOfRun, type TrainPayload } from './payloads';
import { CLEAN_TASK } from '../worker/tasks';
import { attackSuiteOf, evalTasksFor, evalTasksForResolved, type SourceLookup } from './run-config';

export interface JobBuildContext {
  store: Store;
  cacheDir: string;
  /** Reports a skipped attack (its transfer source has no model). */
  warn(message: string): void;
}

/**
 * Whether a stored evaluation already measured what `task` would on the final model, on as many of the run's test
 * images; a checkpoint's evaluation measured other weights, so the final model still needs its own.
 */
function sameEvaluation(e: EvaluationRecord, t: EvalTask, testSize: number): boolean {
  if (e.modelEpoch !== null || e.sourceRunId !== t.sourceRunId || e.count !== Math.min(t.testSize ?? testSize, testSize)) return false;
  return t.attack === null ? e.attack === 'clean' : e.spec !== null && sameAttack(e.spec, t.attack);
}

/**
 * The runs an adv run is compared with: its experiment's, and for a sweep cell whose base runs are shared, the
 * sweep's base experiment's too.
 */
function companionsOf(store: Store, run: RunDetail): RunDetail[] {
  const own = store.getExperiment(run.experimentId).runs;
  const shared = store.sharedBaseExperiment(run.experimentId);
  // the shared base runs first, as a cell's own base runs come first in its experiment
  return shared === null ? own : [...store.getExperiment(shared).runs, ...own];
}

/** An adv run's base is the base run of its own seed: same init and data order, the adversarial term off. */
function sourcesFor({ store, warn }: JobBuildContext, run: RunDetail): SourceLookup {
  const runs = companionsOf(store, run);
  return {
    baseRunId: runs.find((r) => r.role === 'base' && r.seed === run.seed)?.id ?? null,
    modelPathOf: (id) => {
      try {
        return modelPathOfRun(store.getRun(id));
      } catch {
        return null;
      }
    },
    warn,
  };
}

/** The other model shown in the gallery: the same seed's other role. */
function galleryPeerFor({ store }: JobBuildContext, run: RunDetail): GalleryPeer | null {
  const other = companionsOf(store, run).find((r) => r.id !== run.id && r.seed === run.seed && r.status === 'completed');
  const modelPath = other ? modelPathOfRun(other) : null;
  return other && modelPath ? { runId: other.id, role: other.role, modelPath } : null;
}

/** The worker's train job for a queued run; a resumed run gets only the evaluations it does not have yet. */
export function trainJobFor(ctx: JobBuildContext, stored: StoredJob, run: RunDetail): TrainJob {
  const payload = (stored.payload ?? {}) as TrainPayload;
  let evaluations: EvalTask[] = evalTasksFor(run.id, run.config, sourcesFor(ctx, run));
  // a run resumed after its evaluations began keeps the results it has and measures only the rest
  if (payload.resume) evaluations = evaluations.filter((t) => !run.evaluations.some((e) => sameEvaluation(e, t, run.config.data.testSize)));
  return {
    kind: 'train',
    jobId: stored.id,
    runId: run.id,
    runDir: ctx.store.runFolder(run.id),
    cacheDir: ctx.cacheDir,
    config: run.config,
    galleryPeer: galleryPeerFor(ctx, run),
    evaluations,
    ...(payload.resume ? { resume: payload.resume } : {}),
  };
}

/** The worker's evaluate job for an `evaluate` request on a trained run, or for `evaluateCheckpoint` on a checkpoint. */
export function evaluateJobFor(ctx: JobBuildContext, stored: StoredJob, run: RunDetail): EvaluateJob {
  const payload = stored.payload as EvaluatePayload;
  if (payload.checkpoint) return checkpointJobFor(ctx, stored, run, payload.checkpoint);
  const req = payload.request;
  const modelPath = modelPathOfRun(run);
  if (modelPath === null) throw new LabError('failed_precondition', `run ${run.id} has no trained model to evaluate`, 'runId');
  const clean: EvalTask[] = payload.clean === true ? [{ ...CLEAN_TASK }] : [];
  let attacks: EvalTask[] = [];
  if (req !== undefined) {
    // jobs queued by this build carry the attacks the service resolved; older ones are resolved from their request
    attacks = payload.attacks
      ? evalTasksForResolved(run.id, payload.attacks, req.sourceRunId ?? 'self', sourcesFor(ctx, run))
      : evalTasksFor(run.id, { hparams: run.config.hparams, seed: run.config.seed, attacks: [attackSuiteOf(req)] }, sourcesFor(ctx, run), false);
    if (attacks.length === 0) throw new LabError('failed_precondition', `the source run ${req.sourceRunId ?? ''} has no trained model`, 'sourceRunId');
  }
  const evaluations = [...clean, ...attacks];
  return {
    kind: 'evaluate', jobId: stored.id, runId: run.id, runDir: ctx.store.runFolder(run.id), cacheDir: ctx.cacheDir, config: run.config, modelPath,
    galleryPeer: payload.test ? null : galleryPeerFor(ctx, run), evaluations, ...(payload.test ? { test: payload.test } : {}),
  };
}

/** The run's own attack suite (clean accuracy first, exactly what training ends with) on one epoch checkpoint's weights. */
function checkpointJobFor(ctx: JobBuildContext, stored: StoredJob, run: RunDetail, checkpoint: CheckpointRef): EvaluateJob {
  if (!existsSync(path.join(checkpoint.checkpointDir, CHECKPOINT_STATE_FILE))) {
    throw new LabError('failed_precondition', `run ${run.id} has no checkpoint for epoch ${checkpoint.epoch} any more (${checkpoint.checkpointDir}); it cannot be evaluated`, 'runId');
  }
  return {
    kind: 'evaluate', jobId: stored.id, runId: run.id, runDir: ctx.store.runFolder(run.id), cacheDir: ctx.cacheDir, config: run.config, checkpoint,
    galleryPeer: galleryPeerFor(ctx, run), evaluations: evalTasksFor(run.id, run.config, sourcesFor(ctx, run)),
  };
}
