// Exports a TF.js layers classifier as one ONNX file (opset 13) with an NHWC float input "image" and an output "probabilities".
import type * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { LabError } from '../../../shared/errors';
import { writeFileAtomic } from '../data/atomic-fs';
import { checkExportMeta, exportMetadata, summaryLines, type ExportMeta } from './export-meta';
import { layerChain } from './onnx/chain';
import { OnnxGraph, ONNX_OPSET } from './onnx/graph';
import { convertStep, toKeras, type OnnxValue } from './onnx/layers';

export const ONNX_INPUT_NAME = 'image';
export const ONNX_OUTPUT_NAME = 'probabilities';

/**
 * Builds the ONNX bytes for `model`. The input keeps the lab's layout, NHWC [N, 28, 28, 1] float32 in [0, 1],
 * so callers feed the same arrays as to TF.js; Transposes to NCHW are inserted around Conv/MaxPool (ONNX
 * has no channels-last convolution) and undone before Flatten so features keep Keras' (h, w, c) order and
 * the Dense weights apply unchanged. Throws LabError('unsupported') naming the first layer it cannot convert.
 */
export function onnxModelBytes(model: tf.LayersModel, meta: ExportMeta): Uint8Array {
  checkExportMeta(model, meta);
  const steps = layerChain(model);
  const g = new OnnxGraph();
  const inputShape = model.inputs[0]!.shape.slice(1);
  if (!inputShape.every((d): d is number => typeof d === 'number' && d > 0)) {
    throw new LabError('unsupported', `ONNX export needs a fixed input shape (model "${model.name}" takes [${model.inputs[0]!.shape.join(', ')}])`, 'model');
  }
  let x: OnnxValue = { name: g.reserve(ONNX_INPUT_NAME), layout: 'keras', shape: inputShape };
  g.reserve(ONNX_OUTPUT_NAME);
  for (const step of steps) x = convertStep(g, step, x);
  x = toKeras(g, 'output', x);
  g.addNode('Identity', [x.name], 'output', {}, ONNX_OUTPUT_NAME);

  const metadata = exportMetadata(model, meta, 'onnx', { input: ONNX_INPUT_NAME, output: ONNX_OUTPUT_NAME });
  const layout = inputShape.length === 3 ? `NHWC [N, ${inputShape.join(', ')}]` : `[N, ${inputShape.join(', ')}]`;
  const doc = [
    `Classifier exported by Robustness Lab from TF.js model "${model.name}" (ONNX opset ${ONNX_OPSET}).`,
    `Input "${ONNX_INPUT_NAME}": float32 ${layout}, channels last as in TF.js/Keras, grayscale pixels / 255 in [0, 1].`,
    `Output "${ONNX_OUTPUT_NAME}": float32 [N, ${metadata.labels.length}] softmax probabilities in label order.`,
    ...summaryLines(metadata),
  ].join('\n');
  return g.encode(
    model.name,
    { name: ONNX_INPUT_NAME, dims: ['N', ...inputShape] },
    { name: ONNX_OUTPUT_NAME, dims: ['N', metadata.labels.length] },
    {
      producerName: 'robustness-lab',
      producerVersion: '1',
      docString: doc,
      metadata: { 'robustness_lab.metadata': JSON.stringify(metadata), labels: JSON.stringify(metadata.labels), input_layout: 'NHWC', input_value_range: '[0, 1]' },
    },
  );
}

/**
 * Writes `model` to `outFile` (e.g. model.onnx) as a single ONNX file, metadata included. The whole graph is
 * built before anything touches the disk, and the write is atomic: a model that cannot be converted leaves no file.
 */
export async function exportOnnx(model: tf.LayersModel, outFile: string, meta: ExportMeta): Promise<{ files: string[] }> {
  if (typeof outFile !== 'string' || outFile.trim() === '') throw new LabError('invalid_argument', 'outFile must be a file path such as model.onnx', 'outFile');
  const bytes = onnxModelBytes(model, meta);
  const target = path.resolve(outFile);
  try {
    await writeFileAtomic(target, bytes);
  } catch (err) {
    throw new LabError('io_error', `cannot write ${target}: ${err instanceof Error ? err.message : String(err)}`, 'outFile');
  }
  return { files: [target] };
}
