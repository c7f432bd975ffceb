// Assertions on tensors: shape and dtype first, then values within a tolerance.
import type * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';

export function expectTensorsClose(actual: tf.Tensor, expected: tf.Tensor | number[] | number[][] | number[][][] | number[][][][], tol = 1e-5): void {
  const exp = Array.isArray(expected) ? { shape: shapeOf(expected), dtype: 'float32', values: (expected as unknown[]).flat(4) as number[] } : { shape: expected.shape, dtype: expected.dtype, values: Array.from(expected.dataSync()) };
  expect(actual.shape, 'shape').toEqual(exp.shape);
  expect(actual.dtype, 'dtype').toBe(exp.dtype);
  const got = actual.dataSync();
  for (let i = 0; i < exp.values.length; i++) {
    const diff = Math.abs(got[i]! - exp.values[i]!);
    if (!(diff <= tol)) expect.fail(`value ${i}: got ${got[i]}, expected ${exp.values[i]} (|diff| ${diff} > ${tol})`);
  }
}

function shapeOf(a: unknown): number[] {
  const shape: number[] = [];
  let cur: unknown = a;
  while (Array.isArray(cur)) { shape.push(cur.length); cur = cur[0]; }
  return shape;
}
