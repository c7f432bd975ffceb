// AdversarialRegularization: NSL metric names, the total loss, the skipped base-model pass, flat memory, heads.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { TUTORIAL_HPARAMS, buildModel } from '../../../../../src/main/lab/models/builders';
import { AdversarialRegularization } from '../../../../../src/main/lab/nsl/adversarial-regularization';
import { METRIC_NAMES } from '../../../../../src/main/lab/nsl/metrics';
import { makeModelHead, sparseCrossEntropy } from '../../../../../src/main/lab/nsl/model-head';
import { genAdvNeighbors } from '../../../../../src/main/lab/nsl/neighbors';
import { LabError } from '../../../../../src/shared/errors';
import { expectTensorsClose } from '../../../../helpers/tensors';

let image: tf.Tensor4D;
let label: tf.Tensor1D;

beforeAll(async () => {
  await initEngine();
  image = tf.randomUniform([16, 28, 28, 1], 0, 1, 'float32', 9) as tf.Tensor4D;
  label = tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 10), 'int32');
});

afterAll(() => tf.dispose([image, label]));

function values(metrics: Record<string, tf.Scalar>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(metrics)) out[k] = v.dataSync()[0]!;
  tf.dispose(Object.values(metrics));
  return out;
}

describe('AdversarialRegularization', () => {
  it('reports NSL metric names with loss = labeled loss + multiplier · adversarial loss', () => {
    const model = buildModel(TUTORIAL_HPARAMS, 3);
    const adv = new AdversarialRegularization(model, { multiplier: 0.5, advStepSize: 0.1, advGradNorm: 'infinity', clipValueMin: 0, clipValueMax: 1 });
    const { metrics, grads } = adv.computeGradients({ image, label });
    tf.dispose(Object.values(grads));
    const m = values(metrics);
    expect(Object.keys(m).sort()).toEqual([...METRIC_NAMES].sort());
    expect(m.loss).toBeCloseTo(m.sparse_categorical_crossentropy! + m.scaled_adversarial_loss!, 5);
    // The adversarial loss of the perturbed batch, recomputed independently, scaled by the multiplier.
    const head = makeModelHead(model);
    const advLoss = tf.tidy(() => {
      const [xAdv] = genAdvNeighbors({ features: [image], lossFn: ([f]) => sparseCrossEntropy(head.logits(f!, true), label), config: adv.config });
      return sparseCrossEntropy(head.logits(xAdv!, true), label).dataSync()[0]!;
    });
    expect(m.scaled_adversarial_loss).toBeCloseTo(0.5 * advLoss, 5);
    expect(advLoss).toBeGreaterThan(m.sparse_categorical_crossentropy!);
    adv.dispose();
    model.dispose();
  });

  it('weight gradients are those of the labeled loss plus the multiplier times those of the adversarial loss', () => {
    const model = buildModel({ ...TUTORIAL_HPARAMS, model: 'mlp', numFcUnits: [16] }, 4);
    const adv = new AdversarialRegularization(model, { multiplier: 0.3, advStepSize: 0.05, advGradNorm: 'l2' });
    const { metrics, grads } = adv.computeGradients({ image, label });
    tf.dispose(Object.values(metrics));
    const head = makeModelHead(model);
    const vars = adv.trainableVariables;
    tf.tidy(() => {
      const [xAdv] = genAdvNeighbors({ features: [image], lossFn: ([f]) => sparseCrossEntropy(head.logits(f!, true), label), config: adv.config });
      const total = () => tf.add(sparseCrossEntropy(head.logits(image, true), label), tf.mul(0.3, sparseCrossEntropy(head.logits(xAdv!, true), label))) as tf.Scalar;
      const expected = tf.variableGrads(total, vars).grads;
      for (const v of vars) expectTensorsClose(grads[v.name]!, expected[v.name]!, 1e-6);
    });
    tf.dispose(Object.values(grads));
    adv.dispose();
    model.dispose();
  });

  it('multiplier 0 trains the base model without an adversarial forward pass', async () => {
    const model = buildModel(TUTORIAL_HPARAMS, 3);
    const base = new AdversarialRegularization(model, { multiplier: 0 });
    const withAdv = new AdversarialRegularization(model, { multiplier: 0.2 });
    const convs = async (a: AdversarialRegularization) => {
      const info = await tf.profile(() => {
        const { metrics, grads } = a.computeGradients({ image, label });
        tf.dispose([...Object.values(metrics), ...Object.values(grads)]);
      });
      return info.kernels.filter((k) => k.name === 'Conv2D').length;
    };
    expect(await convs(base)).toBe(3);
    expect(await convs(withAdv)).toBe(6);
    const { metrics, grads } = base.computeGradients({ image, label });
    tf.tidy(() => {
      const plain = tf.variableGrads(() => sparseCrossEntropy(makeModelHead(model).logits(image, true), label), base.trainableVariables).grads;
      for (const [name, g] of Object.entries(plain)) expectTensorsClose(grads[name]!, g, 1e-6);
    });
    tf.dispose(Object.values(grads));
    const m = values(metrics);
    expect(m.scaled_adversarial_loss).toBe(0);
    expect(m.loss).toBeCloseTo(m.sparse_categorical_crossentropy!, 6);
    [base, withAdv].forEach((a) => a.dispose());
    model.dispose();
  });

  it('keeps tf.memory().numTensors flat across training steps', () => {
    const model = buildModel(TUTORIAL_HPARAMS, 3);
    const adv = new AdversarialRegularization(model, { multiplier: 0.2, advStepSize: 0.05, advGradNorm: 'l2', pgdIterations: 2, pgdEpsilon: 0.1, randomInit: true, clipValueMin: 0, clipValueMax: 1 }, { seed: 1 });
    adv.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    tf.dispose(Object.values(adv.trainStep({ image, label })));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 4; i++) tf.dispose(Object.values(adv.trainStep({ image, label })));
    tf.dispose(Object.values(adv.evaluateStep({ image, label })));
    tf.dispose(adv.perturbOnBatch({ image, label }));
    expect(tf.memory().numTensors).toBe(before);
    adv.dispose();
    model.dispose();
  });

  it('perturbOnBatch returns a clipped neighbour of the same shape without training', () => {
    const model = buildModel(TUTORIAL_HPARAMS, 3);
    const adv = new AdversarialRegularization(model, { advStepSize: 0.2, advGradNorm: 'infinity', clipValueMin: 0, clipValueMax: 1 });
    const before = model.getWeights().map((w) => w.dataSync().slice());
    tf.tidy(() => {
      const xAdv = adv.perturbOnBatch({ image, label });
      expect(xAdv.shape).toEqual(image.shape);
      expect(tf.min(xAdv).dataSync()[0]).toBeGreaterThanOrEqual(0);
      expect(tf.max(xAdv).dataSync()[0]).toBeLessThanOrEqual(1);
      expect(tf.max(tf.abs(tf.sub(xAdv, image))).dataSync()[0]).toBeCloseTo(0.2, 5);
    });
    model.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(before[i]!)));
    adv.dispose();
    model.dispose();
  });

  it('wraps a Sequential model whose softmax is a separate layer, using its logits', () => {
    const model = tf.sequential({
      layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }), tf.layers.activation({ activation: 'softmax' })],
    });
    const head = makeModelHead(model);
    expect(head.kind).toBe('probabilities');
    tf.tidy(() => expectTensorsClose(tf.softmax(head.logits(image, false)), model.predict(image) as tf.Tensor, 1e-6));
    const adv = new AdversarialRegularization(model, { multiplier: 0.2, advStepSize: 0.1 });
    adv.compile({ optimizer: 'sgd', learningRate: 0.1, loss: 'sparse_categorical_crossentropy' });
    const first = values(adv.trainStep({ image, label }));
    for (let i = 0; i < 5; i++) tf.dispose(Object.values(adv.trainStep({ image, label })));
    expect(values(adv.evaluateStep({ image, label })).sparse_categorical_crossentropy).toBeLessThan(first.sparse_categorical_crossentropy!);
    adv.dispose();
    model.dispose();
  });

  it('takes the output of a model that does not end in softmax as its logits', () => {
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 10, activation: 'sigmoid' })] });
    const head = makeModelHead(model);
    expect(head.kind).toBe('logits');
    tf.tidy(() => expectTensorsClose(head.logits(image, false), model.predict(image) as tf.Tensor, 1e-6));
    model.dispose();
  });

  it("supports sample weights as NSL does: Σ w·loss / batch size for both losses, accuracy unweighted", () => {
    const model = buildModel({ ...TUTORIAL_HPARAMS, model: 'mlp', numFcUnits: [16] }, 5);
    const adv = new AdversarialRegularization(model, { multiplier: 0.5, advStepSize: 0.1, advGradNorm: 'infinity', pgdIterations: 2, pgdEpsilon: 0.1 });
    const weight = tf.tensor1d(Array.from({ length: 16 }, (_, i) => (i % 4 === 0 ? 0 : 1 + (i % 3))), 'float32');
    const head = makeModelHead(model);
    const perExample = (x: tf.Tensor) => tf.neg(tf.sum(tf.mul(tf.logSoftmax(head.logits(x, false)), tf.oneHot(label, 10)), 1));
    const weighted = values(adv.evaluateStep({ image, label, weight }));
    const plain = values(adv.evaluateStep({ image, label }));
    tf.tidy(() => {
      const xAdv = adv.perturbOnBatch({ image, label, weight });
      const labeled = tf.div(tf.sum(tf.mul(perExample(image), weight)), 16).dataSync()[0]!;
      const adversarial = tf.div(tf.sum(tf.mul(perExample(xAdv), weight)), 16).dataSync()[0]!;
      expect(weighted.sparse_categorical_crossentropy).toBeCloseTo(labeled, 5);
      expect(weighted.scaled_adversarial_loss).toBeCloseTo(0.5 * adversarial, 5);
      // an example of weight 0 has no gradient, so it is not perturbed
      const moved = tf.max(tf.abs(tf.sub(xAdv, image)), [1, 2, 3]).arraySync() as number[];
      moved.forEach((m, i) => (i % 4 === 0 ? expect(m).toBe(0) : expect(m).toBeGreaterThan(0)));
    });
    expect(weighted.sparse_categorical_accuracy).toBe(plain.sparse_categorical_accuracy);
    expect(weighted.sparse_categorical_crossentropy).not.toBeCloseTo(plain.sparse_categorical_crossentropy!, 3);
    weight.dispose();
    adv.dispose();
    model.dispose();
  });

  it('rejects sample weights that are not one float32 per example, naming the field', () => {
    const model = buildModel({ ...TUTORIAL_HPARAMS, model: 'mlp', numFcUnits: [8] }, 1);
    const adv = new AdversarialRegularization(model);
    tf.tidy(() => {
      for (const weight of [tf.ones([15]), tf.ones([16, 1]), tf.ones([16], 'int32')]) {
        expect(() => adv.evaluateStep({ image, label, weight: weight as tf.Tensor1D })).toThrow(expect.objectContaining({ field: 'weight', message: expect.stringMatching(/batch.weight must be a float32 tensor of shape \[16\]/) }));
      }
    });
    adv.dispose();
    model.dispose();
  });

  it('draws random starts through an injected randomStart hook, with the radius NSL uses', () => {
    const model = buildModel({ ...TUTORIAL_HPARAMS, model: 'mlp', numFcUnits: [8] }, 2);
    const radii: number[] = [];
    const randomStart = (like: tf.Tensor[], radius: number) => {
      radii.push(radius);
      return like.map((t) => tf.fill(t.shape, radius));
    };
    const adv = new AdversarialRegularization(model, { advStepSize: 0.05, advGradNorm: 'infinity', pgdIterations: 1, randomInit: true, clipValueMin: 0, clipValueMax: 1 }, { randomStart });
    tf.tidy(() => {
      const xAdv = adv.perturbOnBatch({ image, label });
      // start x + 0.05, then one ∞ step of 0.05 without a ball to project onto: |δ| is 0 or 0.1 before clipping
      const d = tf.sub(xAdv, tf.clipByValue(tf.add(image, 0.05), 0, 1));
      expect(tf.max(tf.abs(d)).dataSync()[0]).toBeCloseTo(0.05, 5);
    });
    expect(radii).toEqual([0.05]);
    adv.dispose();
    model.dispose();
  });

  it('rejects training before compile, unknown losses and non-float images', () => {
    const model = buildModel({ ...TUTORIAL_HPARAMS, model: 'mlp', numFcUnits: [8] }, 1);
    const adv = new AdversarialRegularization(model);
    expect(() => adv.trainStep({ image, label })).toThrow(expect.objectContaining({ code: 'failed_precondition' }));
    expect(() => adv.compile({ optimizer: 'adam', loss: 'mse' as never })).toThrow(expect.objectContaining({ field: 'loss' }));
    expect(() => adv.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', learningRate: -1 })).toThrow(expect.objectContaining({ field: 'learningRate' }));
    tf.tidy(() => {
      expect(() => adv.perturbOnBatch({ image: tf.zeros([2, 28, 28, 1], 'int32'), label: tf.tensor1d([0, 1], 'int32') })).toThrow(LabError);
    });
    expect(() => new AdversarialRegularization(model, { advStepSize: -0.1 })).toThrow(/advStepSize must be > 0/);
    adv.dispose();
    model.dispose();
  });
});
