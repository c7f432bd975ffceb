// FlatAdam follows Keras 3's Adam update exactly, across variables of different shapes.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { FlatAdam } from '../../../../../src/main/lab/nsl/flat-adam';

beforeAll(async () => {
  await initEngine();
});

/** Keras 3 Adam written out on plain numbers (keras/src/optimizers/adam.py update_step). */
function kerasAdam(w: number[], grads: number[][], lr: number, b1 = 0.9, b2 = 0.999, eps = 1e-7): number[] {
  const m = w.map(() => 0);
  const v = w.map(() => 0);
  const out = [...w];
  grads.forEach((g, step) => {
    const t = step + 1;
    const alpha = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
    g.forEach((gi, i) => {
      m[i]! += (gi - m[i]!) * (1 - b1);
      v[i]! += (gi * gi - v[i]!) * (1 - b2);
      out[i]! -= (m[i]! * alpha) / (Math.sqrt(v[i]!) + eps);
    });
  });
  return out;
}

describe('FlatAdam', () => {
  it('matches the Keras 3 Adam update over three steps for a matrix and a vector', () => {
    const a = tf.variable(tf.tensor2d([[1, -2], [0.5, 3]]));
    const b = tf.variable(tf.tensor1d([0.1, -0.1, 0]));
    const opt = new FlatAdam({ learningRate: 0.01 });
    const gradSteps = [
      [[0.5, -1, 2, 0.01], [3, 0, -0.2]],
      [[-0.5, 1, 2, 0.02], [1, 1e-4, -0.2]],
      [[0.1, 0.1, -3, 0.03], [-2, 0, 0.4]],
    ];
    for (const [ga, gb] of gradSteps) {
      const grads = [tf.tensor2d(ga!, [2, 2]), tf.tensor1d(gb!)];
      opt.applyOrdered([a, b], grads);
      tf.dispose(grads);
    }
    expect(opt.iterations).toBe(3);
    const want = kerasAdam([1, -2, 0.5, 3, 0.1, -0.1, 0], gradSteps.map(([ga, gb]) => [...ga!, ...gb!]), 0.01);
    const got = [...a.dataSync(), ...b.dataSync()];
    got.forEach((g, i) => expect(g).toBeCloseTo(want[i]!, 6));
    opt.dispose();
    tf.dispose([a, b]);
  });

  it('keeps the tensor count flat across steps', () => {
    const a = tf.variable(tf.ones([3, 3]));
    const opt = new FlatAdam();
    const g = tf.ones([3, 3]);
    opt.applyOrdered([a], [g]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) opt.applyOrdered([a], [g]);
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    tf.dispose([a, g]);
  });

  it('takes gradients by variable name like any tf.Optimizer, in the order of its first update', () => {
    const a = tf.variable(tf.tensor1d([1, 2]));
    const b = tf.variable(tf.tensor1d([3]));
    const c = tf.variable(tf.tensor1d([1, 2]));
    const d = tf.variable(tf.tensor1d([3]));
    const named = new FlatAdam({ learningRate: 0.1 });
    const ordered = new FlatAdam({ learningRate: 0.1 });
    const ga = tf.tensor1d([0.5, -0.5]);
    const gb = tf.tensor1d([2]);
    named.applyGradients({ [a.name]: ga, [b.name]: gb });
    named.applyGradients([{ name: b.name, tensor: gb }, { name: a.name, tensor: ga }]);
    ordered.applyOrdered([c, d], [ga, gb]);
    ordered.applyOrdered([c, d], [ga, gb]);
    expect(Array.from(a.dataSync())).toEqual(Array.from(c.dataSync()));
    expect(Array.from(b.dataSync())).toEqual(Array.from(d.dataSync()));
    expect(() => named.applyOrdered([b, a], [gb, ga])).toThrow(/different list of variables/);
    [named, ordered].forEach((o) => o.dispose());
    tf.dispose([a, b, c, d, ga, gb]);
  });

  it('resumes from getWeights()/setWeights() exactly where it stopped', async () => {
    const grads = [tf.tensor2d([[0.3, -0.1]]), tf.tensor2d([[-0.2, 0.4]]), tf.tensor2d([[1, 1]])];
    const straight = tf.variable(tf.tensor2d([[1, 1]]));
    const resumed = tf.variable(tf.tensor2d([[1, 1]]));
    const first = new FlatAdam({ learningRate: 0.05 });
    grads.forEach((g) => first.applyOrdered([straight], [g]));
    const second = new FlatAdam({ learningRate: 0.05 });
    second.applyOrdered([resumed], [grads[0]!]);
    const saved = await second.getWeights();
    expect(saved.map((w) => w.name)).toEqual(['iter', 'm', 'v']);
    const third = new FlatAdam({ learningRate: 0.05 });
    await third.setWeights(saved);
    expect(third.iterations).toBe(1);
    grads.slice(1).forEach((g) => third.applyOrdered([resumed], [g]));
    Array.from(resumed.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(straight.dataSync()[i]!, 7));
    expect(third.getConfig()).toEqual({ learningRate: 0.05, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
    [first, second, third].forEach((o) => o.dispose());
    tf.dispose([...grads, straight, resumed, saved[0]!.tensor]);
  });
});
