// Exports a classifier as a TF.js layers model folder: model.json + weights.bin, plus README.txt and metadata.json describing it.
import type * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { LabError } from '../../../shared/errors';
import { writeFileAtomic } from '../data/atomic-fs';
import { MODEL_JSON, saveModelFiles } from '../run/model-files';
import { checkExportMeta, exportMetadata, summaryLines, type ExportMetadata, type ExportMeta } from './export-meta';

export const README_TXT = 'README.txt';
export const METADATA_JSON = 'metadata.json';

function readme(m: ExportMetadata): string {
  const input = m.input.shape.map((d) => d ?? 'N').join(', ');
  const output = m.output.shape.map((d) => d ?? 'N').join(', ');
  return [
    `Robustness Lab export: TF.js layers model "${m.model.name}" (${m.model.parameters} parameters)`,
    '',
    'Files',
    `  ${MODEL_JSON}     topology and weights manifest`,
    '  weights.bin    float32 weights, little-endian',
    `  ${METADATA_JSON}  everything below, machine-readable`,
    '',
    'Input',
    `  float32 [${input}], ${m.input.layout === 'NHWC' ? 'NHWC (channels last)' : 'flat'}, values in [${m.input.valueRange.join(', ')}]: ${m.input.preprocessing}.`,
    'Output',
    `  float32 [${output}]: ${m.output.meaning}.`,
    '',
    ...summaryLines(m),
    '',
    'Loading',
    "  browser:  const model = await tf.loadLayersModel('https://host/path/model.json');",
    "  Node.js:  with @tensorflow/tfjs-node, tf.loadLayersModel('file:///absolute/path/model.json');",
    '  then:     const probs = model.predict(tf.tensor4d(pixels, [n, 28, 28, 1]).div(255));',
    '',
  ].join('\n');
}

/**
 * Writes `model` into `outDir` as model.json + weights.bin (loadable by tf.loadLayersModel), README.txt and
 * metadata.json. Returns the written paths, model.json first. The model files are written weights first and
 * model.json last, each atomically, so a folder that has a model.json always holds a complete model.
 */
export async function exportTfjs(model: tf.LayersModel, outDir: string, meta: ExportMeta): Promise<{ files: string[] }> {
  if (typeof outDir !== 'string' || outDir.trim() === '') throw new LabError('invalid_argument', 'outDir must be a folder path', 'outDir');
  checkExportMeta(model, meta);
  const dir = path.resolve(outDir);
  const metadata = exportMetadata(model, meta, 'tfjs-layers', { input: model.inputs[0]!.name, output: model.outputs[0]!.name });
  try {
    const { files } = await saveModelFiles(model, dir);
    const readmePath = path.join(dir, README_TXT);
    const metaPath = path.join(dir, METADATA_JSON);
    await writeFileAtomic(metaPath, `${JSON.stringify(metadata, null, 2)}\n`);
    await writeFileAtomic(readmePath, readme(metadata));
    return { files: [...files, readmePath, metaPath] };
  } catch (err) {
    if (err instanceof LabError) throw err;
    throw new LabError('io_error', `cannot write the export to ${dir}: ${err instanceof Error ? err.message : String(err)}`, 'outDir');
  }
}
