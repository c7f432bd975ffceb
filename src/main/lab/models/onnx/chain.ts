// Orders the layers of a single-input, single-output TF.js model from input to output, rejecting graphs that branch (ONNX export, import rewiring).
import type * as tf from '@tensorflow/tfjs';
import { LabError } from '../../../../shared/errors';

/** One application of a layer: the symbolic tensor it read and the one it produced. */
export interface ChainStep {
  layer: tf.layers.Layer;
  input: tf.SymbolicTensor;
  output: tf.SymbolicTensor;
}

/** Cap on the walk, far above any lab model, so a malformed graph cannot loop forever. */
const MAX_LAYERS = 10_000;

function describe(layer: tf.layers.Layer): string {
  return `layer "${layer.name}" (${layer.getClassName()})`;
}

/**
 * The layers between the model's input and its output, in execution order. Walking back from the output
 * through each tensor's producing node (rather than over `model.layers`) picks the node of this model
 * even when a layer is also used in another model.
 */
export function layerChain(model: tf.LayersModel, purpose = 'ONNX export'): ChainStep[] {
  if (model.inputs.length !== 1) throw new LabError('unsupported', `${purpose} needs a model with exactly one input (model "${model.name}" has ${model.inputs.length})`, 'model');
  if (model.outputs.length !== 1) throw new LabError('unsupported', `${purpose} needs a model with exactly one output (model "${model.name}" has ${model.outputs.length})`, 'model');
  const input = model.inputs[0]!;
  const steps: ChainStep[] = [];
  let tensor = model.outputs[0]!;
  while (tensor.id !== input.id) {
    const layer = tensor.sourceLayer;
    const node = layer.inboundNodes[tensor.nodeIndex];
    if (node === undefined || node.inputTensors.length === 0) {
      throw new LabError('unsupported', `${describe(layer)} is not connected to the model input; ${purpose} follows one path from input to output`, 'model');
    }
    if (node.inputTensors.length !== 1 || node.outputTensors.length !== 1) {
      throw new LabError('unsupported', `${describe(layer)} has ${node.inputTensors.length} inputs and ${node.outputTensors.length} outputs; ${purpose} supports single-input, single-output layers only`, 'model');
    }
    steps.push({ layer, input: node.inputTensors[0]!, output: tensor });
    if (steps.length > MAX_LAYERS) throw new LabError('unsupported', `model "${model.name}" has more than ${MAX_LAYERS} layers on its path`, 'model');
    tensor = node.inputTensors[0]!;
  }
  return steps.reverse();
}
