// Adam with Keras 3's update rule over one flat moment buffer, so a step costs ~45 kernels instead of ~145.
// On tfjs-node every kernel carries a fixed dispatch cost; tfjs' Adam spends ~14 kernels per variable,
// about a third of an adversarial training step of the tutorial CNN. Concatenating the gradients once
// lets the moment updates run as a handful of large ops. It is a tf.Optimizer, so checkpoint code that
// saves getWeights() / restores setWeights() works unchanged.
import * as tf from '@tensorflow/tfjs';

type NamedTensor = Parameters<tf.Optimizer['setWeights']>[0][number];

export interface FlatAdamArgs {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  /** Keras' default 1e-7, added to sqrt(v) (bias correction is folded into the step size). */
  epsilon?: number;
}

/**
 * Keras 3 Adam (amsgrad off): t += 1; α = lr·sqrt(1 − β2^t)/(1 − β1^t); m += (g − m)(1 − β1);
 * v += (g² − v)(1 − β2); w −= α·m/(sqrt(v) + ε). The moments live in two flat non-trainable variables,
 * laid out in the order of the variables of the first update (the model's trainable-weight order).
 */
export class FlatAdam extends tf.Optimizer {
  static className = 'FlatAdam';
  private lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private bound: { vars: tf.Variable[]; sizes: number[] } | undefined;
  private m: tf.Variable | undefined;
  private v: tf.Variable | undefined;
  private readonly constants: { oneMinusBeta1: tf.Scalar; oneMinusBeta2: tf.Scalar; epsilon: tf.Scalar };

  constructor(args: FlatAdamArgs = {}) {
    super();
    this.lr = args.learningRate ?? 0.001;
    this.beta1 = args.beta1 ?? 0.9;
    this.beta2 = args.beta2 ?? 0.999;
    this.epsilon = args.epsilon ?? 1e-7;
    this.iterations_ = 0;
    this.constants = { oneMinusBeta1: tf.scalar(1 - this.beta1), oneMinusBeta2: tf.scalar(1 - this.beta2), epsilon: tf.scalar(this.epsilon) };
  }

  get learningRate(): number {
    return this.lr;
  }

  /** Changes the step size from the next update on (a schedule, e.g. Fast-AT's cyclic rate); 0 makes updates no-ops. */
  setLearningRate(learningRate: number): void {
    if (!(Number.isFinite(learningRate) && learningRate >= 0)) throw new Error(`FlatAdam: learningRate must be a finite number ≥ 0 (got ${learningRate})`);
    this.lr = learningRate;
  }

  /** True for a FlatAdam (tf.Optimizer's instanceof is duck-typed and accepts every optimizer). */
  static isFlatAdam(o: unknown): o is FlatAdam {
    return typeof o === 'object' && o !== null && (o as { getClassName?: () => string }).getClassName?.() === FlatAdam.className && typeof (o as FlatAdam).applyOrdered === 'function';
  }

  /** tf.Optimizer entry point: gradients by variable name (tfjs' registered names). */
  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const entries: [string, tf.Tensor][] = Array.isArray(variableGradients) ? variableGradients.map((e) => [e.name, e.tensor]) : Object.entries(variableGradients);
    const registered = tf.engine().registeredVariables;
    const byName = new Map(entries);
    const order = this.bound?.vars.map((v) => v.name) ?? entries.map(([name]) => name);
    const vars = order.map((name) => {
      const v = registered[name];
      if (v === undefined) throw new Error(`FlatAdam: no variable named ${name}`);
      return v;
    });
    this.applyOrdered(
      vars,
      order.map((name) => {
        const g = byName.get(name);
        if (g === undefined) throw new Error(`FlatAdam: no gradient for ${name}`);
        return g;
      }),
    );
  }

  /** Fast path: gradients in the order of `vars` (always the same variables, in the same order). */
  applyOrdered(vars: tf.Variable[], grads: tf.Tensor[]): void {
    if (grads.length !== vars.length) throw new Error(`FlatAdam expected ${vars.length} gradients, got ${grads.length}`);
    const { sizes } = this.bind(vars);
    this.incrementIterations();
    const t = this.iterations;
    const alpha = (this.learningRate * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
    const { oneMinusBeta1, oneMinusBeta2, epsilon } = this.constants;
    const m = this.m!;
    const v = this.v!;
    tf.tidy(() => {
      const g = grads.length === 1 ? grads[0]!.reshape([-1]) : tf.concat(grads.map((x) => x.reshape([-1])));
      m.assign(tf.add(m, tf.mul(tf.sub(g, m), oneMinusBeta1)));
      v.assign(tf.add(v, tf.mul(tf.sub(tf.square(g), v), oneMinusBeta2)));
      const update = tf.div(tf.mul(m, alpha), tf.add(tf.sqrt(v), epsilon));
      const parts = grads.length === 1 ? [update] : tf.split(update, sizes);
      vars.forEach((w, i) => w.assign(tf.sub(w, parts[i]!.reshape(w.shape))));
    });
  }

  private bind(vars: tf.Variable[]): { vars: tf.Variable[]; sizes: number[] } {
    if (this.bound !== undefined) {
      if (this.bound.vars.length !== vars.length || this.bound.vars.some((b, i) => b !== vars[i])) throw new Error('FlatAdam is bound to a different list of variables');
      return this.bound;
    }
    const sizes = vars.map((w) => w.size);
    const total = sizes.reduce((a, b) => a + b, 0);
    if (this.m !== undefined && this.m.size !== total) throw new Error(`FlatAdam: restored moments hold ${this.m.size} values but the variables hold ${total}`);
    this.m ??= tf.tidy(() => tf.variable(tf.zeros([total]), false));
    this.v ??= tf.tidy(() => tf.variable(tf.zeros([total]), false));
    this.bound = { vars, sizes };
    return this.bound;
  }

  /** [iter, m, v], the moments flat in variable order (empty moments before the first update). */
  override async getWeights(): Promise<NamedTensor[]> {
    const weights = [await this.saveIterations()];
    if (this.m !== undefined && this.v !== undefined) weights.push({ name: 'm', tensor: this.m }, { name: 'v', tensor: this.v });
    return weights;
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    const m = rest.find((w) => w.name === 'm');
    const v = rest.find((w) => w.name === 'v');
    if (m === undefined || v === undefined) return;
    if (m.tensor.size !== v.tensor.size) throw new Error('FlatAdam: m and v differ in size');
    if (this.bound !== undefined && m.tensor.size !== this.m!.size) throw new Error('FlatAdam: restored moments do not fit the bound variables');
    tf.dispose([this.m, this.v]);
    this.m = tf.tidy(() => tf.variable(m.tensor.reshape([-1]), false));
    this.v = tf.tidy(() => tf.variable(v.tensor.reshape([-1]), false));
  }

  getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(cls: tf.serialization.SerializableConstructor<T>, config: tf.serialization.ConfigDict): T {
    return new cls(config as FlatAdamArgs);
  }

  override dispose(): void {
    tf.dispose([this.m, this.v, this.constants.oneMinusBeta1, this.constants.oneMinusBeta2, this.constants.epsilon].filter((t) => t !== undefined));
    this.m = undefined;
    this.v = undefined;
  }
}

tf.serialization.registerClass(FlatAdam);
