// The worker's two jobs: train a run (epochs, checkpoints, model files, then evaluations) and evaluate a run's saved
// model or one of its epoch checkpoints.
import * as tf from '@tensorflow/tfjs';
import { type MetricValues } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { chanceFlag } from '../../../shared/sanity-flags';
import { splitSeedOf } from '../../../shared/seeds';
import { batchCount, batches, gatherImages, gatherLabels } from '../data/batches';
import { GUARD_PROBE_SIZE, type GuardProbe } from '../defences/fast-at';
import { epochLearningRate, setLearningRate } from '../defences/learning-rate';
import { makeTrainingStep, needsGuardProbe } from '../defences/make-step';
import { type EpochDecision, type TrainingStep } from '../defences/training-step';
import { outputKind } from '../nsl/model-head';
import { readMetrics } from '../nsl/training-loop';
import { loadModelFiles, saveModelFiles } from '../run/model-files';
import { restoreCheckpoint, restoreModelWeights, saveCheckpoint } from './checkpoint';
import { checkpointDir, modelDirOf } from './run-paths';
import { runEvaluations, type EvaluatedModel, type TestSet } from './evaluations';
import { BatchSampler, etaSeconds, MetricMeans, Throttle } from './progress';
import { type EvalTask, type EvaluateJob, type TrainJob, type WorkerToHost } from './protocol';
import { initialModel, loadRunData, makeOptimizer, type RunData } from './run-data';
import { loadTestSource, testPart } from './test-data';
import { testMetrics } from './test-metrics';

export interface JobContext {
  post(message: WorkerToHost): void;
  /** True once the host asked to cancel; checked between batches. */
  cancelRequested(): boolean;
  /** Minimum time between progress messages (default 100 ms: about 10 per second). */
  progressIntervalMs?: number;
}

export type JobOutcome = 'completed' | 'cancelled';

/** Lets queued messages (a cancel) reach the worker between batches; training is otherwise one long synchronous chain. */
const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function checkCancel(ctx: JobContext): void {
  if (ctx.cancelRequested()) throw new LabError('cancelled', 'the run was cancelled');
}

const CONTINUE: EpochDecision = { action: 'continue' };

/** The first training images (in split order): the fixed probe Fast-AT's overfitting guard attacks after each epoch. */
function guardProbe(data: RunData): GuardProbe {
  const indices = data.split.train.subarray(0, Math.min(GUARD_PROBE_SIZE, data.split.train.length));
  return { image: gatherImages(data.dataset, indices), label: gatherLabels(data.dataset, indices) };
}

export async function runTrainJob(job: TrainJob, ctx: JobContext): Promise<JobOutcome> {
  const { config, jobId, runId } = job;
  const { hparams } = config;
  const data = await loadRunData(config, job.cacheDir);
  const model = await initialModel(config);
  const optimizer = makeOptimizer(config);
  const probe = needsGuardProbe(config) ? guardProbe(data) : undefined;
  let trainer: TrainingStep | undefined;
  try {
    let startEpoch = 0;
    let step = 0;
    let defenceState: unknown;
    if (job.resume) {
      const state = await restoreCheckpoint(job.resume.checkpointDir, model, optimizer);
      startEpoch = state.epoch;
      step = state.step;
      defenceState = state.defenceState;
      ctx.post({ type: 'log', level: 'info', runId, message: `${runId}: resuming after epoch ${startEpoch} (step ${step}) from ${job.resume.checkpointDir}` });
    }
    trainer = makeTrainingStep(config, { model, optimizer, seed: config.seed, ...(probe === undefined ? {} : { probe }) });
    if (defenceState !== undefined) trainer.restoreState?.(defenceState);

    const perEpoch = batchCount(data.split.train.length, hparams.batchSize);
    const throttle = new Throttle(ctx.progressIntervalMs ?? 100);
    const sampler = new BatchSampler(perEpoch);
    const started = performance.now();
    const stepsAtStart = step;
    const stepsTotal = perEpoch * hparams.epochs;
    let lastEpoch: { epoch: number; accuracy: number } | undefined;
    for (let e = startEpoch; e < hparams.epochs; e++) {
      const epoch = e + 1;
      const epochStart = performance.now();
      const means = new MetricMeans();
      const lr = epochLearningRate(config, e);
      if (lr !== undefined) setLearningRate(optimizer, lr);
      let b = 0;
      for (const batch of batches(data.dataset, data.split.train, hparams.batchSize, { shuffleSeed: config.seed, epoch: e })) {
        let values: MetricValues;
        try {
          values = await readMetrics(trainer.trainStep(batch, { epoch: e, batch: b, batchesPerEpoch: perEpoch, epochs: hparams.epochs, step }));
        } finally {
          tf.dispose([batch.image, batch.label]);
        }
        b += 1;
        step += 1;
        means.add(values, batch.indices.length);
        sampler.add(epoch, b, step, values);
        if (throttle.ready(b === 1 || b === perEpoch)) {
          ctx.post({
            type: 'progress', emittedAt: Date.now(), jobId, runId, phase: 'train', epoch, epochs: hparams.epochs, batch: b, batches: perEpoch, step,
            loss: values.loss, accuracy: values.sparse_categorical_accuracy,
            etaSeconds: etaSeconds(started, step - stepsAtStart, stepsTotal - stepsAtStart),
            metrics: values,
          });
        }
        await nextTick();
        checkCancel(ctx);
      }
      // decided before the checkpoint is written, so the checkpoint holds the step state this decision left
      const decision = (await trainer.onEpochEnd?.(epoch)) ?? CONTINUE;
      const state = trainer.state?.();
      const dir = await saveCheckpoint(checkpointDir(job.runDir, epoch), model, optimizer, { epoch, step, ...(state === undefined ? {} : { defenceState: state }) });
      const stopped = decision.action === 'stop' ? { keepEpoch: decision.keepEpoch, reason: decision.reason } : undefined;
      // the test split's first images in inference mode (test-metrics.ts): the run page's test curves
      const metrics = { ...means.means(), ...(await testMetrics(model, data.test)) };
      lastEpoch = { epoch, accuracy: metrics.sparse_categorical_accuracy ?? NaN };
      ctx.post({ type: 'epoch-end', jobId, runId, epoch, metrics, durationMs: Math.round(performance.now() - epochStart), batches: sampler.take(), checkpointDir: dir, ...(stopped === undefined ? {} : { stopped }) });
      if (stopped !== undefined) {
        await keepEpoch(job, stopped.keepEpoch, epoch, model, optimizer);
        ctx.post({ type: 'log', level: 'warn', runId, message: `${runId}: ${stopped.reason}` });
        break;
      }
    }

    // said at once; the store also flags the run's clean evaluation (src/shared/sanity-flags.ts)
    const atChance = lastEpoch === undefined ? null : chanceFlag({ numClasses: hparams.numClasses, epochs: lastEpoch.epoch, lastTrainAccuracy: lastEpoch.accuracy, cleanAccuracy: null, role: config.role, defence: config.defence });
    if (atChance !== null) ctx.post({ type: 'log', level: 'warn', runId, message: `${runId}: ${atChance.reason}` });

    const saved = await saveModelFiles(model, modelDirOf(job.runDir));
    ctx.post({ type: 'artifact', jobId, runId, kind: 'model', path: saved.modelPath, outputKind: outputKind(model) });
    await evaluate(job, ctx, { runId, role: config.role, model }, data.test, job.evaluations, (n) => testPart(data.dataset, n, splitSeedOf(config)));
    return 'completed';
  } finally {
    trainer?.dispose();
    tf.dispose(probe === undefined ? [] : [probe.image, probe.label]);
    optimizer.dispose();
    model.dispose();
  }
}

/** An early stop keeps epoch `keep`'s weights: its checkpoint (written by this run) replaces the current ones. */
async function keepEpoch(job: TrainJob, keep: number, epoch: number, model: tf.LayersModel, optimizer: tf.Optimizer): Promise<void> {
  if (!Number.isSafeInteger(keep) || keep < 1 || keep > epoch) throw new LabError('engine_error', `the training step asked to keep epoch ${keep}, not one of the ${epoch} finished epochs`, 'keepEpoch');
  if (keep !== epoch) await restoreCheckpoint(checkpointDir(job.runDir, keep), model, optimizer);
}

export async function runEvaluateJob(job: EvaluateJob, ctx: JobContext): Promise<JobOutcome> {
  const own = job.test ? null : await loadRunData(job.config, job.cacheDir);
  const test = own ? own.test : await loadTestSource(job.test!, job.config.hparams, job.cacheDir);
  const model = job.checkpoint ? await initialModel(job.config) : await loadModelFiles(job.modelPath);
  try {
    if (job.checkpoint) await loadCheckpointWeights(job, job.checkpoint, model, ctx);
    const part = own ? (n: number) => testPart(own.dataset, n, splitSeedOf(job.config)) : undefined;
    await evaluate(job, ctx, { runId: job.runId, role: job.config.role, model }, test, job.evaluations, part, job.checkpoint?.epoch ?? null);
    return 'completed';
  } finally {
    model.dispose();
  }
}

/** The checkpoint's weights into the model the run's config builds (the architecture its training used). */
async function loadCheckpointWeights(job: EvaluateJob, checkpoint: NonNullable<EvaluateJob['checkpoint']>, model: tf.LayersModel, ctx: JobContext): Promise<void> {
  const state = await restoreModelWeights(checkpoint.checkpointDir, model);
  if (state.epoch !== checkpoint.epoch) {
    throw new LabError('failed_precondition', `checkpoint ${checkpoint.checkpointDir} was written after epoch ${state.epoch}, not epoch ${checkpoint.epoch}`, 'checkpoint');
  }
  ctx.post({ type: 'log', level: 'info', runId: job.runId, message: `${job.runId}: evaluating the weights of its epoch ${checkpoint.epoch} checkpoint (${checkpoint.checkpointDir})` });
}

/** Runs the tasks on `target`; `modelEpoch` (a checkpoint's epoch, or null for the saved model) goes with every result. */
async function evaluate(job: TrainJob | EvaluateJob, ctx: JobContext, target: EvaluatedModel, test: TestSet, tasks: EvalTask[], testPartOf?: (testSize: number) => TestSet, modelEpoch: number | null = null): Promise<void> {
  if (tasks.length === 0) return;
  const loaded = new Map<string, tf.LayersModel>();
  const load = async (modelPath: string): Promise<tf.LayersModel> => {
    let m = loaded.get(modelPath);
    if (!m) loaded.set(modelPath, (m = await loadModelFiles(modelPath)));
    return m;
  };
  const throttle = new Throttle(ctx.progressIntervalMs ?? 100);
  const started = performance.now();
  try {
    const peer = job.galleryPeer ? { runId: job.galleryPeer.runId, role: job.galleryPeer.role, model: await load(job.galleryPeer.modelPath) } : null;
    await runEvaluations(
      {
        target,
        peer,
        test,
        ...(testPartOf ? { testPartOf } : {}),
        loadSource: (task) => load(task.sourceModelPath!),
        onResult: (evaluation, gallery) => ctx.post({ type: 'evaluation', jobId: job.jobId, runId: job.runId, evaluation: { ...evaluation, modelEpoch }, gallery }),
        onProgress: (done, total) => {
          if (!throttle.ready(done === 1 || done === total)) return;
          ctx.post({ type: 'progress', emittedAt: Date.now(), jobId: job.jobId, runId: job.runId, phase: 'evaluate', epoch: 0, epochs: job.config.hparams.epochs, batch: done, batches: total, step: done, loss: null, accuracy: null, etaSeconds: etaSeconds(started, done, total) });
        },
        shouldStop: () => ctx.cancelRequested(),
      },
      tasks,
    );
  } finally {
    loaded.forEach((m) => m.dispose());
  }
}
