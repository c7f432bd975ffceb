// Runs a list of evaluations (clean accuracy, white-box and transfer attacks) on one trained model and reports each result.
import type * as tf from '@tensorflow/tfjs';
import { type GallerySample as ContractGallerySample, type RunRole } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { robustnessCurve, type AttackAccuracy } from '../attacks/evaluate';
import { sampleGallery } from '../attacks/gallery';
import { type PixelData } from '../attacks/inputs';
import { type AttackSpec as AttackRunSpec } from '../attacks/spec';
import { type EvalTask, type EvaluationResult, type GalleryPayload } from './protocol';

/** How many test images a gallery shows. */
export const GALLERY_SIZE = 16;

export interface TestSet {
  images: PixelData;
  labels: Uint8Array;
  classNames: string[];
}

export interface EvaluatedModel {
  runId: string;
  role: RunRole;
  model: tf.LayersModel;
}

export interface EvaluationContext {
  target: EvaluatedModel;
  /** Another trained model of the experiment, whose predictions the gallery shows next to the target's. */
  peer: EvaluatedModel | null;
  test: TestSet;
  seed: number;
  batchSize?: number;
  /** Loads a transfer source's model (cached by the caller). */
  loadSource(task: EvalTask): Promise<tf.LayersModel>;
  onResult(result: EvaluationResult, gallery: GalleryPayload | null): void;
  onProgress(done: number, total: number): void;
  shouldStop(): boolean;
}

function attackSpecOf(task: EvalTask, seed: number): Omit<AttackRunSpec, 'epsilon'> {
  const attack = task.attack === 'clean' ? 'fgsm' : task.attack;
  const spec: Omit<AttackRunSpec, 'epsilon'> = { attack, norm: task.norm, steps: task.attack === 'clean' ? 1 : task.steps, randomStart: task.randomStart, restarts: task.restarts, seed };
  if (task.stepSize !== null && task.attack !== 'clean') spec.stepSize = task.stepSize;
  return spec;
}

function toResult(task: EvalTask, point: AttackAccuracy): EvaluationResult {
  return {
    sourceRunId: task.sourceRunId,
    attack: task.attack,
    norm: task.norm,
    epsilon: task.attack === 'clean' ? 0 : point.epsilon,
    steps: task.attack === 'clean' ? 0 : point.attack.steps,
    stepSize: task.attack === 'clean' ? null : point.attack.stepSize,
    restarts: point.attack.restarts,
    randomStart: task.attack === 'clean' ? false : point.attack.randomStart,
    accuracy: point.accuracy,
    // null for a class absent from the test split: it has no accuracy, and 0 would read as "always wrong"
    perClassAccuracy: [...point.perClassAccuracy],
    count: point.count,
  };
}

const toBytes = (pixels: Float32Array): number[] => Array.from(pixels, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));

async function galleryFor(ctx: EvaluationContext, task: EvalTask, source: tf.LayersModel): Promise<GalleryPayload> {
  const { test, target, peer } = ctx;
  const count = test.labels.length;
  const indices = Array.from({ length: Math.min(GALLERY_SIZE, count) }, (_, i) => i);
  const g = await sampleGallery({
    models: peer ? { base: target.model, adv: peer.model } : { base: target.model },
    source,
    images: test.images,
    labels: test.labels,
    indices,
    spec: { ...attackSpecOf(task, ctx.seed), epsilon: task.epsilon },
  });
  const [height, width] = g.imageShape;
  const samples: ContractGallerySample[] = g.samples.map((s) => {
    const predictions = [{ runId: target.runId, role: target.role, clean: s.base.clean, adversarial: s.base.adversarial }];
    if (peer && s.adv) predictions.push({ runId: peer.runId, role: peer.role, clean: s.adv.clean, adversarial: s.adv.adversarial });
    return { index: s.index, label: s.label, clean: toBytes(s.clean), adversarial: toBytes(s.adversarial), predictions };
  });
  return { width, height, classNames: test.classNames, samples };
}

/** Runs every task in order; a task whose source cannot be loaded is reported as a warning by the caller (it throws). */
export async function runEvaluations(ctx: EvaluationContext, tasks: EvalTask[]): Promise<void> {
  const batchSize = ctx.batchSize ?? 256;
  const perTask = Math.ceil(ctx.test.labels.length / batchSize);
  const total = perTask * tasks.length;
  let finished = 0;
  for (const task of tasks) {
    if (ctx.shouldStop()) throw new LabError('cancelled', 'the evaluation was cancelled');
    const source = task.sourceModelPath === null ? ctx.target.model : await ctx.loadSource(task);
    const curve = await robustnessCurve({
      target: ctx.target.model,
      source,
      images: ctx.test.images,
      labels: ctx.test.labels,
      batchSize,
      spec: attackSpecOf(task, ctx.seed),
      epsilons: [task.attack === 'clean' ? 0 : task.epsilon],
      shouldStop: ctx.shouldStop,
      onProgress: (p) => ctx.onProgress(finished + p.done, total),
    });
    finished += perTask;
    const gallery = task.gallery && task.attack !== 'clean' && ctx.test.labels.length > 0 ? await galleryFor(ctx, task, source) : null;
    ctx.onResult(toResult(task, curve.points[0]!), gallery);
  }
}
