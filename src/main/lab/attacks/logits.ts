// Logits of any tf.LayersModel in inference mode, through the one model head (src/main/lab/nsl/model-head.ts):
// taken from in front of a final softmax, or the output itself for a logits model. Predictions are their arg-max.
import * as tf from '@tensorflow/tfjs';
import { makeModelHead } from '../nsl/model-head';

/** Maps a batch of inputs to logits [batch, classes] in inference mode (dropout off). */
export type LogitsFn = (x: tf.Tensor) => tf.Tensor2D;

const cache = new WeakMap<tf.LayersModel, LogitsFn>();

/** The logits function for `model`, built once per model (the head shares the model's live weights). */
export function logitsOf(model: tf.LayersModel): LogitsFn {
  let fn = cache.get(model);
  if (fn === undefined) {
    const head = makeModelHead(model);
    fn = (x) => head.logits(x, false);
    cache.set(model, fn);
  }
  return fn;
}

/** Predicted classes [batch] (int32). */
export function predictClasses(model: tf.LayersModel, x: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => tf.argMax(logitsOf(model)(x), 1) as tf.Tensor1D);
}

/** Class probabilities [batch, classes]: the softmax of the logits, whatever the model outputs. */
export function probabilities(model: tf.LayersModel, x: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => tf.softmax(logitsOf(model)(x)));
}
