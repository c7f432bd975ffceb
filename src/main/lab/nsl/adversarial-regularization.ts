// AdversarialRegularization: NSL's Keras wrapper for tfjs. Wraps any single-input LayersModel and trains it
// on loss = labeled_loss + multiplier · adversarial_loss, the adversarial batch held constant.
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../../../shared/errors';
import { batchLoss, checkSampleWeights } from './batch-loss';
import { type AdvRegConfig, type AdvRegConfigInput, makeAdvRegConfig } from './config';
import { installFastGradients } from './fast-gradients';
import { FlatAdam } from './flat-adam';
import { type ModelHead, makeModelHead, sparseAccuracy } from './model-head';
import { type RandomStart, featureMaskTensor, genAdvNeighbors } from './neighbors';
import { type Batch, type BatchSource, type MetricValues, type StepMetrics } from './metrics';
import { type FitArgs, type History, evaluateBatches, runFit } from './training-loop';

export interface CompileArgs {
  /**
   * 'adam': Keras 3's Adam (learning rate 0.001, β 0.9/0.999, ε 1e-7) as a FlatAdam; 'sgd' (0.01); or a
   * ready tfjs optimizer (a FlatAdam takes the fast path), which stays the caller's to dispose.
   */
  optimizer: 'adam' | 'sgd' | tf.Optimizer;
  /** The only loss NSL's MNIST setup uses; anything else is rejected. */
  loss: 'sparse_categorical_crossentropy';
  /** Overrides the default learning rate of a named optimizer. */
  learningRate?: number;
}

export interface AdversarialRegularizationOptions {
  /** Seed of the random starts (randomInit); step k uses seed + k. Without it starts are fresh randomness. */
  seed?: number;
  /** Replaces the random start's draw (randomInit), e.g. to replay NSL's own draw; `seed` is then unused. */
  randomStart?: RandomStart;
}

/** Gradients of the total loss, keyed by variable name (what `Optimizer.applyGradients` takes). */
export interface StepGradients {
  metrics: StepMetrics;
  grads: tf.NamedTensorMap;
}

export class AdversarialRegularization {
  readonly baseModel: tf.LayersModel;
  readonly config: Readonly<AdvRegConfig>;
  private readonly head: ModelHead;
  private mask: tf.Tensor | undefined;
  private optimizer: { optimizer: tf.Optimizer; owned: boolean } | undefined;
  private readonly seed: number | undefined;
  private readonly randomStart: RandomStart | undefined;
  private draws = 0;

  /** `config` is the shared AdvRegConfig (src/shared/schemas.ts); omitted fields take NSL's defaults. */
  constructor(baseModel: tf.LayersModel, config: AdvRegConfigInput = {}, options: AdversarialRegularizationOptions = {}) {
    installFastGradients();
    this.baseModel = baseModel;
    this.config = Object.freeze(makeAdvRegConfig(config));
    this.head = makeModelHead(baseModel);
    const exampleShape = baseModel.inputs[0]!.shape.slice(1);
    // A model with a fixed input shape gets its mask checked now; otherwise on the first batch.
    if (this.config.featureMask !== undefined && exampleShape.every((d) => d !== null)) this.mask = featureMaskTensor(this.config.featureMask, exampleShape as number[]);
    this.seed = options.seed;
    this.randomStart = options.randomStart;
  }

  compile(args: CompileArgs): void {
    if (args.loss !== 'sparse_categorical_crossentropy') throw new LabError('unsupported', `loss must be 'sparse_categorical_crossentropy' (got ${String(args.loss)})`, 'loss');
    if (args.learningRate !== undefined && !(Number.isFinite(args.learningRate) && args.learningRate > 0)) {
      throw new LabError('invalid_argument', `learningRate must be > 0 (got ${args.learningRate})`, 'learningRate');
    }
    let next: tf.Optimizer;
    if (args.optimizer === 'adam') next = new FlatAdam(args.learningRate === undefined ? {} : { learningRate: args.learningRate });
    else if (args.optimizer === 'sgd') next = tf.train.sgd(args.learningRate ?? 0.01);
    else if (args.optimizer instanceof tf.Optimizer) next = args.optimizer;
    else throw new LabError('invalid_argument', `optimizer must be 'adam', 'sgd' or a tf.Optimizer (got ${String(args.optimizer)})`, 'optimizer');
    this.disposeOptimizer();
    this.optimizer = { optimizer: next, owned: typeof args.optimizer === 'string' };
  }

  /** The variables trained, in the model's weight order. */
  get trainableVariables(): tf.Variable[] {
    return this.baseModel.trainableWeights.map((w) => w.read() as tf.Variable);
  }

  /**
   * Metrics and weight gradients of one batch, without updating anything. One forward and backward pass
   * gives the labeled loss's gradients for the input and the weights together; the neighbour is built from
   * that input gradient; one more forward and backward pass gives the adversarial loss's weight gradients.
   * With multiplier 0 (the base model) the adversarial pass is skipped and scaled_adversarial_loss is 0.
   */
  computeGradients(batch: Batch): StepGradients {
    const vars = this.trainableVariables;
    const { metrics, grads } = this.gradientsInOrder(batch, vars);
    const named: tf.NamedTensorMap = {};
    vars.forEach((v, i) => {
      named[v.name] = grads[i]!;
    });
    return { metrics, grads: named };
  }

  private gradientsInOrder(batch: Batch, vars: tf.Variable[]): { metrics: StepMetrics; grads: tf.Tensor[] } {
    const m = this.config.multiplier;
    return tf.tidy(() => {
      const { x, y, w } = this.inputs(batch);
      let accuracy: tf.Scalar | undefined;
      const labeledLoss = (): tf.Scalar => {
        const logits = this.head.logits(x, true);
        accuracy = tf.keep(sparseAccuracy(logits, y));
        return batchLoss(logits, y, w);
      };
      const xs = m === 0 ? vars : [x, ...vars];
      const { value: labeled, grads: labeledGrads } = tf.engine().gradients(labeledLoss, xs, undefined, true);
      const weightGrads = labeledGrads.slice(xs.length - vars.length);
      let scaled: tf.Scalar = tf.scalar(0);
      let total = weightGrads;
      if (m !== 0) {
        const xAdv = this.neighbour(x, y, w, true, labeledGrads[0]!);
        const adv = tf.engine().gradients(() => tf.mul(batchLoss(this.head.logits(xAdv, true), y, w), m) as tf.Scalar, vars, undefined, true);
        scaled = adv.value;
        total = weightGrads.map((g, i) => (g == null ? adv.grads[i]! : adv.grads[i] == null ? g : tf.add(g, adv.grads[i]!)));
      }
      const grads = vars.map((v, i) => total[i] ?? tf.zerosLike(v));
      const metrics: StepMetrics = {
        loss: tf.add(labeled, scaled) as tf.Scalar,
        sparse_categorical_crossentropy: labeled,
        scaled_adversarial_loss: scaled,
        sparse_categorical_accuracy: accuracy!,
      };
      return { metrics, grads };
    });
  }

  /** One optimisation step. Returns the step's metric tensors (caller disposes or reads them in bulk). */
  trainStep(batch: Batch): StepMetrics {
    const optimizer = this.optimizer?.optimizer;
    if (optimizer === undefined) throw new LabError('failed_precondition', 'call compile({ optimizer, loss }) before training', 'optimizer');
    const vars = this.trainableVariables;
    const { metrics, grads } = this.gradientsInOrder(batch, vars);
    try {
      if (FlatAdam.isFlatAdam(optimizer)) optimizer.applyOrdered(vars, grads);
      else optimizer.applyGradients(Object.fromEntries(vars.map((v, i) => [v.name, grads[i]!])));
    } finally {
      tf.dispose(grads);
    }
    return metrics;
  }

  /** Metrics of one batch without updating weights (training=false); includes the adversarial loss as NSL does. */
  evaluateStep(batch: Batch): StepMetrics {
    const m = this.config.multiplier;
    return tf.tidy(() => {
      const { x, y, w } = this.inputs(batch);
      const logits = this.head.logits(x, false);
      const labeled = batchLoss(logits, y, w);
      let scaled: tf.Scalar = tf.scalar(0);
      if (m !== 0) {
        const xAdv = this.neighbour(x, y, w, false);
        scaled = tf.mul(batchLoss(this.head.logits(xAdv, false), y, w), m) as tf.Scalar;
      }
      return { loss: tf.add(labeled, scaled) as tf.Scalar, sparse_categorical_crossentropy: labeled, scaled_adversarial_loss: scaled, sparse_categorical_accuracy: sparseAccuracy(logits, y) };
    });
  }

  /** The adversarial neighbours of a batch (NSL perturb_on_batch), same shape as batch.image; caller disposes. */
  perturbOnBatch(batch: Batch, options: { training?: boolean } = {}): tf.Tensor {
    return tf.tidy(() => {
      const { x, y, w } = this.inputs(batch);
      return this.neighbour(x, y, w, options.training ?? false);
    });
  }

  /** Epoch loop with callbacks; see FitArgs. */
  fit(args: FitArgs): Promise<History> {
    if (this.optimizer === undefined) throw new LabError('failed_precondition', 'call compile({ optimizer, loss }) before fit', 'optimizer');
    return runFit({ trainStep: (b) => this.trainStep(b), evaluateStep: (b) => this.evaluateStep(b) }, args);
  }

  /** Sample-weighted mean metrics over batches (disposed after use unless disposeBatches is false). */
  evaluate(batches: BatchSource, options: { disposeBatches?: boolean; signal?: AbortSignal } = {}): Promise<MetricValues> {
    return evaluateBatches((b) => this.evaluateStep(b), batches, options);
  }

  /** Frees the feature mask and an optimizer created by compile (moments included); not the base model. */
  dispose(): void {
    this.mask?.dispose();
    this.disposeOptimizer();
  }

  private disposeOptimizer(): void {
    if (this.optimizer?.owned) this.optimizer.optimizer.dispose();
    this.optimizer = undefined;
  }

  private inputs(batch: Batch): { x: tf.Tensor; y: tf.Tensor1D; w: tf.Tensor1D | undefined } {
    const x = batch.image;
    if (x.dtype !== 'float32') throw new LabError('invalid_argument', `batch.image must be float32 (got ${x.dtype})`, 'image');
    if (batch.label.rank !== 1 || batch.label.shape[0] !== x.shape[0]) {
      throw new LabError('invalid_argument', `batch.label must have shape [${x.shape[0]}] (got [${batch.label.shape.join(', ')}])`, 'label');
    }
    checkSampleWeights(batch.weight, x.shape[0]!);
    // inputs runs inside tf.tidy: the mask outlives it
    if (this.config.featureMask !== undefined && this.mask === undefined) this.mask = tf.keep(featureMaskTensor(this.config.featureMask, x.shape.slice(1)));
    return { x, y: batch.label, w: batch.weight };
  }

  /** NSL's neighbour: its PGD steps use the labeled loss with the batch's sample weights (pgd_loss_fn). */
  private neighbour(x: tf.Tensor, y: tf.Tensor1D, w: tf.Tensor1D | undefined, training: boolean, initialGrad?: tf.Tensor): tf.Tensor {
    const seed = this.seed === undefined || !this.config.randomInit ? undefined : this.seed + this.draws++;
    const [xAdv] = genAdvNeighbors({
      features: [x],
      lossFn: ([f]) => batchLoss(this.head.logits(f!, training), y, w),
      config: this.config,
      masks: [this.mask],
      ...(initialGrad === undefined ? {} : { initialGrads: [initialGrad] }),
      ...(seed === undefined ? {} : { seed }),
      ...(this.randomStart === undefined ? {} : { randomStart: this.randomStart }),
    });
    return xAdv!;
  }
}
