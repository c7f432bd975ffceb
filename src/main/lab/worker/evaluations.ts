// Runs a list of evaluations (clean accuracy, white-box and transfer attacks) on one trained model and reports each result.
import type * as tf from '@tensorflow/tfjs';
import { requestOf, sameAttack, type AttackRequest, type ResolvedAttack } from '../../../shared/attacks';
import { type EvaluationComponent, type GallerySample as ContractGallerySample, type RunRole, type TestSubset } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { robustnessCurve, type AttackAccuracy } from '../attacks/evaluate';
import { sampleGallery } from '../attacks/gallery';
import { type PixelData } from '../attacks/inputs';
import { type EvalTask, type EvaluationResult, type GalleryPayload } from './protocol';

/** How many test images a gallery shows. */
export const GALLERY_SIZE = 16;

export interface TestSet {
  images: PixelData;
  labels: Uint8Array;
  classNames: string[];
  /** Which images these are (dataset, split seed, size, indices hash): stored with every evaluation. */
  subset: TestSubset;
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
  /** `testSize` images of the run's test split (testPart's rule), for a task that scores only a part of it. */
  testPartOf?: (testSize: number) => TestSet;
  batchSize?: number;
  /** Loads a transfer source's model (cached by the caller). */
  loadSource(task: EvalTask): Promise<tf.LayersModel>;
  onResult(result: EvaluationResult, gallery: GalleryPayload | null): void;
  onProgress(done: number, total: number): void;
  shouldStop(): boolean;
}

/** What the attack engine is given for a task: the request that resolves back to the host's spec; clean = FGSM at ε 0 (no attack is run). */
function requestFor(task: EvalTask): Omit<AttackRequest, 'epsilon'> & { epsilon: number } {
  return task.attack === null ? { attack: 'fgsm', norm: 'infinity', epsilon: 0 } : requestOf(task.attack);
}

function toResult(task: EvalTask, point: AttackAccuracy, test: TestSet): EvaluationResult {
  const { subset } = test;
  const spec: ResolvedAttack | null = task.attack;
  if (spec !== null && !sameAttack(spec, point.attack)) {
    // the host resolved this attack once; running anything else would store a number under the wrong name
    throw new LabError('internal', `the attack engine ran ${JSON.stringify(point.attack)} for the task ${JSON.stringify(spec)}`);
  }
  return {
    sourceRunId: task.sourceRunId,
    attack: spec === null ? 'clean' : spec.attack,
    norm: spec === null ? 'infinity' : spec.norm,
    epsilon: spec === null ? 0 : spec.epsilon,
    steps: spec === null ? 0 : spec.steps,
    stepSize: spec === null ? null : spec.stepSize,
    restarts: spec === null ? 1 : spec.restarts,
    randomStart: spec === null ? false : spec.randomStart,
    spec,
    accuracy: point.accuracy,
    // null for a class absent from the test split: it has no accuracy, and 0 would read as "always wrong"
    perClassAccuracy: [...point.perClassAccuracy],
    count: point.count,
    correct: point.correct,
    zeroGradFraction: spec === null ? null : point.zeroGradFraction,
    subset,
    components: point.components.map((c): EvaluationComponent => ({ attack: c.attack, accuracy: c.accuracy, correct: c.correct })),
    mask: point.correctMask,
    // each example's true and predicted class, for the confusion matrix
    labels: Uint8Array.from(test.labels),
    predictions: point.predictions,
  };
}

const toBytes = (pixels: Float32Array): number[] => Array.from(pixels, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));

async function galleryFor(ctx: EvaluationContext, test: TestSet, task: EvalTask, source: tf.LayersModel): Promise<GalleryPayload> {
  const { target, peer } = ctx;
  const count = test.labels.length;
  const indices = Array.from({ length: Math.min(GALLERY_SIZE, count) }, (_, i) => i);
  const g = await sampleGallery({
    models: peer ? { base: target.model, adv: peer.model } : { base: target.model },
    source,
    images: test.images,
    labels: test.labels,
    indices,
    spec: requestFor(task),
  });
  const [height, width] = g.imageShape;
  const samples: ContractGallerySample[] = g.samples.map((s) => {
    // every class's confidence, for the gallery's enlarged view
    const of = (p: NonNullable<typeof s.adv>) => ({ clean: p.clean, adversarial: p.adversarial, cleanProbabilities: Array.from(p.cleanProbabilities), adversarialProbabilities: Array.from(p.adversarialProbabilities) });
    const predictions = [{ runId: target.runId, role: target.role, ...of(s.base) }];
    if (peer && s.adv) predictions.push({ runId: peer.runId, role: peer.role, ...of(s.adv) });
    return { index: s.index, label: s.label, clean: toBytes(s.clean), adversarial: toBytes(s.adversarial), predictions };
  });
  return { width, height, classNames: test.classNames, samples };
}

/** Runs every task in order; a task whose source cannot be loaded is reported as a warning by the caller (it throws). */
export async function runEvaluations(ctx: EvaluationContext, tasks: EvalTask[]): Promise<void> {
  const batchSize = ctx.batchSize ?? 256;
  const parts = new Map<number, TestSet>();
  const testOf = (task: EvalTask): TestSet => {
    const size = task.testSize;
    if (size === null || size >= ctx.test.labels.length || ctx.testPartOf === undefined) return ctx.test;
    let part = parts.get(size);
    if (part === undefined) parts.set(size, (part = ctx.testPartOf(size)));
    return part;
  };
  const batchesOf = (task: EvalTask): number => Math.ceil(testOf(task).labels.length / batchSize);
  const total = tasks.reduce((sum, t) => sum + batchesOf(t), 0);
  let finished = 0;
  for (const task of tasks) {
    if (ctx.shouldStop()) throw new LabError('cancelled', 'the evaluation was cancelled');
    const test = testOf(task);
    const source = task.sourceModelPath === null ? ctx.target.model : await ctx.loadSource(task);
    const curve = await robustnessCurve({
      target: ctx.target.model,
      source,
      images: test.images,
      labels: test.labels,
      batchSize,
      // the spec the host resolved runs as is; clean accuracy is ε = 0 (no attack is run)
      ...(task.attack === null ? { spec: { attack: 'fgsm', norm: 'infinity' }, epsilons: [0] } : { attacks: [task.attack] }),
      shouldStop: ctx.shouldStop,
      onProgress: (p) => ctx.onProgress(finished + p.done, total),
    });
    finished += batchesOf(task);
    const gallery = task.gallery && task.attack !== null && test.labels.length > 0 ? await galleryFor(ctx, test, task, source) : null;
    ctx.onResult(toResult(task, curve.points[0]!, test), gallery);
  }
}
