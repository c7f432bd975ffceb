// Per-example attack objectives on logits z [batch, classes], all to be maximised.
// ce: the log-odds of a mistake, m = logsumexp_{j≠y} z_j − z_y. Cross-entropy is softplus(m), a strictly increasing
//   function of m, so m ranks candidates exactly as the cross-entropy does and its gradient is the cross-entropy's
//   divided by σ(m) > 0 (the same sign and l2 direction), but it neither underflows nor ties when p_y rounds to 1.
// cw: the Carlini–Wagner margin max_{j≠y} z_j − z_y (> 0 exactly when the example is misclassified, up to ties).
// dlr-targeted: Croce & Hein's targeted DLR, −(z_y − z_t) / (z_π1 − (z_π3 + z_π4)/2 + 1e-12), π the classes by
//   decreasing logit; scale invariant, so a model's temperature cannot hide its gradient.
import * as tf from '@tensorflow/tfjs';

function trueClass(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor {
  return tf.cast(tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1]), 'bool');
}

export function misclassificationLogOdds(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const isTrue = trueClass(logits, labels);
    const wrong = tf.where(isTrue, tf.fill(logits.shape, -Infinity), logits);
    const trueLogit = tf.sum(tf.where(isTrue, logits, tf.zerosLike(logits)), 1);
    return tf.sub(tf.logSumExp(wrong, 1), trueLogit) as tf.Tensor1D;
  });
}

export function cwMargin(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const isTrue = trueClass(logits, labels);
    const wrong = tf.where(isTrue, tf.fill(logits.shape, -Infinity), logits);
    const trueLogit = tf.sum(tf.where(isTrue, logits, tf.zerosLike(logits)), 1);
    return tf.sub(tf.max(wrong, 1), trueLogit) as tf.Tensor1D;
  });
}

/**
 * The k largest logits per example, as differentiable values (TopK has no gradient in tfjs): the arg-max is taken
 * out k times. With fewer than k classes the last ones repeat the smallest logit.
 */
function largest(logits: tf.Tensor2D, k: number): tf.Tensor1D[] {
  const classes = logits.shape[1];
  const out: tf.Tensor1D[] = [];
  let rest: tf.Tensor2D = logits;
  for (let i = 0; i < k; i++) {
    if (i < classes) {
      const pick = tf.oneHot(tf.argMax(rest, 1), classes);
      out.push(tf.sum(tf.mul(logits, pick), 1) as tf.Tensor1D);
      rest = tf.where(tf.cast(pick, 'bool'), tf.fill(logits.shape, -Infinity), rest) as tf.Tensor2D;
    } else out.push(out[i - 1]!);
  }
  return out;
}

export function dlrTargeted(logits: tf.Tensor2D, labels: tf.Tensor1D, targets: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const classes = logits.shape[1];
    const [z1, , z3, z4] = largest(logits, 4);
    const pick = (c: tf.Tensor1D): tf.Tensor1D => tf.sum(tf.mul(logits, tf.oneHot(tf.cast(c, 'int32'), classes)), 1);
    const denominator = tf.add(tf.sub(z1!, tf.mul(0.5, tf.add(z3!, z4!))), 1e-12);
    return tf.neg(tf.div(tf.sub(pick(labels), pick(targets)), denominator)) as tf.Tensor1D;
  });
}

/** Whether each example is misclassified (arg-max ≠ label), as bool [batch]. */
export function misclassified(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => tf.notEqual(tf.argMax(logits, 1), tf.cast(labels, 'int32')) as tf.Tensor1D);
}
