// Forward pass to logits for any tf.LayersModel, so losses are fused and stable like Keras in graph mode.
// Keras computes sparse categorical cross-entropy from the logits cached on a softmax output when it
// traces the train step (model.fit); NSL training runs there. Clipping probabilities instead (Keras'
// eager path) zeroes the gradient of confidently wrong examples, exactly the adversarial ones.
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../../../shared/errors';

export interface ModelHead {
  /** Logits when the model ends in a softmax; otherwise log of the clipped outputs (Keras' eager formula). */
  logits(x: tf.Tensor, training: boolean): tf.Tensor2D;
  /** 'fused' when logits come from before the softmax, 'clipped-log' when derived from probabilities. */
  readonly kind: 'fused' | 'clipped-log';
}

/** Keras' backend epsilon, used to clip probabilities. */
const EPSILON = 1e-7;

function activationOf(layer: tf.layers.Layer): string | undefined {
  const a = (layer.getConfig() as { activation?: unknown }).activation;
  return typeof a === 'string' ? a : undefined;
}

function singleInput(layer: tf.layers.Layer): tf.SymbolicTensor | undefined {
  try {
    const inp = layer.input;
    return Array.isArray(inp) ? undefined : inp;
  } catch {
    // A layer used more than once has no single input; fall back to the generic path.
    return undefined;
  }
}

/**
 * Inspects the output layer once. Dense(softmax): a trunk model up to the Dense input, then matMul + bias
 * with the Dense variables themselves (so gradients reach them). Activation/Softmax layer: the trunk gives
 * the logits directly. Anything else: the model's own output.
 */
export function makeModelHead(model: tf.LayersModel): ModelHead {
  if (model.outputs.length !== 1) throw new LabError('unsupported', `the model must have one output (it has ${model.outputs.length})`, 'model');
  if (model.inputs.length !== 1) throw new LabError('unsupported', `the model must have one input (it has ${model.inputs.length})`, 'model');
  const out = model.outputs[0]!;
  const head = out.sourceLayer;
  const headInput = singleInput(head);
  const className = head.getClassName();
  const softmaxHead = (className === 'Dense' && activationOf(head) === 'softmax') || (className === 'Activation' && activationOf(head) === 'softmax') || className === 'Softmax';
  const inputRank = headInput?.shape.length;

  if (softmaxHead && headInput !== undefined && (className !== 'Dense' || inputRank === 2)) {
    const trunk = headInput.sourceLayer === model.inputs[0]!.sourceLayer ? undefined : tf.model({ inputs: model.inputs, outputs: headInput, name: `${model.name}_trunk` });
    const features = (x: tf.Tensor, training: boolean): tf.Tensor => (trunk === undefined ? x : (trunk.apply(x, { training }) as tf.Tensor));
    if (className !== 'Dense') return { kind: 'fused', logits: (x, training) => features(x, training) as tf.Tensor2D };
    const [kernel, bias] = head.trainableWeights;
    const useBias = (head.getConfig() as { useBias?: boolean }).useBias !== false;
    return {
      kind: 'fused',
      logits: (x, training) => {
        const z = tf.matMul(features(x, training) as tf.Tensor2D, kernel!.read() as tf.Tensor2D);
        return (useBias && bias !== undefined ? tf.add(z, bias.read()) : z) as tf.Tensor2D;
      },
    };
  }
  return {
    kind: 'clipped-log',
    logits: (x, training) => tf.log(tf.clipByValue(model.apply(x, { training }) as tf.Tensor, EPSILON, 1 - EPSILON)) as tf.Tensor2D,
  };
}

/** Mean sparse categorical cross-entropy from logits (labels: class indices, any numeric dtype). */
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
