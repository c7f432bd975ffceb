// The attack objective: logits of a softmax classifier (through the shared NSL model head) and the log-odds of a mistake.
// A confident model saturates its softmax: p_y rounds to 1 in float32, the cross-entropy gradient (p − onehot) loses
// its true-class term and shrinks to ~1e-20 or to 0, an l2 direction normalised with NSL's 1e-12 floor no longer moves,
// and every candidate has loss 0. Two measures keep attacks honest on such models: the logits are taken from in front
// of the final softmax (makeModelHead), and the attack climbs the log-odds of a mistake, a rescaled cross-entropy.
import * as tf from '@tensorflow/tfjs';
import { makeModelHead } from '../nsl/model-head';

/** Maps a batch of inputs to logits [batch, classes] in inference mode (dropout off). */
export type LogitsFn = (x: tf.Tensor) => tf.Tensor2D;

const cache = new WeakMap<tf.LayersModel, LogitsFn>();

/** The model's output in inference mode (probabilities for the lab's models). */
export function forward(model: tf.LayersModel, x: tf.Tensor): tf.Tensor2D {
  return model.apply(x, { training: false }) as tf.Tensor2D;
}

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

/**
 * The attack objective per example: m = logsumexp over the wrong classes of z − z_y, the log-odds of a mistake.
 * Cross-entropy is softplus(m), so m ranks candidates exactly as the cross-entropy does and its gradient,
 * (q − onehot) with q the softmax over the wrong classes, is the cross-entropy gradient divided by (1 − p_y) > 0:
 * the same normalised direction (sign, l2, l1), but it neither underflows nor rounds to a tie when p_y rounds to 1.
 */
export function misclassificationLogOdds(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const isTrue = tf.cast(tf.oneHot(labels.toInt(), logits.shape[1]), 'bool');
    const wrong = tf.where(isTrue, tf.fill(logits.shape, -Infinity), logits);
    const trueLogit = tf.sum(tf.where(isTrue, logits, tf.zerosLike(logits)), 1);
    return tf.sub(tf.logSumExp(wrong, 1), trueLogit) as tf.Tensor1D;
  });
}
