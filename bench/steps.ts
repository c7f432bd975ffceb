// The training steps the benchmark times: the lab's own NSL trainer plus the alternative formulations compared with it.
import * as tf from '@tensorflow/tfjs';
import { buildModel, TUTORIAL_HPARAMS } from '../src/main/lab/models/builders';
import { AdversarialRegularization, makeModelHead, readMetrics, sparseCrossEntropy } from '../src/main/lab/nsl';
import { TUTORIAL_ADV_REG } from '../src/shared/presets';

/** The NSL tutorial's adversarial settings (the mnist-tutorial preset): infinity norm, step 0.2, multiplier 0.2. */
export const TUTORIAL_ADV = TUTORIAL_ADV_REG;

export interface StepVariant {
  name: string;
  /** One line on what this formulation does differently. */
  about: string;
  /** Builds fresh state (model, optimizer) and returns the step and its cleanup. */
  setup(seed: number): { step: (x: tf.Tensor4D, y: tf.Tensor1D) => Promise<void>; dispose: () => void };
}

function freshModel(seed: number): tf.LayersModel {
  return buildModel(TUTORIAL_HPARAMS, seed);
}

function disposeModel(model: tf.LayersModel): void {
  model.dispose();
}

/** The lab's trainer: one tape gives input and weight gradients, then one adversarial forward/backward. */
function labStep(name: string, about: string, multiplier: number, optimizer: 'adam' | 'tfjs-adam' = 'adam'): StepVariant {
  return {
    name,
    about,
    setup(seed) {
      const model = freshModel(seed);
      const trainer = new AdversarialRegularization(model, { ...TUTORIAL_ADV, multiplier });
      const stockAdam = optimizer === 'tfjs-adam' ? tf.train.adam(0.001, 0.9, 0.999, 1e-7) : undefined;
      trainer.compile({ optimizer: stockAdam ?? 'adam', loss: 'sparse_categorical_crossentropy' });
      return {
        step: async (x, y) => { await readMetrics(trainer.trainStep({ image: x, label: y })); },
        dispose: () => { trainer.dispose(); stockAdam?.dispose(); disposeModel(model); },
      };
    },
  };
}

/** Plain step through tf.variableGrads + applyGradients on the model's variables (stock tfjs gradients and Adam). */
const variableGradsPlain: StepVariant = {
  name: 'plain: variableGrads + applyGradients',
  about: 'stock tfjs: tf.variableGrads over the model variables, then tfjs Adam applyGradients',
  setup(seed) {
    const model = freshModel(seed);
    const head = makeModelHead(model);
    const optimizer: tf.Optimizer = tf.train.adam(0.001, 0.9, 0.999, 1e-7);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    return {
      step: async (x, y) => {
        const { value, grads } = tf.variableGrads(() => sparseCrossEntropy(head.logits(x, true), y), vars);
        optimizer.applyGradients(grads);
        tf.dispose(grads);
        await value.data();
        value.dispose();
      },
      dispose: () => { optimizer.dispose(); disposeModel(model); },
    };
  },
};

/** Plain step through optimizer.minimize (tfjs' usual custom-loop idiom). */
const minimizePlain: StepVariant = {
  name: 'plain: optimizer.minimize',
  about: 'stock tfjs: optimizer.minimize (variableGrads over every trainable variable, then applyGradients)',
  setup(seed) {
    const model = freshModel(seed);
    const head = makeModelHead(model);
    const optimizer = tf.train.adam(0.001, 0.9, 0.999, 1e-7);
    return {
      step: async (x, y) => {
        const loss = optimizer.minimize(() => sparseCrossEntropy(head.logits(x, true), y), true)!;
        await loss.data();
        loss.dispose();
      },
      dispose: () => { optimizer.dispose(); disposeModel(model); },
    };
  },
};

/** Plain step through the layers API (model.trainOnBatch), Keras' fit path in tfjs. */
const trainOnBatchPlain: StepVariant = {
  name: 'plain: model.trainOnBatch',
  about: 'tfjs-layers compiled model (softmax + clipped log loss), as model.fit runs it',
  setup(seed) {
    const model = freshModel(seed);
    const optimizer = tf.train.adam(0.001, 0.9, 0.999, 1e-7);
    model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy' });
    return {
      step: async (x, y) => { await model.trainOnBatch(x, y); },
      dispose: () => { optimizer.dispose(); disposeModel(model); },
    };
  },
};

/**
 * The adversarial step written the obvious way: a separate gradient call for the input, then
 * minimize over labeled + adversarial loss (three forward passes, two full backward passes).
 */
const naiveAdversarial: StepVariant = {
  name: 'adv: separate input grad + minimize',
  about: 'tf.grad for the input, then optimizer.minimize over both losses (one extra forward pass)',
  setup(seed) {
    const model = freshModel(seed);
    const head = makeModelHead(model);
    const optimizer = tf.train.adam(0.001, 0.9, 0.999, 1e-7);
    const { multiplier, advStepSize } = TUTORIAL_ADV;
    return {
      step: async (x, y) => {
        const xAdv = tf.tidy(() => {
          const gx = tf.grad((input: tf.Tensor) => sparseCrossEntropy(head.logits(input, true), y))(x);
          return tf.add(x, tf.mul(tf.sign(gx), advStepSize));
        });
        const loss = optimizer.minimize(() => tf.add(sparseCrossEntropy(head.logits(x, true), y), tf.mul(sparseCrossEntropy(head.logits(xAdv, true), y), multiplier)) as tf.Scalar, true)!;
        await loss.data();
        tf.dispose([loss, xAdv]);
      },
      dispose: () => { optimizer.dispose(); disposeModel(model); },
    };
  },
};

export const LAB_PLAIN = labStep('plain: lab trainer (multiplier 0)', 'AdversarialRegularization.trainStep with multiplier 0, as the lab trains a base model', 0);
export const LAB_ADV = labStep('adv: lab trainer (NSL)', 'AdversarialRegularization.trainStep, infinity norm, step 0.2, multiplier 0.2', TUTORIAL_ADV.multiplier);
const LAB_PLAIN_TFJS_ADAM = labStep('plain: lab trainer + tfjs Adam', 'the lab trainer handed a stock tf.train.adam instead of its FlatAdam', 0, 'tfjs-adam');

/**
 * Every variant, the two headline ones first. The bench runs each in its own process: the lab trainer
 * registers faster gradients process-wide, which would otherwise leak into the stock variants.
 */
export const VARIANTS: StepVariant[] = [LAB_PLAIN, LAB_ADV, LAB_PLAIN_TFJS_ADAM, variableGradsPlain, minimizePlain, trainOnBatchPlain, naiveAdversarial];

/** A deterministic batch shaped like the tutorial's: images in [0, 1], labels 0–9. */
export function syntheticBatch(batchSize: number, seed: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
  return tf.tidy(() => ({
    x: tf.randomUniform([batchSize, ...TUTORIAL_HPARAMS.inputShape], 0, 1, 'float32', seed) as tf.Tensor4D,
    y: tf.floor(tf.randomUniform([batchSize], 0, 10, 'float32', seed + 1)) as tf.Tensor1D,
  }));
}

/** Number of kernels one call of `f` dispatches (each is one binding call on the native backend). */
export async function countKernels(f: () => Promise<void>): Promise<number> {
  const info = await tf.profile(f);
  return info.kernels.length;
}

/** Microseconds per op for a tiny elementwise add: the fixed cost of dispatching one eager op. */
export function opOverheadMicros(iterations = 5000): number {
  const a = tf.ones([32, 10]);
  for (let i = 0; i < 200; i++) tf.add(a, a).dispose();
  const start = performance.now();
  for (let i = 0; i < iterations; i++) tf.add(a, a).dispose();
  const micros = ((performance.now() - start) * 1000) / iterations;
  a.dispose();
  return micros;
}
