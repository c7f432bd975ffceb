// The project's wasm gradient kernels against native TensorFlow: convolutions and max-pools of many geometries, the
// whole CNN's weight and input gradients, and an adversarial training run on wasm checked against native at every step.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { loadWasmBackend } from '../../../../../src/main/lab/engine/wasm';
import { buildModel, type ModelHParams } from '../../../../../src/main/lab/models/builders';
import { AdversarialRegularization } from '../../../../../src/main/lab/nsl';
import { expectTensorsClose } from '../../../../helpers/tensors';

const TOL = 1e-4;

/** Runs f on the named backend; the tensors it returns are read into host arrays and disposed. */
async function on(backend: string, f: () => tf.Tensor[]): Promise<tf.Tensor[]> {
  expect(await tf.setBackend(backend)).toBe(true);
  const outs = f();
  const host = outs.map((t) => tf.tensor(t.dataSync().slice(), t.shape, t.dtype));
  tf.dispose(outs);
  return host;
}

/** Host tensors are re-created on whichever backend is active, so the comparison reads both sides afresh. */
function expectAllClose(actual: tf.Tensor[], expected: tf.Tensor[], tol = TOL): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expectTensorsClose(a, expected[i]!, tol));
  tf.dispose([...actual, ...expected]);
}

let native: string;

beforeAll(async () => {
  const choice = await initEngine();
  // The reference is native TensorFlow when it is set up; otherwise the pure-JS cpu kernels (tfjs' own reference).
  native = choice.backend === 'tensorflow' ? 'tensorflow' : 'cpu';
  const wasm = await loadWasmBackend();
  expect(wasm.ok, wasm.reason).toBe(true);
  expect(wasm.kernels).toEqual(['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad']);
  await tf.setBackend(native);
});

afterAll(async () => {
  await tf.setBackend(native);
});

interface ConvCase {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | [[number, number], [number, number], [number, number], [number, number]];
  /** tfjs-node's gradient kernels reject explicit padding, so those cases check against tfjs' cpu kernels. */
  reference?: 'cpu';
}

const CASES: ConvCase[] = [
  { name: '3x3 valid, stride 1, 3→4 channels', x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'valid' },
  { name: '3x2 same, stride 2, odd sizes', x: [2, 8, 9, 3], filter: [3, 2, 3, 5], strides: 2, pad: 'same' },
  { name: '1x1 same, strides [2, 1]', x: [3, 5, 6, 4], filter: [1, 1, 4, 2], strides: [2, 1], pad: 'same' },
  { name: 'explicit asymmetric padding', x: [1, 6, 5, 2], filter: [3, 3, 2, 3], strides: 1, pad: [[0, 0], [1, 2], [0, 1], [0, 0]], reference: 'cpu' },
  { name: 'stride 2 valid that skips the last row', x: [2, 8, 8, 2], filter: [3, 3, 2, 2], strides: 2, pad: 'valid' },
  { name: 'tutorial second conv (13x13x32 → 64)', x: [4, 13, 13, 32], filter: [3, 3, 32, 64], strides: 1, pad: 'valid' },
];

describe('wasm Conv2D gradient kernels', () => {
  for (const c of CASES) {
    it(`match native for ${c.name}`, async () => {
      const x = tf.randomUniform(c.x, -1, 1, 'float32', 11);
      const filter = tf.randomUniform(c.filter, -1, 1, 'float32', 12);
      const dyShape = tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, c.strides, c.pad).shape;
      const dy = tf.randomUniform(dyShape, -1, 1, 'float32', 13);
      // Σ conv(x, f)·dy has gradients Conv2DBackpropInput(dy, f) for x and Conv2DBackpropFilter(x, dy) for f.
      const grads = (): tf.Tensor[] => tf.grads((a: tf.Tensor, f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, f as tf.Tensor4D, c.strides, c.pad), dy)))([x, filter]);
      const expected = await on(c.reference ?? native, grads);
      const actual = await on('wasm', grads);
      expectAllClose(actual, expected);
      tf.dispose([x, filter, dy]);
    });
  }

  it('leave no tensors behind and give the same result on repeated calls', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomUniform([2, 9, 9, 3], -1, 1, 'float32', 5) as tf.Tensor4D;
    const f = tf.randomUniform([3, 3, 3, 4], -1, 1, 'float32', 6) as tf.Tensor4D;
    const gradOfFilter = tf.grad((w: tf.Tensor) => tf.conv2d(x, w as tf.Tensor4D, 1, 'same').square().sum());
    const first = gradOfFilter(f);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      const again = gradOfFilter(f);
      expectTensorsClose(again, first, 0);
      again.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, f, first]);
    await tf.setBackend(native);
  });
});

interface PoolCase {
  name: string;
  x: [number, number, number, number];
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same';
}

const POOLS: PoolCase[] = [
  { name: '2x2 stride 2 valid (the tutorial)', x: [4, 12, 12, 8], filterSize: 2, strides: 2, pad: 'valid' },
  { name: '3x3 stride 2 same (overlapping windows)', x: [2, 9, 9, 3], filterSize: 3, strides: 2, pad: 'same' },
  { name: '3x2 strides [1, 2] same, odd sizes', x: [2, 7, 8, 5], filterSize: [3, 2], strides: [1, 2], pad: 'same' },
];

describe('wasm MaxPoolGrad', () => {
  for (const c of POOLS) {
    it(`matches native for ${c.name}, including windows of equal values`, async () => {
      // Rounded, half of them clamped to 0 like an image background: most windows hold ties.
      const x = tf.tidy(() => tf.relu(tf.round(tf.randomUniform(c.x, -2, 2, 'float32', 31))));
      const dyShape = tf.maxPool(x as tf.Tensor4D, c.filterSize, c.strides, c.pad).shape;
      const dy = tf.randomUniform(dyShape, -1, 1, 'float32', 32);
      const grad = (): tf.Tensor[] => [tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, c.filterSize, c.strides, c.pad), dy)))(x)];
      const expected = await on(native, grad);
      const actual = await on('wasm', grad);
      expectAllClose(actual, expected);
      tf.dispose([x, dy]);
    });
  }
});

const SMALL_CNN: ModelHParams = { model: 'cnn', inputShape: [12, 12, 1], numClasses: 4, convFilters: [4, 8], kernelSize: 3, poolSize: 2, numFcUnits: [8] };

function smallBatch(): { x: tf.Tensor4D; y: tf.Tensor1D } {
  return {
    x: tf.randomUniform([6, 12, 12, 1], 0, 1, 'float32', 21) as tf.Tensor4D,
    y: tf.tensor1d([0, 1, 2, 3, 1, 2], 'float32'),
  };
}

describe('the tutorial-shaped CNN on wasm', () => {
  it('has the same input and weight gradients (conv, relu, max-pool, dense, softmax cross-entropy) as native', async () => {
    const model = buildModel(SMALL_CNN, 3);
    const { x, y } = smallBatch();
    const vars = model.trainableWeights.map((w) => w.read());
    const oneHot = tf.oneHot(tf.cast(y, 'int32'), SMALL_CNN.numClasses);
    // The loss goes through the softmax output (not logits) so the softmax gradient runs on each backend too.
    const loss = (input: tf.Tensor): tf.Scalar => tf.mean(tf.metrics.categoricalCrossentropy(oneHot, model.apply(input, { training: true }) as tf.Tensor)) as tf.Scalar;
    const grads = (): tf.Tensor[] => tf.grads((input: tf.Tensor) => loss(input))([x, ...vars]);
    const expected = await on(native, grads);
    const actual = await on('wasm', grads);
    expect(actual).toHaveLength(1 + vars.length);
    expectAllClose(actual, expected);
    tf.dispose([x, y, oneHot]);
    model.dispose();
  });

  it('trains with the lab adversarial step on wasm, its gradients matching native at every step', async () => {
    const model = buildModel(SMALL_CNN, 4);
    // l2 keeps the neighbour a smooth function of the input gradient (sign() would flip on float noise near 0).
    const trainer = new AdversarialRegularization(model, { multiplier: 0.2, advStepSize: 0.2, advGradNorm: 'l2' });
    trainer.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', learningRate: 0.01 });
    const { x, y } = smallBatch();
    const batch = { image: x, label: y };
    const names = trainer.trainableVariables.map((v) => v.name);
    const lossAndGrads = (): tf.Tensor[] => {
      const { metrics, grads } = trainer.computeGradients(batch);
      tf.dispose(Object.values(metrics).filter((m) => m !== metrics.loss));
      return [metrics.loss, ...names.map((n) => grads[n]!)];
    };
    const losses: number[] = [];
    const tensorCounts: number[] = [];
    for (let step = 0; step < 4; step++) {
      const expected = await on(native, lossAndGrads);
      const actual = await on('wasm', lossAndGrads);
      losses.push(actual[0]!.dataSync()[0]!);
      expectAllClose(actual, expected);
      // The update runs on wasm: Adam's slots and the new weights live there.
      tf.dispose(Object.values(trainer.trainStep(batch)));
      tensorCounts.push(tf.memory().numTensors);
    }
    expect(new Set(tensorCounts).size).toBe(1);
    expect(losses[3]!).toBeLessThan(losses[0]!);
    trainer.dispose();
    tf.dispose([x, y]);
    model.dispose();
    await tf.setBackend(native);
  });
});
