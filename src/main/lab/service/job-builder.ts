// Turns a stored job into the worker's job: resolved attack tasks (transfer sources as model paths) and the gallery peer.
import { type EvaluationRecord, type RunDetail } from '../../../shared/contract';
import { sameAttack } from '../../../shared/attacks';
import { LabError } from '../../../shared/errors';
import { type Store, type StoredJob } from '../store';
import { type EvalTask, type EvaluateJob, type GalleryPeer, type TrainJob } from '../worker/protocol';
import { type EvaluatePayload, modelPathOfRun, type TrainPayload } from './payloads';
import { CLEAN_TASK } from '../worker/tasks';
import { attackSuiteOf, evalTasksFor, evalTasksForResolved, type SourceLookup } from './run-config';

export interface JobBuildContext {
  store: Store;
  cacheDir: string;
  /** Reports a skipped attack (its transfer source has no model). */
  warn(message: string): void;
}

/** Whether a stored evaluation already measured what `task` would, on as many of the run's test images. */
function sameEvaluation(e: EvaluationRecord, t: EvalTask, testSize: number): boolean {
  if (e.sourceRunId !== t.sourceRunId || e.count !== Math.min(t.testSize ?? testSize, testSize)) return false;
  return t.attack === null ? e.attack === 'clean' : e.spec !== null && sameAttack(e.spec, t.attack);
}

/** An adv run's base is the base run of its own seed: same init and data order, the adversarial term off. */
function sourcesFor({ store, warn }: JobBuildContext, run: RunDetail): SourceLookup {
  const runs = store.getExperiment(run.experimentId).runs;
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
  const other = store.getExperiment(run.experimentId).runs.find((r) => r.id !== run.id && r.seed === run.seed && r.status === 'completed');
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

/** The worker's evaluate job for an `evaluate` request on a trained run. */
export function evaluateJobFor(ctx: JobBuildContext, stored: StoredJob, run: RunDetail): EvaluateJob {
  const payload = stored.payload as EvaluatePayload;
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
