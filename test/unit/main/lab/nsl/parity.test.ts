// Parity with NSL 1.4.0's own code: test/fixtures/nsl-parity.json is written by scripts/fixtures/nsl_parity.py
// (npm run fixtures:nsl), which calls nsl_configs.make_adv_reg_config and nsl_lib.gen_adv_neighbor on TensorFlow
// 2.21 for a trained tutorial CNN, replays NSL's random starts here through the randomStart hook, and assembles the
// Keras wrapper's losses with tf ops. Neighbours and losses must match within 1e-5, weight gradients within 1e-4.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { AdversarialRegularization } from '../../../../../src/main/lab/nsl/adversarial-regularization';
import { makeAdvRegConfig } from '../../../../../src/main/lab/nsl/config';
import { METRIC_NAMES } from '../../../../../src/main/lab/nsl/metrics';
import { makeModelHead, sparseCrossEntropy } from '../../../../../src/main/lab/nsl/model-head';
import { type ParityCase, decodeF32, loadParityFixture, maxAbsDiff, parityModel, replayDraw } from '../../../../helpers/nsl-parity';

const fx = loadParityFixture();
const TOL = 1e-5;
const GRAD_TOL = 1e-4;
/** Worst difference seen per quantity, printed at the end (the numbers the report quotes). */
const worst: Record<string, number> = {};
const note = (what: string, diff: number) => {
  worst[what] = Math.max(worst[what] ?? 0, diff);
  return diff;
};

let image: tf.Tensor4D;
let label: tf.Tensor1D;
let weight: tf.Tensor1D;
const models: Record<'logits' | 'softmax', tf.LayersModel> = {} as never;

beforeAll(async () => {
  await initEngine();
  image = tf.tensor(decodeF32(fx.batch.image_f32), fx.batch.shape, 'float32') as tf.Tensor4D;
  label = tf.tensor1d(fx.batch.label, 'int32');
  weight = tf.tensor1d(fx.batch.sample_weight, 'float32');
  models.logits = parityModel(fx, 'logits');
  models.softmax = parityModel(fx, 'softmax');
});

afterAll(() => {
  tf.dispose([image, label, weight]);
  Object.values(models).forEach((m) => m.dispose());
  console.log(`NSL parity, max abs diffs:\n${Object.entries(worst).map(([k, v]) => `  ${k}: ${v.toExponential(2)}`).join('\n')}`);
});

function setup(c: ParityCase, model: tf.LayersModel) {
  const replay = c.random_draw === undefined ? undefined : replayDraw(c.random_draw, fx.batch.shape);
  const adv = new AdversarialRegularization(model, c.config, replay === undefined ? {} : { randomStart: replay.randomStart });
  const batch = { image, label, ...(c.weighted ? { weight } : {}) };
  return { adv, batch, calls: replay?.calls ?? [] };
}

/**
 * Examples whose input gradient float32 resolves. On a confidently right example (p(label) ≥ 0.99) the loss
 * gradient's label entry p − 1 is a difference of two numbers near 1, so TensorFlow and tfjs round it differently by
 * up to ~ε₃₂/(1 − p) relative; after the backward pass its direction (l2) or the sign of its near-zero entries (∞)
 * differ, in NSL's code as much as anywhere. There the neighbour is checked against NSL's constraints instead.
 */
const RESOLVED = fx.forward.p_label.map((p) => p < 0.99);
/** The batch's adversarial loss with the saturated examples in (measured: up to 3.5e-3, on PGD-10 ∞). */
const SATURATED_LOSS_TOL = 1e-2;

function perExampleLoss(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(labels, logits.shape[1])), 1)) as tf.Tensor1D;
}

/** The neighbour lies where NSL's config puts it: in the pgdEpsilon ball (if set) and the clip range. */
function expectInConstraints(neighbour: Float32Array, original: Float32Array, c: ParityCase): void {
  const delta = Array.from(neighbour, (v, i) => v - original[i]!);
  const { pgdEpsilon: eps, advGradNorm, clipValueMin: lo, clipValueMax: hi } = c.config;
  if (eps !== undefined) {
    const size = advGradNorm === 'infinity' ? Math.max(...delta.map(Math.abs)) : Math.sqrt(delta.reduce((s, d) => s + d * d, 0));
    expect(size).toBeLessThanOrEqual(eps + 1e-5);
  }
  if (lo !== undefined) expect(Math.min(...neighbour)).toBeGreaterThanOrEqual(lo);
  if (hi !== undefined) expect(Math.max(...neighbour)).toBeLessThanOrEqual(hi);
}

function expectMetrics(metrics: Record<string, tf.Scalar>, expected: ParityCase['metrics']): void {
  for (const name of METRIC_NAMES) {
    const diff = note(`metric ${name}`, Math.abs(metrics[name]!.dataSync()[0]! - expected[name]));
    expect(diff, name).toBeLessThan(TOL);
  }
  tf.dispose(Object.values(metrics));
}

describe('the NSL fixture', () => {
  it("was written by NSL 1.4.0's code on TensorFlow 2.21 for a trained tutorial CNN with saturated gradients", () => {
    expect(fx.versions).toMatchObject({ tensorflow: '2.21.0', nsl: '1.4.0' });
    expect(fx.output).toBe('logits');
    expect(fx.training.heldOutAccuracy).toBeGreaterThan(0.9);
    // confidently right examples have tiny input gradients: the regime where a wrong head or loss shows
    expect(Math.max(...fx.forward.p_label)).toBeGreaterThan(0.999);
    expect(Math.min(...fx.forward.input_grad_norm)).toBeLessThan(1e-4);
    expect(models.logits.countParams()).toBe(93322);
    expect(fx.weights.map((w) => w.shape)).toEqual(models.softmax.getWeights().map((w) => w.shape));
  });
});

for (const output of ['logits', 'softmax'] as const) {
  describe(`NSL parity, the tutorial CNN with a ${output} output`, () => {
    it('logits, labeled loss and input gradient match TensorFlow', () => {
      const model = models[output];
      const head = makeModelHead(model);
      expect(head.kind).toBe(output === 'logits' ? 'logits' : 'probabilities');
      tf.tidy(() => {
        const logits = head.logits(image, false);
        expect(note('logits', maxAbsDiff(logits, decodeF32(fx.forward.logits_f32)))).toBeLessThan(TOL);
        expect(note('labeled loss', Math.abs(sparseCrossEntropy(logits, label).dataSync()[0]! - fx.forward.labeled_loss))).toBeLessThan(TOL);
        const g = tf.grad((x: tf.Tensor) => sparseCrossEntropy(head.logits(x, false), label))(image);
        expect(note('input gradient', maxAbsDiff(g, decodeF32(fx.forward.input_grad_f32)))).toBeLessThan(TOL);
      });
    });

    for (const [name, c] of Object.entries(fx.neighbors)) {
      it(`${name}: the neighbour of gen_adv_neighbor and the wrapper's losses`, () => {
        const { adv, batch, calls } = setup(c, models[output]);
        const pixels = fx.batch.shape.slice(1).reduce((a, b) => a * b, 1);
        const want = decodeF32(c.image_f32!);
        const x = decodeF32(fx.batch.image_f32);
        tf.tidy(() => {
          const xAdv = adv.perturbOnBatch(batch);
          const got = xAdv.dataSync() as Float32Array;
          for (let e = 0; e < fx.batch.label.length; e++) {
            const diff = maxAbsDiff(got.subarray(e * pixels, (e + 1) * pixels), want.subarray(e * pixels, (e + 1) * pixels));
            if (RESOLVED[e]) expect(note('neighbour', diff), `example ${e}`).toBeLessThan(TOL);
            else {
              note('neighbour, saturated examples', diff);
              expectInConstraints(got.subarray(e * pixels, (e + 1) * pixels), x.subarray(e * pixels, (e + 1) * pixels), c);
            }
          }
          const perExample = perExampleLoss(makeModelHead(models[output]).logits(xAdv, false), label).dataSync();
          c.adversarial_loss_per_example.forEach((l, e) => {
            // relative above 1: a neighbour's loss can be large, and float32 resolves it relatively
            if (RESOLVED[e]) expect(note('adversarial loss per example (relative above 1)', Math.abs(perExample[e]! - l) / Math.max(1, Math.abs(l))), `example ${e}`).toBeLessThan(TOL);
          });
        });
        const m = adv.evaluateStep(batch);
        for (const name of ['sparse_categorical_crossentropy', 'sparse_categorical_accuracy'] as const) expect(note(`metric ${name}`, Math.abs(m[name].dataSync()[0]! - c.metrics[name])), name).toBeLessThan(TOL);
        // the batch's adversarial loss includes the saturated examples, whose neighbours float32 cannot pin down
        for (const name of ['loss', 'scaled_adversarial_loss'] as const) expect(note(`metric ${name} (whole batch)`, Math.abs(m[name].dataSync()[0]! - c.metrics[name])), name).toBeLessThan(SATURATED_LOSS_TOL);
        tf.dispose(Object.values(m));
        if (c.random_draw !== undefined) {
          // NSL's radius: pgd_epsilon, or adv_step_size when it is unset
          expect(calls).toEqual([0, 1].map(() => ({ radius: c.random_draw!.radius, norm: c.random_draw!.norm })));
          expect(c.random_draw.radius).toBe(c.config.pgdEpsilon ?? c.config.advStepSize);
        } else expect(calls).toEqual([]);
        adv.dispose();
      });
    }

    for (const [name, c] of Object.entries(fx.train_steps)) {
      it(`${name}: training-step metrics and weight gradients of the total loss`, () => {
        const { adv, batch } = setup(c, models[output]);
        const { metrics, grads } = adv.computeGradients(batch);
        expectMetrics(metrics, c.metrics);
        const vars = adv.trainableVariables;
        c.weight_grads!.forEach((g, i) => {
          const got = grads[vars[i]!.name]!;
          expect(got.shape, g.name).toEqual(g.shape);
          expect(note('weight gradient', maxAbsDiff(got, decodeF32(g.f32))), g.name).toBeLessThan(GRAD_TOL);
        });
        tf.dispose(Object.values(grads));
        adv.dispose();
      });
    }
  });
}

describe('NSL parity: the two former divergences', () => {
  it('randomInit without pgdEpsilon draws in the advStepSize ball and is not projected afterwards', () => {
    for (const name of ['random_no_epsilon_infinity', 'random_no_epsilon_l1']) {
      const c = fx.neighbors[name]!;
      expect(c.config.pgdEpsilon).toBeUndefined();
      expect(c.config.randomInit).toBe(true);
      expect(makeAdvRegConfig(c.config)).toEqual(c.config);
    }
    // ∞: start within advStepSize, plus pgdIterations steps of advStepSize, nothing projects it back
    const c = fx.neighbors.random_no_epsilon_infinity!;
    const x = decodeF32(fx.batch.image_f32);
    const n = decodeF32(c.image_f32!);
    const moved = Math.max(...Array.from(n, (v, i) => Math.abs(v - x[i]!)));
    expect(moved).toBeGreaterThan(c.config.advStepSize * 1.5);
    expect(moved).toBeLessThanOrEqual(c.config.advStepSize * (c.config.pgdIterations + 1) + 1e-6);
  });

  it('the random start is not masked: NSL moves pixels whose mask is 0, and so does the lab', () => {
    const c = fx.neighbors.masked_random_l2!;
    const mask = c.config.featureMask!;
    const x = decodeF32(fx.batch.image_f32);
    const pixels = mask.length;
    const { adv, batch } = setup(c, models.logits);
    const ours = tf.tidy(() => adv.perturbOnBatch(batch).dataSync());
    adv.dispose();
    for (const values of [decodeF32(c.image_f32!), ours]) {
      let maskedMoved = 0;
      for (let i = 0; i < values.length; i++) if (mask[i % pixels] === 0 && Math.abs(values[i]! - x[i]!) > 1e-4) maskedMoved++;
      expect(maskedMoved).toBeGreaterThan(0);
    }
    // without the random start the mask holds: masked pixels stay put
    const still = fx.neighbors.masked_pgd_infinity!;
    const v = decodeF32(still.image_f32!);
    for (let i = 0; i < v.length; i++) if (still.config.featureMask![i % pixels] === 0) expect(v[i]).toBe(x[i]);
  });
});

describe('NSL parity: a training step', () => {
  it('one SGD step with learning rate 1 moves every weight by minus its NSL gradient', () => {
    const c = fx.train_steps.tutorial!;
    const copy = parityModel(fx, 'logits');
    const adv = new AdversarialRegularization(copy, c.config);
    adv.compile({ optimizer: 'sgd', learningRate: 1, loss: 'sparse_categorical_crossentropy' });
    tf.dispose(Object.values(adv.trainStep({ image, label })));
    copy.getWeights().forEach((w, i) => {
      const before = decodeF32(fx.weights[i]!.f32);
      const grad = decodeF32(c.weight_grads![i]!.f32);
      const after = w.dataSync();
      let diff = 0;
      for (let j = 0; j < before.length; j++) diff = Math.max(diff, Math.abs(after[j]! - (before[j]! - grad[j]!)));
      expect(note('SGD step', diff), fx.weights[i]!.name).toBeLessThan(GRAD_TOL);
    });
    adv.dispose();
    copy.dispose();
  });
});
