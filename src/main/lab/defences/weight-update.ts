// One optimizer update from a scalar loss of the model's trainable weights, as every defence's step ends: the
// gradients are taken for the trainable variables only (inputs such as an adversarial batch stay constants) and
// applied through FlatAdam's ordered fast path when the optimizer is one.
import * as tf from '@tensorflow/tfjs';
import { FlatAdam } from '../nsl/flat-adam';

/** The variables trained, in the model's weight order (the order FlatAdam binds its moments to). */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/**
 * Minimises `loss` by one optimizer step on `vars` and returns the loss value before the update (the caller
 * disposes it). Tensors `loss` makes besides its value are freed unless it `tf.keep`s them.
 */
export function minimize(optimizer: tf.Optimizer, vars: tf.Variable[], loss: () => tf.Scalar): tf.Scalar {
  const { value, grads } = tf.tidy(() => {
    const r = tf.engine().gradients(loss, vars, undefined, true);
    // a weight the loss does not reach gets a zero gradient, so the optimizer's variable order never changes
    return { value: r.value, grads: vars.map((v, i) => r.grads[i] ?? tf.zerosLike(v)) };
  });
  try {
    if (FlatAdam.isFlatAdam(optimizer)) optimizer.applyOrdered(vars, grads);
    else optimizer.applyGradients(Object.fromEntries(vars.map((v, i) => [v.name, grads[i]!])));
  } finally {
    tf.dispose(grads);
  }
  return value;
}
