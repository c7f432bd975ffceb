// The one entry point of the attacks on a batch: dispatches a ResolvedAttack (src/shared/attacks.ts) to FGSM/PGD/
// PGD-CW (pgd.ts), APGD-CE/APGD-T (apgd.ts), Square (square.ts) or AutoAttack (autoattack.ts). Every attack starts
// from the clean point's verdict, so accuracy under attack never exceeds clean accuracy, and keeps the best point per
// example: fooled first, then by loss. APGD and Square (like AutoAttack) skip examples the model already gets wrong.
import * as tf from '@tensorflow/tfjs';
import { apgdAttack } from './apgd';
import { disposeBest, type Best } from './best';
import { describeInputs, labelBatch, type LabelInput } from './inputs';
import { classCount } from './inputs';
import { logitsOf, type LogitsFn } from './logits';
import { misclassified } from './losses';
import { runAutoAttack } from './autoattack';
import { gradientAttack } from './pgd';
import { squareAttack } from './square';
import { mixSeed, resolveAttackSpec, type AttackSpec, type ResolvedAttack } from './spec';

/** The clean inputs as the starting best: fooled where the model already errs, loss −∞ so any iterate replaces them. */
function cleanBest(logits: LogitsFn, x0: tf.Tensor4D, y: tf.Tensor1D): Best {
  return tf.tidy(() => ({ x: x0.clone(), loss: tf.fill([x0.shape[0]], -Infinity) as tf.Tensor1D, fooled: misclassified(logits(x0), y) }));
}

function runOne(logits: LogitsFn, x0: tf.Tensor4D, y: tf.Tensor1D, a: ResolvedAttack, seed: number, best: Best): Best {
  switch (a.attack) {
    case 'fgsm':
    case 'pgd':
    case 'pgd-cw':
      return gradientAttack(logits, x0, y, a, seed, best);
    case 'apgd-ce':
    case 'apgd-t':
      return apgdAttack(logits, x0, y, a, seed, best);
    case 'square':
      return squareAttack(logits, x0, y, a, seed, best);
    case 'autoattack':
      // every component draws from the batch's seed, so its first one repeats a standalone APGD-CE exactly
      return runAutoAttack(a, best, (component, _index, b) => runOne(logits, x0, y, component, seed, b));
  }
}

/**
 * Adversarial examples for one batch against `model` (its logits pick the result), and for `autoattack` the examples
 * after each component (stages[k] after components 0..k; the last is `x`). `x0`: float32 [n, h, w, c] in [0, 1];
 * `y`: int32 [n]; `seed`: already mixed for this batch. Returns tensors the caller owns; nothing else survives.
 */
export function attackBatchStages(model: tf.LayersModel, x0: tf.Tensor4D, y: tf.Tensor1D, a: ResolvedAttack, seed: number): { x: tf.Tensor4D; stages: tf.Tensor4D[] } {
  if (a.epsilon === 0) return { x: x0.clone(), stages: [] };
  const logits = logitsOf(model);
  const stages: tf.Tensor4D[] = [];
  let best: Best | null = null;
  try {
    best = cleanBest(logits, x0, y);
    if (a.attack === 'autoattack') {
      best = runAutoAttack(a, best, (component, _index, b) => runOne(logits, x0, y, component, seed, b), (_, b) => stages.push(b.x.clone()));
      stages.pop()?.dispose();
    } else best = runOne(logits, x0, y, a, seed, best);
  } catch (err) {
    disposeBest(best);
    tf.dispose(stages);
    throw err;
  }
  tf.dispose([best.loss, best.fooled]);
  return { x: best.x, stages: a.attack === 'autoattack' ? [...stages, best.x] : [] };
}

/** Adversarial examples for one batch (see attackBatchStages); returns a new tensor the caller owns. */
export function attackBatch(model: tf.LayersModel, x0: tf.Tensor4D, y: tf.Tensor1D, a: ResolvedAttack, seed: number): tf.Tensor4D {
  const { x, stages } = attackBatchStages(model, x0, y, a, seed);
  tf.dispose(stages.filter((s) => s !== x));
  return x;
}

/**
 * Adversarial examples for `images` against `model` (white-box). Validates `spec` (LabError naming the field).
 * `images`: float32 [n, h, w, c] in [0, 1]; `labels`: class indices. Returns a tensor the caller must dispose.
 */
export function perturb(model: tf.LayersModel, images: tf.Tensor4D, labels: LabelInput, spec: AttackSpec): tf.Tensor4D {
  const { pixels } = describeInputs(images, labels);
  const a = resolveAttackSpec(spec, pixels, classCount(model));
  const y = labelBatch(labels, 0, images.shape[0]);
  try {
    return attackBatch(model, images, y, a, mixSeed(a.seed, 0));
  } finally {
    y.dispose();
  }
}
