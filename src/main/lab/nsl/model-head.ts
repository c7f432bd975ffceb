// A classifier's output is classified once: a final softmax (Dense with softmax activation, Activation('softmax') or a
// Softmax layer) means the model outputs probabilities and its logits are the tensor in front of that softmax;
// anything else is taken as logits. Every loss (training, attacks) is then computed from logits with log-softmax, so
// a model that outputs logits and the same weights with a softmax appended train and are attacked identically.
// Probabilities are never turned back into logits (log of clipped probabilities zeroes the gradient of confidently
// wrong examples, exactly the adversarial ones).
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../../../shared/errors';

/** What a classifier's output holds. */
export type OutputKind = 'logits' | 'probabilities';

export interface ModelHead {
  /** The model's logits [batch, classes] (dropout etc. active when `training`). */
  logits(x: tf.Tensor, training: boolean): tf.Tensor2D;
  /** Whether the model's own output is probabilities (logits taken from in front of its softmax) or logits. */
  readonly kind: OutputKind;
}

function activationOf(layer: tf.layers.Layer): string | undefined {
  const a = (layer.getConfig() as { activation?: unknown }).activation;
  return typeof a === 'string' ? a : undefined;
}

function singleInput(layer: tf.layers.Layer): tf.SymbolicTensor | undefined {
  try {
    const inp = layer.input;
    return Array.isArray(inp) ? undefined : inp;
  } catch {
    // a layer used more than once has no single input
    return undefined;
  }
}

function isSoftmaxLayer(layer: tf.layers.Layer): boolean {
  const cls = layer.getClassName();
  return cls === 'Softmax' || ((cls === 'Dense' || cls === 'Activation') && activationOf(layer) === 'softmax');
}

function checkSingleIO(model: tf.LayersModel): tf.SymbolicTensor {
  if (model.outputs.length !== 1) throw new LabError('unsupported', `the model must have one output (it has ${model.outputs.length})`, 'model');
  if (model.inputs.length !== 1) throw new LabError('unsupported', `the model must have one input (it has ${model.inputs.length})`, 'model');
  return model.outputs[0]!;
}

/** The final layer of `model`, looking through nested models (a Sequential inside a Sequential). */
function finalLayer(model: tf.LayersModel): tf.layers.Layer {
  let layer = checkSingleIO(model).sourceLayer;
  while (layer instanceof tf.LayersModel && layer.outputs.length === 1) layer = layer.outputs[0]!.sourceLayer;
  return layer;
}

/** 'probabilities' when the model ends in a softmax, else 'logits'. The one place this is decided. */
export function outputKind(model: tf.LayersModel): OutputKind {
  return isSoftmaxLayer(finalLayer(model)) ? 'probabilities' : 'logits';
}

/**
 * The logits of `model`. A softmax Dense: a trunk model up to the Dense input, then the Dense's matMul + bias with
 * its own variables (so gradients reach them), computed as Dense(linear) computes it. Activation/Softmax layer: the
 * trunk's output. Logits models: the output itself.
 */
export function makeModelHead(model: tf.LayersModel): ModelHead {
  const out = checkSingleIO(model);
  if (outputKind(model) === 'logits') return { kind: 'logits', logits: (x, training) => model.apply(x, { training }) as tf.Tensor2D };
  const head = out.sourceLayer;
  const headInput = head instanceof tf.LayersModel ? undefined : singleInput(head);
  if (headInput === undefined) {
    throw new LabError('unsupported', `the model's final softmax (layer "${head.name}") must be a layer of the model itself with one input, so its logits can be read; flatten nested models`, 'model');
  }
  const trunk = headInput.sourceLayer === model.inputs[0]!.sourceLayer ? undefined : tf.model({ inputs: model.inputs, outputs: headInput, name: `${model.name}_trunk` });
  const features = (x: tf.Tensor, training: boolean): tf.Tensor => (trunk === undefined ? x : (trunk.apply(x, { training }) as tf.Tensor));
  if (head.getClassName() !== 'Dense') return { kind: 'probabilities', logits: (x, training) => features(x, training) as tf.Tensor2D };
  const [kernel, bias] = head.trainableWeights.length > 0 ? head.trainableWeights : head.weights;
  const useBias = (head.getConfig() as { useBias?: boolean }).useBias !== false && bias !== undefined;
  return {
    kind: 'probabilities',
    logits: (x, training) => {
      const f = features(x, training);
      const k = kernel!.read() as tf.Tensor2D;
      // a Dense on rank > 2 applies to the last axis
      const flat = f.rank === 2 ? (f as tf.Tensor2D) : f.reshape([-1, f.shape[f.rank - 1]!]);
      const z = tf.fused.matMul({ a: flat as tf.Tensor2D, b: k, ...(useBias ? { bias: bias.read() } : {}) });
      return (f.rank === 2 ? z : z.reshape([...f.shape.slice(0, -1), k.shape[1]])) as tf.Tensor2D;
    },
  };
}

/** Mean sparse categorical cross-entropy from logits, via log-softmax (labels: class indices, any numeric dtype). */
export function sparseCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1]).toFloat();
    return tf.losses.softmaxCrossEntropy(oneHot, logits) as tf.Scalar;
  });
}

/** Fraction of examples whose arg-max class equals the label. */
export function sparseAccuracy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.equal(tf.argMax(logits, -1), tf.cast(labels, 'int32')).toFloat()) as tf.Scalar);
}
