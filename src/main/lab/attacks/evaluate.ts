// Accuracy under attack over a dataset, batch by batch: one ε (evaluateAttack) or a list of ε (robustnessCurve),
// white-box (the target's own gradients) or transfer (a source model's gradients, the target's predictions).
// Every point also carries its per-example correctness mask (so any suite can be combined into an ensemble), the
// accuracy after each AutoAttack component, and the fraction of examples with an exactly zero input gradient.
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../../../shared/errors';
import { classCount, describeInputs, imageBatch, labelBatch, labelValues, type ImageInput, type LabelInput } from './inputs';
import { zeroGradientCount } from './gradient-check';
import { ExampleKeeper, type KeepRequest, type KeptExamples } from './kept-examples';
import { logitsOf, predictClasses } from './logits';
import { attackBatchStages } from './perturb';
import { ATTACK_KINDS, AUTOATTACK_SUITE, checkBatchSize, checkEpsilon, DEFAULT_BATCH_SIZE, mixSeed, resolveAttackSpec, type AttackKind, type AttackSpec, type ResolvedAttack } from './spec';

export interface EvaluationProgress {
  /** Units of work finished: one unit is one batch at one ε. */
  done: number;
  total: number;
}

/** Anything with an `aborted` flag, e.g. an AbortSignal. */
export interface AbortSignalLike {
  readonly aborted: boolean;
}

export interface EvaluationArgs {
  /** The model whose predictions are scored. */
  target: tf.LayersModel;
  /** The model whose gradients make the perturbation; omitted or equal to `target` means white-box. */
  source?: tf.LayersModel;
  images: ImageInput;
  labels: LabelInput;
  /** Examples per batch (default 256). */
  batchSize?: number;
  /** Called after every unit of work. */
  onProgress?: (progress: EvaluationProgress) => void;
  /** Checked between units of work; when aborted the evaluation rejects with LabError('cancelled'). */
  signal?: AbortSignalLike;
  /** Same as `signal`, as a function. */
  shouldStop?: () => boolean;
}

export interface EvaluateAttackArgs extends EvaluationArgs {
  spec: AttackSpec;
}

export interface RobustnessCurveArgs extends EvaluationArgs {
  /** The attack; its stepSize, when omitted, follows each ε (the shared table's rule). Ignored when `attacks` is given. */
  spec?: Omit<AttackSpec, 'epsilon'>;
  /** Radii to evaluate, in the order given; ε = 0 scores the clean images (no attack is run). */
  epsilons?: readonly number[];
  /** Attacks already resolved (e.g. stored with an evaluation), one point each, instead of `spec` + `epsilons`. */
  attacks?: readonly ResolvedAttack[];
  /** Keep the first examples of every point as scored (pixels and probabilities), e.g. for a gallery. */
  keep?: KeepRequest;
}

/** Accuracy after one component of an ensemble (cumulative: the examples surviving it and every earlier one). */
export interface ComponentAccuracy {
  attack: AttackKind;
  accuracy: number;
  correct: number;
}

export interface AttackAccuracy {
  epsilon: number;
  /** The attack as run, with every default filled in. */
  attack: ResolvedAttack;
  /** True when a distinct source model made the perturbations. */
  transfer: boolean;
  /** Fraction of examples the target still classifies correctly. */
  accuracy: number;
  correct: number;
  count: number;
  /** Accuracy per class (index = class); null for a class with no examples. */
  perClassAccuracy: (number | null)[];
  perClassCount: number[];
  /** Per example, in input order: 1 when the target still classifies it correctly under this attack, else 0. */
  correctMask: Uint8Array;
  /** Per example, in input order: the class the target predicts under this attack (one byte each up to 256 classes). */
  predictions: Uint8Array | Uint16Array;
  /** autoattack: accuracy after each component, in the order run (the last equals `accuracy`); otherwise empty. */
  components: ComponentAccuracy[];
  /** Fraction of examples whose input gradient (source model, clean input) is exactly zero; the same for every point. */
  zeroGradFraction: number;
  /** The first examples as this point scored them, when `keep` asked for them. */
  kept: KeptExamples | null;
}

export interface RobustnessCurve {
  points: AttackAccuracy[];
  count: number;
  zeroGradFraction: number;
}

function checkResolved(a: ResolvedAttack, i: number, pixels: number): ResolvedAttack {
  if (typeof a !== 'object' || a === null || !(ATTACK_KINDS as readonly string[]).includes(a.attack)) throw new LabError('invalid_argument', `attacks[${i}] must be a resolved attack`, `attacks[${i}]`);
  checkEpsilon(a.epsilon, a.norm, `attacks[${i}].epsilon`, pixels);
  return a;
}

function stopped(args: EvaluationArgs): boolean {
  return args.signal?.aborted === true || args.shouldStop?.() === true;
}

/** Lets pending messages (a cancel request, a progress flush) run between batches. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}

/** Accuracy of `target` against the attack at every ε of `epsilons`, sharing each converted batch across ε. */
export async function robustnessCurve(args: RobustnessCurveArgs): Promise<RobustnessCurve> {
  const { target, images, labels } = args;
  const source = args.source ?? target;
  const batchSize = checkBatchSize(args.batchSize ?? DEFAULT_BATCH_SIZE);
  const { count, pixels } = describeInputs(images, labels);
  const classes = classCount(target);
  let attacks: ResolvedAttack[];
  if (args.attacks !== undefined) {
    if (!Array.isArray(args.attacks) || args.attacks.length === 0) throw new LabError('invalid_argument', 'attacks must be a non-empty list of resolved attacks', 'attacks');
    attacks = args.attacks.map((a, i) => checkResolved(a, i, pixels));
  } else {
    const spec = args.spec;
    if (typeof spec !== 'object' || spec === null) throw new LabError('invalid_argument', 'the attack spec must be an object', 'spec');
    if (!Array.isArray(args.epsilons) || args.epsilons.length === 0) throw new LabError('invalid_argument', 'epsilons must be a non-empty list of radii', 'epsilons');
    attacks = args.epsilons.map((epsilon, i) => {
      checkEpsilon(epsilon, spec.norm, `epsilons[${i}]`, pixels);
      return resolveAttackSpec({ ...spec, epsilon } as AttackSpec, pixels, classes);
    });
  }
  if (source !== target && classCount(source) !== classes) {
    throw new LabError('invalid_argument', `source predicts ${classCount(source)} classes but target predicts ${classes}`, 'source');
  }
  const truth = await labelValues(labels);
  const bad = truth.findIndex((c) => !(c >= 0 && c < classes));
  if (bad >= 0) throw new LabError('invalid_argument', `labels must be class indices in [0, ${classes - 1}] (got ${truth[bad]} at ${bad})`, 'labels');

  const correct = attacks.map(() => new Int32Array(classes));
  const masks = attacks.map(() => new Uint8Array(count));
  const predictions = attacks.map(() => (classes <= 256 ? new Uint8Array(count) : new Uint16Array(count)));
  const stageCorrect = attacks.map((a) => (a.attack === 'autoattack' ? new Int32Array(AUTOATTACK_SUITE.length) : null));
  const keep = args.keep;
  const keepers = attacks.map(() => (keep === undefined ? null : new ExampleKeeper(keep, count, pixels, keep.models.map(classCount))));
  let zeroGradients = 0;
  const perClassCount = new Int32Array(classes);
  for (const c of truth) perClassCount[c]!++;
  const batches = Math.ceil(count / batchSize);
  const total = batches * attacks.length;
  let done = 0;
  for (let b = 0; b < batches; b++) {
    const start = b * batchSize;
    const end = Math.min(count, start + batchSize);
    const x = imageBatch(images, start, end);
    const y = labelBatch(labels, start, end);
    try {
      zeroGradients += zeroGradientCount(logitsOf(source), x, y);
      for (let k = 0; k < attacks.length; k++) {
        if (stopped(args)) throw new LabError('cancelled', 'the evaluation was cancelled');
        const a = attacks[k]!;
        const { x: adversarial, stages } = a.epsilon === 0 ? { x, stages: [] } : attackBatchStages(source, x, y, a, mixSeed(a.seed, b));
        let predicted: Int32Array[];
        try {
          predicted = await Promise.all([adversarial, ...stages].map(async (t) => {
            const p = predictClasses(target, t);
            try {
              return (await p.data()) as Int32Array;
            } finally {
              p.dispose();
            }
          }));
          const keeper = keepers[k];
          if (keeper?.wants(start)) await keeper.add(start, x, adversarial);
        } finally {
          if (adversarial !== x) tf.dispose([adversarial, ...stages.filter((s) => s !== adversarial)]);
        }
        const values = predicted[0]!;
        for (let i = 0; i < values.length; i++) {
          const label = truth[start + i]!;
          predictions[k]![start + i] = values[i]!;
          if (values[i] === label) {
            correct[k]![label]!++;
            masks[k]![start + i] = 1;
          }
        }
        stageCorrect[k]?.forEach((_, s) => {
          const p = predicted[s + 1]!;
          for (let i = 0; i < p.length; i++) if (p[i] === truth[start + i]) stageCorrect[k]![s]!++;
        });
        args.onProgress?.({ done: ++done, total });
        await yieldToEventLoop();
      }
    } finally {
      x.dispose();
      y.dispose();
    }
  }

  const transfer = source !== target;
  const zeroGradFraction = count === 0 ? 0 : zeroGradients / count;
  const points = attacks.map((a, k): AttackAccuracy => {
    const right = correct[k]!.reduce((s, v) => s + v, 0);
    return {
      epsilon: a.epsilon,
      attack: a,
      transfer,
      accuracy: count === 0 ? 0 : right / count,
      correct: right,
      count,
      perClassAccuracy: Array.from(perClassCount, (n, c) => (n === 0 ? null : correct[k]![c]! / n)),
      perClassCount: Array.from(perClassCount),
      correctMask: masks[k]!,
      predictions: predictions[k]!,
      components: stageCorrect[k] === null ? [] : AUTOATTACK_SUITE.map((attack, s) => ({ attack, correct: stageCorrect[k]![s]!, accuracy: count === 0 ? 0 : stageCorrect[k]![s]! / count })),
      zeroGradFraction,
      kept: keepers[k]?.result() ?? null,
    };
  });
  return { points, count, zeroGradFraction };
}

/** Accuracy of `target` against one attack (white-box unless a different `source` is given). */
export async function evaluateAttack(args: EvaluateAttackArgs): Promise<AttackAccuracy> {
  const { spec, ...rest } = args;
  if (typeof spec !== 'object' || spec === null) throw new LabError('invalid_argument', 'the attack spec must be an object', 'spec');
  const { epsilon, ...attack } = spec;
  const curve = await robustnessCurve({ ...rest, spec: attack, epsilons: [epsilon] }).catch((err: unknown) => {
    // a bad radius is reported under the spec's own field name
    if (err instanceof LabError && err.field === 'epsilons[0]') throw new LabError(err.code, err.message.replace('epsilons[0]', 'epsilon'), 'epsilon');
    throw err;
  });
  return curve.points[0]!;
}
