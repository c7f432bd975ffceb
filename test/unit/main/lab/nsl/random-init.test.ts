// randomInNormBall: inside the ball, uniform in volume, joint over features, reproducible with a seed.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { randomInNormBall } from '../../../../../src/main/lab/nsl/random-init';
import { expectTensorsClose } from '../../../../helpers/tensors';

beforeAll(async () => {
  await initEngine();
});

function perExampleNorm(ts: tf.Tensor[], norm: 'l2' | 'l1' | 'infinity'): number[] {
  return tf.tidy(() => {
    const flat = tf.concat(ts.map((t) => t.reshape([t.shape[0]!, -1])), 1);
    const n = norm === 'l2' ? tf.norm(flat, 'euclidean', 1) : norm === 'l1' ? tf.sum(tf.abs(flat), 1) : tf.max(tf.abs(flat), 1);
    return n.arraySync() as number[];
  });
}

describe('randomInNormBall', () => {
  const n = 4000;

  for (const norm of ['l2', 'l1', 'infinity'] as const) {
    it(`${norm}: every sample lies in the ball and the radius is distributed as for a uniform point`, () => {
      tf.tidy(() => {
        // Two features of 1 and 2 entries: uniform in the 3-dimensional ball when sampled jointly.
        const like = [tf.zeros([n, 1]), tf.zeros([n, 2])];
        const samples = randomInNormBall(like, 0.5, norm, 11);
        expect(samples.map((s) => s.shape)).toEqual([[n, 1], [n, 2]]);
        const radii = perExampleNorm(samples, norm).map((r) => r / 0.5);
        expect(Math.max(...radii)).toBeLessThanOrEqual(1 + 1e-6);
        // Uniform in a d-dimensional ball: P(r <= t) = t^d, so E[r] = d/(d+1) = 0.75 for d = 3.
        // For infinity the radius is the max of 3 uniforms |U|, which has the same law.
        const mean = radii.reduce((a, b) => a + b, 0) / n;
        expect(Math.abs(mean - 0.75)).toBeLessThan(0.02);
        const insideHalf = radii.filter((r) => r <= 0.5).length / n;
        expect(Math.abs(insideHalf - 0.125)).toBeLessThan(0.02);
      });
    });
  }

  it('is reproducible with a seed and differs without one', () => {
    tf.tidy(() => {
      const like = [tf.zeros([4, 3])];
      expectTensorsClose(randomInNormBall(like, 1, 'l2', 5)[0]!, randomInNormBall(like, 1, 'l2', 5)[0]!, 0);
      const a = randomInNormBall(like, 1, 'l1')[0]!.dataSync();
      const b = randomInNormBall(like, 1, 'l1')[0]!.dataSync();
      expect(Array.from(a)).not.toEqual(Array.from(b));
    });
  });
});
