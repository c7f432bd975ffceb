// A real (tiny) trained model for a seeded lab's run: an MLP fitted for a few epochs on a small synthetic digit set,
// saved as the run's model artifact the way the engine saves it, so exportModel has something real to export.
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { buildModel } from '../../../src/main/lab/models/builders';
import { saveModelFiles } from '../../../src/main/lab/run/model-files';
import { openStore } from '../../../src/main/lab/store';
import { HParamsSchema } from '../../../src/shared/schemas';

/** `n` 28×28 images in [0, 1], deterministic: image i is a bright band whose row depends on its label i % 10. */
export function syntheticImages(n: number, offset = 0): { pixels: Float32Array; labels: number[] } {
  const pixels = new Float32Array(n * 784);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = (i + offset) % 10;
    labels.push(label);
    for (let p = 0; p < 784; p++) {
      const row = Math.floor(p / 28);
      const noise = ((p * 7919 + (i + offset) * 104729) % 97) / 970;
      pixels[i * 784 + p] = Math.abs(row - (2 + label * 2.5)) < 1.5 ? 0.9 + noise : noise;
    }
  }
  return { pixels, labels };
}

/** Trains a small MLP (in this process, pure-JS TF.js) and records it as `runId`'s model in `<home>/lab.sqlite`. */
export async function seedTrainedModel(home: string, runId: string): Promise<{ modelPath: string }> {
  await tf.setBackend('cpu');
  const model = buildModel(HParamsSchema.parse({ model: 'mlp', numFcUnits: [16] }), 0);
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const { pixels, labels } = syntheticImages(200);
  const x = tf.tensor4d(pixels, [200, 28, 28, 1]);
  const y = tf.tensor1d(labels, 'float32');
  await model.fit(x, y, { epochs: 3, batchSize: 50, verbose: 0 });
  x.dispose();
  y.dispose();
  const { modelPath } = await saveModelFiles(model, path.join(home, 'runs', runId, 'model'));
  model.dispose();
  const store = openStore(path.join(home, 'lab.sqlite'));
  try {
    store.addArtifact(runId, { kind: 'model', path: modelPath });
  } finally {
    store.close();
  }
  return { modelPath };
}
