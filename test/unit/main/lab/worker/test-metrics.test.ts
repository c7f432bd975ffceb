// The per-epoch test metrics on their own: cross-entropy and accuracy of the logits on the first 1,000 test images only.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { buildModel } from '../../../../../src/main/lab/models/builders';
import { type TestSet } from '../../../../../src/main/lab/worker/evaluations';
import { testMetrics, VAL_MAX_IMAGES } from '../../../../../src/main/lab/worker/test-metrics';
import { HParamsSchema } from '../../../../../src/shared/schemas';

beforeAll(async () => {
  await initEngine();
});

function testSet(count: number, labelOf: (i: number) => number): TestSet {
  const pixels = Uint8Array.from({ length: count * 28 * 28 }, (_, i) => (i * 37) % 256);
  return { images: { pixels, shape: [count, 28, 28, 1] }, labels: Uint8Array.from({ length: count }, (_, i) => labelOf(i)), classNames: Array.from({ length: 10 }, String), subset: { dataset: 'x', splitSeed: 0, size: count, indicesHash: '0' } };
}

describe('testMetrics', () => {
  it('is the mean cross-entropy and accuracy of the first 1,000 images, whatever follows them', async () => {
    const model = buildModel(HParamsSchema.parse({ convFilters: [4], numFcUnits: [8] }), 3);
    try {
      const count = VAL_MAX_IMAGES + 200;
      const a = testSet(count, (i) => i % 10);
      const b = testSet(count, (i) => (i < VAL_MAX_IMAGES ? i % 10 : (i + 3) % 10));
      const before = tf.memory().numTensors;
      const got = await testMetrics(model, a, 128);
      expect(tf.memory().numTensors).toBe(before);
      expect(await testMetrics(model, b, 300)).toEqual({ val_loss: expect.closeTo(got.val_loss!, 6), val_accuracy: got.val_accuracy });

      // by hand on the first 1,000: the model outputs probabilities
      const x = tf.tensor4d(Float32Array.from(a.images.pixels.subarray(0, VAL_MAX_IMAGES * 784), (v) => v / 255), [VAL_MAX_IMAGES, 28, 28, 1]);
      const p = (model.predict(x) as tf.Tensor2D).arraySync();
      x.dispose();
      let loss = 0;
      let right = 0;
      p.forEach((row, i) => {
        loss -= Math.log(row[a.labels[i]!]!);
        if (row.indexOf(Math.max(...row)) === a.labels[i]) right++;
      });
      expect(got.val_loss).toBeCloseTo(loss / VAL_MAX_IMAGES, 3);
      expect(got.val_accuracy).toBe(right / VAL_MAX_IMAGES);
      expect(await testMetrics(model, testSet(0, () => 0))).toEqual({});
    } finally {
      model.dispose();
    }
  });
});
