// Direction and projection helpers shared by NSL neighbours and the attacks.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { normalizeDirection, projectPerturbation, zeroNonFinite } from '../../../../../src/main/lab/nsl/norms';
import { expectTensorsClose } from '../../../../helpers/tensors';

beforeAll(async () => {
  await initEngine();
});

describe('normalizeDirection', () => {
  it('l1 direction of [[3,-4,-5],[1,1,0]] is [[0,0,-1],[0.5,0.5,0]]', () => {
    tf.tidy(() => {
      const [d] = normalizeDirection([tf.tensor2d([[3, -4, -5], [1, 1, 0]])], 'l1');
      expectTensorsClose(d!, [[0, 0, -1], [0.5, 0.5, 0]], 1e-7);
    });
  });

  it('l1 counts ties across features jointly', () => {
    tf.tidy(() => {
      const [a, b] = normalizeDirection([tf.tensor2d([[2, 1]]), tf.tensor2d([[-2]])], 'l1');
      expectTensorsClose(a!, [[0.5, 0]], 1e-7);
      expectTensorsClose(b!, [[-0.5]], 1e-7);
    });
  });

  it('l2 divides by the joint norm of each example', () => {
    tf.tidy(() => {
      const [a, b] = normalizeDirection([tf.tensor2d([[3], [0]]), tf.tensor3d([[[4, 0]], [[0, -2]]])], 'l2');
      expectTensorsClose(a!, [[0.6], [0]], 1e-6);
      expectTensorsClose(b!, [[[0.8, 0]], [[0, -1]]], 1e-6);
    });
  });

  it('infinity is the sign, with sign(0) = 0', () => {
    tf.tidy(() => {
      const [d] = normalizeDirection([tf.tensor2d([[0.001, -7, 0]])], 'infinity');
      expectTensorsClose(d!, [[1, -1, 0]], 0);
    });
  });

  it('zero gradients give zero directions for every norm', () => {
    for (const norm of ['l2', 'l1', 'infinity'] as const) {
      tf.tidy(() => expectTensorsClose(normalizeDirection([tf.zeros([2, 3])], norm)[0]!, [[0, 0, 0], [0, 0, 0]], 0));
    }
  });

  it('non-finite entries count as zero', () => {
    tf.tidy(() => {
      expectTensorsClose(zeroNonFinite(tf.tensor1d([NaN, Infinity, -Infinity, 2])), [0, 0, 0, 2], 0);
      expectTensorsClose(normalizeDirection([tf.tensor2d([[NaN, 3, 4]])], 'l2')[0]!, [[0, 0.6, 0.8]], 1e-6);
    });
  });
});

describe('projectPerturbation', () => {
  it('infinity clips each entry to ±epsilon', () => {
    tf.tidy(() => expectTensorsClose(projectPerturbation([tf.tensor2d([[0.5, -0.05, -2]])], 'infinity', 0.1)[0]!, [[0.1, -0.05, -0.1]], 1e-7));
  });

  it('l2 rescales examples outside the ball and leaves those inside', () => {
    tf.tidy(() => {
      const [p] = projectPerturbation([tf.tensor2d([[3, 4], [0.03, 0.04]])], 'l2', 0.5);
      expectTensorsClose(p!, [[0.3, 0.4], [0.03, 0.04]], 1e-6);
    });
  });

  it('l2 uses the joint norm over all features', () => {
    tf.tidy(() => {
      const [a, b] = projectPerturbation([tf.tensor2d([[3]]), tf.tensor3d([[[4]]])], 'l2', 1);
      expectTensorsClose(a!, [[0.6]], 1e-6);
      expectTensorsClose(b!, [[[0.8]]], 1e-6);
      expect(a!.shape).toEqual([1, 1]);
    });
  });
});
