// PGD-AT against its definition (Madry et al. 2018): the adversarial batch is PGD's last iterate inside the (ramped)
// ε-ball and [0, 1]; the loss and the update are the cross-entropy of that batch only; random starts are seeded per
// global step; the ε ramp and its scaled step; nothing leaks.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rampedBall } from '../../../../../src/main/lab/defences/inner-max';
import { PgdAtStep } from '../../../../../src/main/lab/defences/pgd-at';
import { trainableVariables } from '../../../../../src/main/lab/defences/weight-update';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { FlatAdam } from '../../../../../src/main/lab/nsl/flat-adam';
import { readMetrics } from '../../../../../src/main/lab/nsl/training-loop';
import { makeModelHead, sparseAccuracy, sparseCrossEntropy } from '../../../../../src/main/lab/nsl/model-head';
import { PgdAtDefenceSchema, rampedEpsilon, type DefenceOf } from '../../../../../src/shared/defences';
import { perturbationNorms } from '../attacks/fixtures';
import { digitBatch, disposeBatch, maxAbsDiff, progressAt, tinyCnn } from './fixtures';

const defence = (over: Partial<DefenceOf<'pgd-at'>> = {}): DefenceOf<'pgd-at'> => PgdAtDefenceSchema.parse({ method: 'pgd-at', epsilon: 0.3, steps: 5, stepSize: 0.1, ...over });

beforeAll(async () => {
  await initEngine();
});

describe('the ε ramp', () => {
  it('grows ε linearly from 0 over epsilonRampEpochs, fraction of an epoch by batch, then holds it', () => {
    const d = { epsilon: 0.3, stepSize: 0.075, epsilonRampEpochs: 2 };
    // 4 batches per epoch: epoch 0 batch 0 → 0 epochs done; epoch 0 batch 2 → 0.5; epoch 1 batch 0 → 1; epoch 2 → 2
    expect(rampedBall(d, progressAt(0, 0)).epsilon).toBe(0);
    expect(rampedBall(d, progressAt(0, 2)).epsilon).toBeCloseTo(0.075, 12);
    expect(rampedBall(d, progressAt(1, 0)).epsilon).toBeCloseTo(0.15, 12);
    expect(rampedBall(d, progressAt(1, 3)).epsilon).toBeCloseTo(0.2625, 12);
    expect(rampedBall(d, progressAt(2, 0)).epsilon).toBe(0.3);
    expect(rampedBall(d, progressAt(2, 3)).epsilon).toBe(0.3);
    // the step keeps the recipe's ratio to ε (here step = ε/4)
    expect(rampedBall(d, progressAt(1, 0)).stepSize).toBeCloseTo(0.0375, 12);
    expect(rampedBall(d, progressAt(2, 1)).stepSize).toBeCloseTo(0.075, 12);
    // no ramp: the full ε from the first batch
    expect(rampedBall({ ...d, epsilonRampEpochs: 0 }, progressAt(0, 0))).toEqual({ epsilon: 0.3, stepSize: 0.075 });
    expect(rampedEpsilon(0.3, 4, 6)).toBe(0.3);
    expect(rampedEpsilon(0.3, 4, -1)).toBe(0);
  });
});

describe('PgdAtStep', () => {
  let model: tf.LayersModel;
  let optimizer: tf.Optimizer;
  afterAll(() => {
    model?.dispose();
    optimizer?.dispose();
  });

  it.each([
    ['infinity', 0.3, 0.1, 0],
    ['infinity', 0.3, 0.1, 2],
    ['l2', 2, 0.5, 0],
  ] as const)('the adversarial batch stays in the %s ε-ball (ε %s, step %s, ramp %s epochs) and inside [0, 1]', (norm, epsilon, stepSize, ramp) => {
    const m = tinyCnn();
    const opt = tf.train.sgd(0.1);
    const step = new PgdAtStep({ model: m, optimizer: opt, seed: 3 }, defence({ norm, epsilon, stepSize, epsilonRampEpochs: ramp }));
    const batch = digitBatch(2, 0);
    for (const p of [progressAt(0, 1), progressAt(1, 2), progressAt(2, 3)]) {
      const eps = rampedEpsilon(epsilon, ramp, p.epoch + p.batch / p.batchesPerEpoch);
      const adv = step.adversarialBatch(batch, p);
      const { linf, l2 } = perturbationNorms(adv, batch.image as tf.Tensor4D);
      const bound = norm === 'infinity' ? linf : l2;
      expect(Math.max(...bound)).toBeLessThanOrEqual(eps * (1 + 1e-5) + 1e-6);
      expect(Math.max(...bound)).toBeGreaterThan(eps * 0.5);
      expect(tf.tidy(() => adv.min().dataSync()[0]!)).toBeGreaterThanOrEqual(0);
      expect(tf.tidy(() => adv.max().dataSync()[0]!)).toBeLessThanOrEqual(1);
      adv.dispose();
    }
    disposeBatch(batch);
    step.dispose();
    opt.dispose();
    m.dispose();
  });

  it('draws its random start from seed + global step: the same step repeats, another step differs', () => {
    model = tinyCnn();
    optimizer = tf.train.sgd(0.1);
    const step = new PgdAtStep({ model, optimizer, seed: 3 }, defence({ steps: 1 }));
    const batch = digitBatch(1, 0);
    const a = step.adversarialBatch(batch, progressAt(1, 1));
    const b = step.adversarialBatch(batch, progressAt(1, 1));
    const c = step.adversarialBatch(batch, progressAt(1, 2));
    expect(maxAbsDiff(a, b)).toBe(0);
    expect(maxAbsDiff(a, c)).toBeGreaterThan(0);
    const other = new PgdAtStep({ model, optimizer, seed: 4 }, defence({ steps: 1 }));
    const d = other.adversarialBatch(batch, progressAt(1, 1));
    expect(maxAbsDiff(a, d)).toBeGreaterThan(0);
    tf.dispose([a, b, c, d]);
    disposeBatch(batch);
  });

  it('minimises the cross-entropy of the adversarial batch only: loss, metrics and the SGD update match the definition', async () => {
    const m = tinyCnn(9);
    const lr = 0.5;
    const opt = tf.train.sgd(lr);
    const step = new PgdAtStep({ model: m, optimizer: opt, seed: 3 }, defence());
    const batch = digitBatch(2, 10);
    const p = progressAt(2, 1);
    const head = makeModelHead(m);
    // the expected numbers, from the same seeded adversarial batch, before the update
    const xAdv = step.adversarialBatch(batch, p);
    const vars = trainableVariables(m);
    const expected = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => sparseCrossEntropy(head.logits(xAdv, true), batch.label), vars);
      const clean = head.logits(batch.image, true);
      return { adv: value, cleanCe: sparseCrossEntropy(clean, batch.label), cleanAcc: sparseAccuracy(clean, batch.label), next: vars.map((v) => tf.sub(v, tf.mul(grads[v.name]!, lr))) };
    });
    const [advLoss, cleanCe, cleanAcc] = [expected.adv.dataSync()[0]!, expected.cleanCe.dataSync()[0]!, expected.cleanAcc.dataSync()[0]!];
    const values = await readMetrics(step.trainStep(batch, p));
    expect(values.loss).toBeCloseTo(advLoss, 5);
    expect(values.scaled_adversarial_loss).toBeCloseTo(advLoss, 5);
    expect(values.sparse_categorical_crossentropy).toBeCloseTo(cleanCe, 5);
    expect(values.sparse_categorical_accuracy).toBeCloseTo(cleanAcc, 6);
    // the adversarial batch costs more than the clean one (the ascent worked)
    expect(advLoss).toBeGreaterThan(cleanCe);
    vars.forEach((v, i) => expect(maxAbsDiff(v, expected.next[i]!)).toBeLessThan(1e-5));
    tf.dispose([xAdv, expected.adv, expected.cleanCe, expected.cleanAcc, ...expected.next]);
    disposeBatch(batch);
    opt.dispose();
    m.dispose();
  });

  it('leaves tf.memory().numTensors flat across steps (adam)', async () => {
    const m = tinyCnn(2);
    const opt = new FlatAdam({ learningRate: 0.001 });
    const step = new PgdAtStep({ model: m, optimizer: opt, seed: 1 }, defence({ epsilonRampEpochs: 1 }));
    const batch = digitBatch(1, 0);
    await readMetrics(step.trainStep(batch, progressAt(0, 0)));
    const before = tf.memory().numTensors;
    for (let b = 1; b < 4; b++) await readMetrics(step.trainStep(batch, progressAt(0, b)));
    expect(tf.memory().numTensors).toBe(before);
    step.dispose();
    disposeBatch(batch);
    opt.dispose();
    m.dispose();
  });
});
