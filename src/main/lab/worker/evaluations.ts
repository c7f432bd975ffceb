// Runs a list of evaluations (clean accuracy, white-box and transfer attacks) on one trained model and reports each result.
import type * as tf from '@tensorflow/tfjs';
import { sameAttack, type ResolvedAttack } from '../../../shared/attacks';
import { type EvaluationComponent, type GallerySample as ContractGallerySample, type RunRole, type TestSubset } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { robustnessCurve, type AttackAccuracy } from '../attacks/evaluate';
import { type PixelData } from '../attacks/inputs';
import { type KeptExamples } from '../attacks/kept-examples';
import { type EvalTask, type EvaluationResult, type GalleryPayload } from './protocol';

/**
 * How many test images (the first of the subset) an evaluation keeps for its gallery: four pages of 64. Every other
 * example is still in the gallery through the evaluation's per-example mask; 256 images take about 0.5 MB of the store.
 */
export const GALLERY_SIZE = 256;

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

/** Probabilities are stored to 6 decimals: what a person reads, and a third of the JSON. */
const rounded = (p: Float32Array, from: number, to: number): number[] => Array.from(p.subarray(from, to), (v) => Math.round(v * 1e6) / 1e6);

const argMax = (values: ArrayLike<number>): number => {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
};

/** The gallery of one evaluation: its first examples as scored, with the target's and the peer's predictions. */
function galleryOf(ctx: EvaluationContext, test: TestSet, kept: KeptExamples): GalleryPayload {
  const { target, peer } = ctx;
  const [, height, width, channels] = test.images.shape;
  const pixels = height * width * channels;
  const shown = peer ? [target, peer] : [target];
  const samples: ContractGallerySample[] = Array.from({ length: kept.count }, (_, i) => {
    const predictions = shown.map((m, k) => {
      const probs = kept.probabilities[k]!;
      const classes = probs.clean.length / kept.count;
      const [from, to] = [i * classes, (i + 1) * classes];
      // the classes from the unrounded values, as the evaluation's own predictions were taken
      return {
        runId: m.runId, role: m.role,
        clean: argMax(probs.clean.subarray(from, to)), adversarial: argMax(probs.adversarial.subarray(from, to)),
        cleanProbabilities: rounded(probs.clean, from, to), adversarialProbabilities: rounded(probs.adversarial, from, to),
      };
    });
    return {
      index: i,
      label: test.labels[i]!,
      clean: toBytes(kept.clean.subarray(i * pixels, (i + 1) * pixels)),
      adversarial: toBytes(kept.adversarial.subarray(i * pixels, (i + 1) * pixels)),
      predictions,
    };
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
    const keep = task.gallery && task.attack !== null && test.labels.length > 0;
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
      ...(keep ? { keep: { examples: GALLERY_SIZE, models: ctx.peer ? [ctx.target.model, ctx.peer.model] : [ctx.target.model] } } : {}),
    });
    finished += batchesOf(task);
    const point = curve.points[0]!;
    ctx.onResult(toResult(task, point, test), point.kept ? galleryOf(ctx, test, point.kept) : null);
  }
}
