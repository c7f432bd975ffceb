// Saves and loads TF.js layers models as model.json + weights.bin with plain fs, so it works on every backend (not only tfjs-node's file://).
import * as tf from '@tensorflow/tfjs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LabError } from '../../../shared/errors';
import { writeFileAtomic } from '../data/atomic-fs';

import { MODEL_JSON, WEIGHTS_BIN } from './model-file-names';

export { MODEL_JSON, WEIGHTS_BIN };

/** Joins the weight buffers of one save into a single ArrayBuffer. */
function joinWeights(data: tf.io.WeightData | undefined): ArrayBuffer {
  if (data === undefined) return new ArrayBuffer(0);
  return tf.io.CompositeArrayBuffer.join(data);
}

/**
 * An IOHandler writing `<dir>/model.json` and `<dir>/weights.bin`.
 * weights.bin is written first and model.json last, each atomically, so a folder with a model.json always holds a complete model.
 */
export function fsModelHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new LabError('unsupported', 'only layers models (JSON topology) can be saved to a folder');
      const weights = joinWeights(artifacts.weightData);
      const manifest: tf.io.WeightsManifestConfig = [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }];
      const json: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: manifest,
      };
      if (artifacts.trainingConfig !== undefined) json.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata !== undefined) json.userDefinedMetadata = artifacts.userDefinedMetadata;
      await fs.mkdir(dir, { recursive: true });
      await writeFileAtomic(path.join(dir, WEIGHTS_BIN), new Uint8Array(weights));
      await writeFileAtomic(path.join(dir, MODEL_JSON), JSON.stringify(json));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const jsonPath = path.join(dir, MODEL_JSON);
      let modelJson: tf.io.ModelJSON;
      try {
        modelJson = JSON.parse(await fs.readFile(jsonPath, 'utf8')) as tf.io.ModelJSON;
      } catch (err) {
        throw new LabError('io_error', `cannot read the model at ${jsonPath}: ${err instanceof Error ? err.message : String(err)}`, 'modelPath');
      }
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const rel of group.paths) {
            const file = path.resolve(dir, rel);
            if (path.dirname(file) !== path.resolve(dir)) throw new LabError('corrupt_data', `${jsonPath} points outside its folder (${rel})`, 'modelPath');
            const bytes = await fs.readFile(file);
            buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
          }
        }
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}

/** Saves `model` into `dir`; returns the paths of the two files. */
export async function saveModelFiles(model: tf.LayersModel, dir: string): Promise<{ modelPath: string; files: string[] }> {
  await model.save(fsModelHandler(dir));
  return { modelPath: path.join(dir, MODEL_JSON), files: [path.join(dir, MODEL_JSON), path.join(dir, WEIGHTS_BIN)] };
}

/** Loads a layers model from its model.json path (weights beside it). */
export async function loadModelFiles(modelJsonPath: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(fsModelHandler(path.dirname(modelJsonPath)));
}
