// Test helper: hostile model.json files, small on disk and huge if anything built them.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** A Sequential model.json (no weights listed) whose one hidden Dense layer has `units` units. */
export function denseBombJson(units: number): unknown {
  return {
    format: 'layers-model',
    modelTopology: {
      class_name: 'Sequential',
      config: {
        name: 'bomb',
        layers: [
          { class_name: 'Flatten', config: { name: 'flat', batch_input_shape: [null, 28, 28, 1], dtype: 'float32' } },
          { class_name: 'Dense', config: { name: 'huge', units, activation: 'relu', use_bias: true } },
          { class_name: 'Dense', config: { name: 'out', units: 10, activation: 'linear', use_bias: true } },
        ],
      },
    },
    weightsManifest: [{ paths: ['weights.bin'], weights: [] }],
  };
}

/** Writes the Dense bomb into `dir` (model.json + an empty weights.bin); returns the model.json path. */
export function writeDenseBomb(dir: string, units = 200_000): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'weights.bin'), '');
  const file = path.join(dir, 'model.json');
  writeFileSync(file, JSON.stringify(denseBombJson(units)));
  return file;
}
