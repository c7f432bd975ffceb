// Batches: tensor shapes and values, seeded order per epoch, full coverage, and no leaked tensors.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { batchCount, batches, batchOrder, gatherImages } from '../../../../../src/main/lab/data/batches';
import { expectTensorsClose } from '../../../../helpers/tensors';
import { syntheticExamples } from './fixtures';

const COUNT = 50;
const ds = { count: COUNT, height: 28, width: 28, ...syntheticExamples(COUNT, 10, 21) };
const indices = Uint32Array.from({ length: 37 }, (_, i) => i + 5);

beforeAll(async () => {
  await initEngine();
});

function orderOf(options: Parameters<typeof batches>[3]): number[] {
  const seen: number[] = [];
  for (const b of batches(ds, indices, 8, options)) {
    seen.push(...b.indices);
    tf.dispose([b.image, b.label]);
  }
  return seen;
}

describe('batches', () => {
  it('yields float32 [b, 28, 28, 1] images in [0, 1] equal to bytes / 255, and int32 labels', () => {
    const it = batches(ds, indices, 8);
    const { value: first } = it.next();
    if (!first) throw new Error('no batch');
    const expected = tf.tidy(() => {
      const rows = Array.from(first.indices, (i) => Array.from(ds.images.subarray(i * 784, (i + 1) * 784)));
      return tf.tensor2d(rows, [8, 784], 'float32').div(255).reshape([8, 28, 28, 1]);
    });
    expectTensorsClose(first.image, expected, 1e-7);
    expect(first.label.dtype).toBe('int32');
    expect(first.label.shape).toEqual([8]);
    expect(Array.from(first.label.dataSync())).toEqual(Array.from(first.indices, (i) => ds.labels[i]));
    tf.dispose([first.image, first.label, expected]);
  });

  it('keeps the given order without a seed and ends with a smaller last batch', () => {
    const sizes: number[] = [];
    for (const b of batches(ds, indices, 8)) {
      sizes.push(b.image.shape[0]);
      tf.dispose([b.image, b.label]);
    }
    expect(sizes).toEqual([8, 8, 8, 8, 5]);
    expect(orderOf({})).toEqual(Array.from(indices));
    expect(batchCount(37, 8)).toBe(5);
  });

  it('drops the smaller last batch when asked', () => {
    expect(orderOf({ dropRemainder: true })).toHaveLength(32);
    expect(batchCount(37, 8, true)).toBe(4);
  });

  it('visits every index once per epoch in an order fixed by seed and epoch', () => {
    const e0 = orderOf({ shuffleSeed: 7, epoch: 0 });
    expect([...e0].sort((a, b) => a - b)).toEqual(Array.from(indices));
    expect(e0).not.toEqual(Array.from(indices));
    expect(orderOf({ shuffleSeed: 7, epoch: 0 })).toEqual(e0);
    expect(orderOf({ shuffleSeed: 7, epoch: 1 })).not.toEqual(e0);
    expect(orderOf({ shuffleSeed: 8, epoch: 0 })).not.toEqual(e0);
    expect(Array.from(batchOrder(indices, { shuffleSeed: 7, epoch: 0 }))).toEqual(e0);
  });

  it('does not change the caller’s index array', () => {
    const copy = indices.slice();
    orderOf({ shuffleSeed: 3 });
    expect(indices).toEqual(copy);
  });

  it('leaves the tensor count flat across epochs when the caller disposes each batch', () => {
    orderOf({ shuffleSeed: 1, epoch: 0 });
    const before = tf.memory().numTensors;
    for (let epoch = 1; epoch < 4; epoch++) orderOf({ shuffleSeed: 1, epoch });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('makes no tensor for batches it was not asked for', () => {
    const before = tf.memory().numTensors;
    for (const b of batches(ds, indices, 8)) {
      tf.dispose([b.image, b.label]);
      break;
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a bad batch size and out-of-range indices, naming the field', () => {
    expect(() => batches(ds, indices, 0).next()).toThrow(/batchSize must be an integer ≥ 1 \(got 0\)/);
    expect(() => batches(ds, [1, COUNT], 4).next()).toThrow(`indices must be < ${COUNT}, the number of examples (got ${COUNT} at position 1)`);
    expect(() => batches(ds, indices, 4, { shuffleSeed: 1, epoch: -1 }).next()).toThrow(/epoch must be an integer ≥ 0/);
  });
});

describe('gatherImages', () => {
  it('builds any index list into one tensor', () => {
    const t = gatherImages(ds, [3, 3, 0]);
    expect(t.shape).toEqual([3, 28, 28, 1]);
    const v = t.dataSync();
    expect(v[0]).toBeCloseTo(ds.images[3 * 784]! / 255, 7);
    expect(v[2 * 784]).toBeCloseTo(ds.images[0]! / 255, 7);
    t.dispose();
  });
});
