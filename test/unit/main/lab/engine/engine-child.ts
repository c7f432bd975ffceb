// Child process of the backend-choice tests: initialises the engine as a fresh process would and prints one JSON line
// with the engine record, the active backend and a conv filter gradient computed on it (or the error thrown).
import * as tf from '@tensorflow/tfjs';
import { getEngineRecord } from '../../../../../src/main/lab/engine/record';
import { LabError } from '../../../../../src/shared/errors';

try {
  const record = await getEngineRecord();
  // d/dfilter of sum(conv2d(ones 4x4, 2x2 filter)): each filter tap sees 9 ones, so the gradient is 9 everywhere.
  const grad = tf.tidy(() => tf.grad((f: tf.Tensor) => tf.conv2d(tf.ones([1, 4, 4, 1]) as tf.Tensor4D, f as tf.Tensor4D, 1, 'valid').sum())(tf.ones([2, 2, 1, 1])));
  const filterGrad = Array.from(grad.dataSync());
  grad.dispose();
  process.stdout.write(`${JSON.stringify({ record, activeBackend: tf.getBackend(), filterGrad })}\n`);
} catch (err) {
  const error = err instanceof LabError ? err.toJSON() : { code: 'internal', message: String(err) };
  process.stdout.write(`${JSON.stringify({ error })}\n`);
}
