// Attack objectives against values computed by hand on fixed logits.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { cwMargin, dlrTargeted, misclassificationLogOdds, misclassified } from '../../../../../src/main/lab/attacks/losses';

const Z = [[1, 3, 2, 0], [5, 1, 0, -1]];
const Y = [0, 0];

function values(f: (z: tf.Tensor2D, y: tf.Tensor1D) => tf.Tensor): number[] {
  return tf.tidy(() => Array.from(f(tf.tensor2d(Z), tf.tensor1d(Y, 'int32')).dataSync()));
}

beforeAll(async () => {
  await initEngine();
});

describe('attack losses on fixed logits', () => {
  it('cw margin is max_{j≠y} z_j − z_y', () => {
    expect(values(cwMargin)).toEqual([2, -4]);
  });

  it('log-odds of a mistake is logsumexp over the wrong classes minus z_y', () => {
    const expected = [Math.log(Math.exp(3) + Math.exp(2) + 1) - 1, Math.log(Math.E + 1 + Math.exp(-1)) - 5];
    values(misclassificationLogOdds).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
  });

  it('targeted DLR is −(z_y − z_t) / (z_π1 − (z_π3 + z_π4)/2)', () => {
    // row 0: sorted 3,2,1,0 → denominator 3 − 0.5 = 2.5, target 2 (z = 2): −(1 − 2)/2.5; row 1: 5 − (0 − 1)/2 = 5.5, target 3
    const got = tf.tidy(() => Array.from(dlrTargeted(tf.tensor2d(Z), tf.tensor1d(Y, 'int32'), tf.tensor1d([2, 3], 'int32')).dataSync()));
    expect(got[0]).toBeCloseTo(0.4, 6);
    expect(got[1]).toBeCloseTo(-6 / 5.5, 6);
  });

  it('targeted DLR does not change when the logits are scaled or shifted', () => {
    const [a, b] = tf.tidy(() => {
      const z = tf.tensor2d(Z);
      const y = tf.tensor1d(Y, 'int32');
      const t = tf.tensor1d([2, 3], 'int32');
      return [Array.from(dlrTargeted(z, y, t).dataSync()), Array.from(dlrTargeted(tf.add(tf.mul(z, 7), 3) as tf.Tensor2D, y, t).dataSync())];
    });
    a!.forEach((v, i) => expect(b![i]).toBeCloseTo(v, 5));
  });

  it('flags an example as misclassified when its arg-max is not the label', () => {
    expect(values(misclassified)).toEqual([1, 0]);
  });
});
