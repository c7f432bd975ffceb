// The logits/softmax oracle: a model that outputs logits and the same weights with a softmax appended (as a Softmax
// layer, an Activation layer or a softmax Dense) give identical accuracies under every attack and identical NSL
// training steps.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateAttack } from '../../../../../src/main/lab/attacks/evaluate';
import { type AttackSpec } from '../../../../../src/main/lab/attacks/spec';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { AdversarialRegularization, readMetrics } from '../../../../../src/main/lab/nsl';
import { makeModelHead, outputKind } from '../../../../../src/main/lab/nsl/model-head';
import { digitsTensor, mnistDigits, type Digits } from './fixtures';

type Variant = 'logits' | 'softmax-layer' | 'activation-layer' | 'dense-softmax';
const VARIANTS: Variant[] = ['logits', 'softmax-layer', 'activation-layer', 'dense-softmax'];

/** A small conv net; `variant` decides how (if at all) its output is turned into probabilities. Same seed, same weights. */
function build(variant: Variant, seed: number): tf.LayersModel {
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed + k });
  const input = tf.input({ shape: [28, 28, 1] });
  let x = tf.layers.conv2d({ filters: 6, kernelSize: 5, strides: 2, activation: 'relu', kernelInitializer: init(0) }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 10, activation: variant === 'dense-softmax' ? 'softmax' : 'linear', kernelInitializer: init(1), biasInitializer: 'zeros' }).apply(x) as tf.SymbolicTensor;
  if (variant === 'softmax-layer') x = tf.layers.softmax().apply(x) as tf.SymbolicTensor;
  if (variant === 'activation-layer') x = tf.layers.activation({ activation: 'softmax' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x });
}

let train: Digits;
let test: Digits;
let models: Record<Variant, tf.LayersModel>;

beforeAll(async () => {
  await initEngine();
  train = mnistDigits(10, 0);
  test = mnistDigits(2, 100);
  // trained briefly as logits models through the lab's own trainer, then the weights are shared by every variant
  const trained = build('logits', 5);
  const trainer = new AdversarialRegularization(trained, { multiplier: 0 });
  trainer.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', learningRate: 0.01 });
  const x = digitsTensor(train);
  const y = tf.tensor1d(train.labels, 'int32');
  for (let i = 0; i < 30; i++) await readMetrics(trainer.trainStep({ image: x, label: y }));
  tf.dispose([x, y]);
  trainer.dispose();
  const weights = trained.getWeights();
  models = Object.fromEntries(VARIANTS.map((v) => {
    const m = build(v, 5);
    m.setWeights(weights);
    return [v, m];
  })) as Record<Variant, tf.LayersModel>;
  trained.dispose();
});

afterAll(() => Object.values(models).forEach((m) => m.dispose()));

describe('logits vs softmax heads', () => {
  it('classifies the output once', () => {
    expect(VARIANTS.map((v) => [outputKind(models[v]), makeModelHead(models[v]).kind])).toEqual([
      ['logits', 'logits'],
      ['probabilities', 'probabilities'],
      ['probabilities', 'probabilities'],
      ['probabilities', 'probabilities'],
    ]);
  });

  it('gives the same logits for every variant', () => {
    tf.tidy(() => {
      const x = digitsTensor(test);
      const ref = makeModelHead(models.logits).logits(x, false).dataSync();
      for (const v of VARIANTS) expect(Array.from(makeModelHead(models[v]).logits(x, false).dataSync())).toEqual(Array.from(ref));
    });
  });

  it.each([
    { attack: 'fgsm', norm: 'infinity', epsilon: 0.2 },
    { attack: 'pgd', norm: 'infinity', epsilon: 0.15, steps: 10 },
    { attack: 'pgd', norm: 'l2', epsilon: 1.5, steps: 10, restarts: 2 },
    { attack: 'pgd-cw', norm: 'infinity', epsilon: 0.1, steps: 10 },
    { attack: 'apgd-ce', norm: 'infinity', epsilon: 0.1, steps: 10 },
    { attack: 'apgd-t', norm: 'l2', epsilon: 1, steps: 10, targets: 2 },
    { attack: 'square', norm: 'infinity', epsilon: 0.1, queries: 50 },
    { attack: 'square', norm: 'l2', epsilon: 1, queries: 50 },
  ] as AttackSpec[])('gives identical accuracies and masks under $attack $norm ε=$epsilon', async (spec) => {
    const images = { pixels: test.pixels, shape: test.shape };
    const results = [];
    for (const v of VARIANTS) results.push(await evaluateAttack({ target: models[v], images, labels: test.labels, spec }));
    expect(results[0]!.accuracy).toBeLessThan(1);
    for (const r of results) {
      expect(r.correct).toBe(results[0]!.correct);
      expect(Array.from(r.correctMask)).toEqual(Array.from(results[0]!.correctMask));
    }
  });

  it('takes identical NSL training steps (adversarial regularization on)', async () => {
    const x = digitsTensor(train);
    const y = tf.tensor1d(train.labels, 'int32');
    const finals: Float32Array[][] = [];
    const losses: number[][] = [];
    for (const v of ['logits', 'dense-softmax', 'softmax-layer'] as const) {
      const m = build(v, 9);
      const trainer = new AdversarialRegularization(m, { multiplier: 0.2, advStepSize: 0.2, advGradNorm: 'infinity' });
      trainer.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
      const l: number[] = [];
      for (let i = 0; i < 3; i++) l.push((await readMetrics(trainer.trainStep({ image: x, label: y }))).loss);
      losses.push(l);
      finals.push(m.getWeights().map((w) => w.dataSync() as Float32Array));
      trainer.dispose();
      m.dispose();
    }
    for (let k = 1; k < finals.length; k++) {
      expect(losses[k]).toEqual(losses[0]);
      finals[k]!.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(finals[0]![i]!)));
    }
    tf.dispose([x, y]);
  });
});
