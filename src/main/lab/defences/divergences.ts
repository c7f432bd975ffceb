// The losses of TRADES and MART from logits: the per-example KL divergence between the clean and the adversarial
// prediction, TRADES's outer loss (Zhang et al. 2019) and MART's (Wang et al. 2020), each as the authors' reference
// code computes it (github.com/yaodongyu/TRADES trades.py, github.com/YisenWang/MART mart.py). Batch reductions are
// Σᵢ wᵢ·lossᵢ / batch size, as batchLoss (without weights: the mean), so a sample weight of 0 removes an example.
import * as tf from '@tensorflow/tfjs';

/** Per-example KL(softmax(p) ‖ softmax(q)) = Σₖ pₖ (log pₖ − log qₖ) [batch], both logs by log-softmax. */
export function klFromLogits(pLogits: tf.Tensor2D, qLogits: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const logP = tf.logSoftmax(pLogits);
    // exp(log-softmax) is softmax; a class whose probability underflows to 0 contributes 0 (0 · finite log)
    return tf.sum(tf.mul(tf.exp(logP), tf.sub(logP, tf.logSoftmax(qLogits))), -1) as tf.Tensor1D;
  });
}

/** Σᵢ wᵢ·vᵢ / batch size (the mean without weights). */
function reduceBatch(perExample: tf.Tensor1D, weights: tf.Tensor1D | undefined): tf.Scalar {
  return tf.tidy(() => (weights === undefined ? tf.mean(perExample) : tf.div(tf.sum(tf.mul(perExample, weights)), perExample.shape[0]!))) as tf.Scalar;
}

/** Per-example cross-entropy −log softmax(z)[y] [batch]. */
function crossEntropyPerExample(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1]).toFloat()), -1)) as tf.Tensor1D);
}

/** TRADES's robust term (1/B)·Σᵢ KL(p(xᵢ) ‖ p(x′ᵢ)); gradients reach both logits. */
export function tradesRobustLoss(clean: tf.Tensor2D, adversarial: tf.Tensor2D, weights?: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => reduceBatch(klFromLogits(clean, adversarial), weights));
}

export interface TradesLossTerms {
  /** natural + β · robust: what TRADES minimises. */
  loss: tf.Scalar;
  /** CE(z, y) on the clean logits. */
  natural: tf.Scalar;
  /** (1/B)·Σ KL(p(x) ‖ p(x′)), before β. */
  robust: tf.Scalar;
}

/** TRADES's outer loss CE(z, y) + β·(1/B)·Σ KL(p(x) ‖ p(x′)) (trades.py: loss_natural + beta * loss_robust). */
export function tradesLoss(clean: tf.Tensor2D, adversarial: tf.Tensor2D, labels: tf.Tensor1D, beta: number, weights?: tf.Tensor1D): TradesLossTerms {
  return tf.tidy(() => {
    const natural = reduceBatch(crossEntropyPerExample(clean, labels), weights);
    const robust = tradesRobustLoss(clean, adversarial, weights);
    return { loss: tf.add(natural, tf.mul(robust, beta)) as tf.Scalar, natural, robust };
  });
}

export interface MartLossTerms {
  /** adversarial + β · robust: what MART minimises. */
  loss: tf.Scalar;
  /** The boosted CE on the adversarial logits: CE(z′, y) + NLL(log(1.0001 − p(x′) + 1e-12), new_y). */
  adversarial: tf.Scalar;
  /** (1/B)·Σᵢ KL(p(xᵢ) ‖ p(x′ᵢ) + 1e-12)·(1.0000001 − p_y(xᵢ)), before β. */
  robust: tf.Scalar;
}

/**
 * The most probable adversarial class other than the label (mart.py's new_y from argsort's top two). Probabilities
 * lie in [0, 1], so subtracting 2 at the label ranks it below every other class. Ties go to the lowest class index
 * (argsort's order among ties is unspecified). Integer-valued: no gradient flows through the choice.
 */
export function martRunnerUpClass(advProbs: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => tf.argMax(tf.sub(advProbs, tf.mul(tf.oneHot(tf.cast(labels, 'int32'), advProbs.shape[1]).toFloat(), 2)), -1) as tf.Tensor1D);
}

/**
 * MART's outer loss as mart.py computes it, constants included: adv_probs = softmax(z′);
 * loss_adv = CE(z′, y) + NLL(log(1.0001 − adv_probs + 1e-12), new_y);
 * loss_robust = (1/B)·Σᵢ [Σₖ nat_probs·(log nat_probs − log(adv_probs + 1e-12))]·(1.0000001 − nat_probs[y]);
 * loss = loss_adv + β·loss_robust. Gradients reach both logits, the weight 1.0000001 − p_y(x) included (as there).
 * log nat_probs is taken by log-softmax (the same value wherever the probability is representable).
 */
export function martLoss(clean: tf.Tensor2D, adversarial: tf.Tensor2D, labels: tf.Tensor1D, beta: number, weights?: tf.Tensor1D): MartLossTerms {
  return tf.tidy(() => {
    const classes = adversarial.shape[1];
    const advProbs = tf.softmax(adversarial);
    const newY = tf.oneHot(martRunnerUpClass(advProbs, labels), classes).toFloat();
    const boost = tf.neg(tf.sum(tf.mul(tf.log(tf.add(tf.sub(1.0001, advProbs), 1e-12)), newY), -1)) as tf.Tensor1D;
    const adversarialLoss = tf.add(reduceBatch(crossEntropyPerExample(adversarial, labels), weights), reduceBatch(boost, weights)) as tf.Scalar;
    const logNat = tf.logSoftmax(clean);
    const natProbs = tf.exp(logNat);
    const kl = tf.sum(tf.mul(natProbs, tf.sub(logNat, tf.log(tf.add(advProbs, 1e-12)))), -1);
    const trueProbs = tf.sum(tf.mul(natProbs, tf.oneHot(tf.cast(labels, 'int32'), classes).toFloat()), -1);
    const robust = reduceBatch(tf.mul(kl, tf.sub(1.0000001, trueProbs)) as tf.Tensor1D, weights);
    return { loss: tf.add(adversarialLoss, tf.mul(robust, beta)) as tf.Scalar, adversarial: adversarialLoss, robust };
  });
}
