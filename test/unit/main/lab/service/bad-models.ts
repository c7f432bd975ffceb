// Test helper: broken copies of a good saved TF.js model (model.json + weights.bin), one per way a base model can be refused.
import { copyFileSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';

interface ModelJson {
  modelTopology: { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
  weightsManifest: { paths: string[]; weights: { name: string; dtype: string; shape: number[] }[] }[];
}

export interface BadModel {
  name: string;
  modelPath: string;
  /** Text the refusal must contain: what is wrong, in the importer's words. */
  says: string;
}

/** Writes each broken variant of the model in `goodDir` into `<root>/<name>/`; the good files are not touched. */
export function writeBadModels(goodDir: string, root: string): BadModel[] {
  const good = JSON.parse(readFileSync(path.join(goodDir, 'model.json'), 'utf8')) as ModelJson;
  const variant = (name: string, says: string, edit: (m: ModelJson, dir: string) => void): BadModel => {
    const dir = path.join(root, name);
    mkdirSync(dir, { recursive: true });
    copyFileSync(path.join(goodDir, 'weights.bin'), path.join(dir, 'weights.bin'));
    const m = structuredClone(good);
    edit(m, dir);
    writeFileSync(path.join(dir, 'model.json'), JSON.stringify(m));
    return { name, modelPath: path.join(dir, 'model.json'), says };
  };
  const layers = (m: ModelJson) => m.modelTopology.config.layers;
  const weightsBytes = readFileSync(path.join(goodDir, 'weights.bin')).length;
  return [
    variant('dotdot', 'weights path "../weights.bin" uses "..", leaving the model\'s folder', (m) => {
      m.weightsManifest[0]!.paths = ['../weights.bin'];
    }),
    variant('absolute', 'is absolute; weights must be given relative to the model\'s folder', (m, dir) => {
      m.weightsManifest[0]!.paths = [path.join(dir, 'weights.bin')];
    }),
    variant('url', 'weights path "https://example.com/weights.bin" is a URL', (m) => {
      m.weightsManifest[0]!.paths = ['https://example.com/weights.bin'];
    }),
    variant('short', `needs ${weightsBytes} bytes for its`, (_m, dir) => {
      truncateSync(path.join(dir, 'weights.bin'), weightsBytes - 4);
    }),
    variant('dtype', 'has dtype "int32"; only float32 weights can be imported', (m) => {
      m.weightsManifest[0]!.weights[0]!.dtype = 'int32';
    }),
    variant('input-shape', 'the model takes input [14, 14, 1]; it must take [28, 28, 1] or [784]', (m) => {
      layers(m).find((l) => l.class_name === 'InputLayer')!.config.batch_input_shape = [null, 14, 14, 1];
    }),
    variant('output-units', 'the model outputs [8] per example; it must output 10 class scores', (m) => {
      layers(m).filter((l) => l.class_name === 'Dense').at(-1)!.config.units = 8;
    }),
  ];
}
