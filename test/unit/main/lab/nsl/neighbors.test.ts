// NSL 1.4's own adversarial-neighbour unit cases (adversarial_neighbor_test.py), on the linear loss x·w.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { type AdvNeighborConfig, makeAdvRegConfig } from '../../../../../src/main/lab/nsl/config';
import { genAdvNeighbors } from '../../../../../src/main/lab/nsl/neighbors';
import { LabError } from '../../../../../src/shared/errors';
import { expectTensorsClose } from '../../../../helpers/tensors';

beforeAll(async () => {
  await initEngine();
});

/** loss = Σ x·w over the batch, so the input gradient is w for every example. */
function linearLoss(w: number[][]): (fs: tf.Tensor[]) => tf.Scalar {
  return ([f]) => tf.sum(tf.mul(f!, tf.tensor2d(w)));
}

function neighbour(x: number[][], w: number[][], cfg: Partial<AdvNeighborConfig>): number[][] {
  return tf.tidy(() => {
    const [adv] = genAdvNeighbors({ features: [tf.tensor2d(x)], lossFn: linearLoss(w), config: makeAdvRegConfig(cfg) });
    return adv!.arraySync() as number[][];
  });
}

function expectClose(actual: number[][], expected: number[][], tol = 1e-6): void {
  tf.tidy(() => expectTensorsClose(tf.tensor2d(actual), expected, tol));
}

describe('genAdvNeighbors (NSL unit cases)', () => {
  const x = [[-1, 1]];
  const w = [[3, 4]];

  it('l2 step moves x by step · g/‖g‖', () => {
    expectClose(neighbour(x, w, { advStepSize: 0.1, advGradNorm: 'l2' }), [[-1 + 0.1 * 0.6, 1 + 0.1 * 0.8]]);
  });

  it('two PGD steps move twice as far when unconstrained', () => {
    expectClose(neighbour(x, w, { advStepSize: 0.1, advGradNorm: 'l2', pgdIterations: 2 }), [[-1 + 0.2 * 0.6, 1 + 0.2 * 0.8]]);
  });

  it('pgdEpsilon 0.15 projects the accumulated l2 perturbation back onto the ball', () => {
    expectClose(neighbour(x, w, { advStepSize: 0.1, advGradNorm: 'l2', pgdIterations: 2, pgdEpsilon: 0.15 }), [[-1 + 0.15 * 0.6, 1 + 0.15 * 0.8]]);
  });

  it('infinity projection clips every coordinate to ±epsilon', () => {
    expectClose(neighbour(x, w, { advStepSize: 0.1, advGradNorm: 'infinity', pgdIterations: 3, pgdEpsilon: 0.15 }), [[-0.85, 1.15]]);
  });

  it('infinity direction is the sign of the gradient', () => {
    expectClose(neighbour([[0.5, 0.5, 0.5]], [[2, -0.001, 0]], { advStepSize: 0.1, advGradNorm: 'infinity' }), [[0.6, 0.4, 0.5]]);
  });

  it('l1 puts the whole step on the largest gradient entry, split evenly on ties', () => {
    expectClose(neighbour([[0, 0, 0], [0, 0, 0]], [[3, -4, -5], [1, 1, 0]], { advStepSize: 1, advGradNorm: 'l1' }), [[0, 0, -1], [0.5, 0.5, 0]]);
  });

  it('a zero gradient leaves the input unchanged for every norm', () => {
    for (const advGradNorm of ['l2', 'l1', 'infinity'] as const) {
      expectClose(neighbour([[0.3, -0.2]], [[0, 0]], { advStepSize: 0.5, advGradNorm }), [[0.3, -0.2]], 1e-7);
    }
  });

  it('clips the neighbour to [clipValueMin, clipValueMax]', () => {
    expectClose(neighbour(x, w, { advStepSize: 0.1, advGradNorm: 'infinity', clipValueMin: -0.95, clipValueMax: 1 }), [[-0.9, 1]]);
    expectClose(neighbour(x, [[-3, 4]], { advStepSize: 0.1, advGradNorm: 'infinity', clipValueMin: -1 }), [[-1, 1.1]]);
  });

  it('non-finite gradient entries do not perturb their coordinate', () => {
    expectClose(neighbour([[0, 0, 0]], [[NaN, 4, 0]], { advStepSize: 0.1, advGradNorm: 'l2' }), [[0, 0.1, 0]]);
    expectClose(neighbour([[0, 0, 0]], [[Infinity, 3, -4]], { advStepSize: 0.5, advGradNorm: 'l2' }), [[0, 0.3, -0.4]]);
  });

  it('the feature mask removes masked coordinates before normalising', () => {
    expectClose(neighbour(x, w, { advStepSize: 0.1, advGradNorm: 'l2', featureMask: [0, 1] }), [[-1, 1.1]]);
  });

  it('two features of different shapes share one l2 norm per example', () => {
    tf.tidy(() => {
      const a = tf.zeros([2, 1]);
      const b = tf.zeros([2, 2, 1]);
      const wa = tf.tensor2d([[3], [0]]);
      const wb = tf.tensor3d([[[4], [0]], [[0], [-2]]]);
      const lossFn = ([fa, fb]: tf.Tensor[]) => tf.add(tf.sum(tf.mul(fa!, wa)), tf.sum(tf.mul(fb!, wb))) as tf.Scalar;
      const [na, nb] = genAdvNeighbors({ features: [a, b], lossFn, config: makeAdvRegConfig({ advStepSize: 1, advGradNorm: 'l2' }) });
      expectTensorsClose(na!, [[0.6], [0]], 1e-6);
      expectTensorsClose(nb!, [[[0.8], [0]], [[0], [-1]]], 1e-6);
    });
  });

  it('a random start lies inside the pgdEpsilon ball and is reproducible with a seed', () => {
    tf.tidy(() => {
      const x0 = tf.fill([64, 10], 0.5);
      const config = makeAdvRegConfig({ advStepSize: 0.01, advGradNorm: 'l2', pgdEpsilon: 0.2, randomInit: true, pgdIterations: 1 });
      const flat = (fs: tf.Tensor[]) => tf.sum(tf.mul(fs[0]!, 0)) as tf.Scalar;
      const [n1] = genAdvNeighbors({ features: [x0], lossFn: flat, config, seed: 7 });
      const [n2] = genAdvNeighbors({ features: [x0], lossFn: flat, config, seed: 7 });
      const norms = tf.norm(tf.sub(n1!, x0), 'euclidean', 1).arraySync() as number[];
      expect(Math.max(...norms)).toBeLessThanOrEqual(0.2 + 1e-6);
      expect(Math.min(...norms)).toBeGreaterThan(0);
      expectTensorsClose(n1!, n2!, 0);
    });
  });

  it('l1 with pgdEpsilon is rejected as NSL does (no L1 projection), also in a config built by hand', () => {
    const config: AdvNeighborConfig = { advStepSize: 0.1, advGradNorm: 'l1', pgdIterations: 2, pgdEpsilon: 0.1, randomInit: false };
    const run = () => tf.tidy(() => genAdvNeighbors({ features: [tf.tensor2d(x)], lossFn: linearLoss(w), config }));
    expect(run).toThrow(LabError);
    expect(run).toThrow(/pgdEpsilon cannot be used with advGradNorm "l1"/);
  });

  it('a mask with the wrong number of entries is reported against featureMask', () => {
    const run = () => neighbour(x, w, { advStepSize: 0.1, featureMask: [1, 0, 1] });
    expect(run).toThrow(expect.objectContaining({ field: 'featureMask' }));
    expect(run).toThrow(/featureMask must have 2 entries, one per input value of an example of shape \[2\] \(got 3\)/);
  });

  it('randomInit without pgdEpsilon draws the start in the advStepSize ball, as NSL does', () => {
    tf.tidy(() => {
      const x0 = tf.fill([256, 6], 0.5);
      const flat = (fs: tf.Tensor[]) => tf.sum(tf.mul(fs[0]!, 0)) as tf.Scalar;
      const radii: number[] = [];
      const config = makeAdvRegConfig({ advStepSize: 0.05, advGradNorm: 'infinity', randomInit: true });
      const randomStart = (like: tf.Tensor[], radius: number) => {
        radii.push(radius);
        return like.map((t) => tf.randomUniform(t.shape, -radius, radius, 'float32', 3));
      };
      const [n] = genAdvNeighbors({ features: [x0], lossFn: flat, config, randomStart });
      expect(radii).toEqual([0.05]);
      const moved = tf.abs(tf.sub(n!, x0));
      expect(tf.max(moved).dataSync()[0]).toBeLessThanOrEqual(0.05 + 1e-7);
      expect(tf.max(moved).dataSync()[0]).toBeGreaterThan(0.04);
      // and the default draw, seeded, stays in that ball too
      const [d] = genAdvNeighbors({ features: [x0], lossFn: flat, config, seed: 4 });
      expect(tf.max(tf.abs(tf.sub(d!, x0))).dataSync()[0]).toBeLessThanOrEqual(0.05 + 1e-7);
    });
  });

  it('the random start is not masked; only the gradient steps are (NSL masks gradients)', () => {
    tf.tidy(() => {
      const config = makeAdvRegConfig({ advStepSize: 0.1, advGradNorm: 'infinity', pgdIterations: 1, pgdEpsilon: 0.2, randomInit: true, featureMask: [0, 1] });
      const randomStart = () => [tf.tensor2d([[0.05, -0.05]])];
      const [n] = genAdvNeighbors({ features: [tf.tensor2d(x)], lossFn: linearLoss(w), config, randomStart });
      // start [-0.95, 0.95]; the masked step moves only the second coordinate, by +0.1
      expectTensorsClose(n!, [[-0.95, 1.05]], 1e-6);
    });
  });

  it('a random start of the wrong shape is reported against randomStart', () => {
    const config = makeAdvRegConfig({ advStepSize: 0.1, randomInit: true });
    const run = () => tf.tidy(() => genAdvNeighbors({ features: [tf.tensor2d(x)], lossFn: linearLoss(w), config, randomStart: () => [tf.zeros([1, 3])] }));
    expect(run).toThrow(expect.objectContaining({ field: 'randomStart' }));
  });

  it('does not leak tensors across repeated PGD calls', () => {
    const xs = tf.tensor2d([[0.1, 0.2]]);
    const config = makeAdvRegConfig({ advStepSize: 0.1, advGradNorm: 'l2', pgdIterations: 3, pgdEpsilon: 0.15, randomInit: true, featureMask: [1, 1] });
    const once = () => tf.dispose(genAdvNeighbors({ features: [xs], lossFn: linearLoss(w), config }));
    once();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) once();
    expect(tf.memory().numTensors).toBe(before);
    xs.dispose();
  });
});
