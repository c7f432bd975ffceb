// TF.js export: the folder reloads through the lab's fs handler into the same model, and its metadata describes it.
import * as tf from '@tensorflow/tfjs';
import { access, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { TUTORIAL_HPARAMS } from '../../../../../src/main/lab/models/builders';
import { exportTfjs } from '../../../../../src/main/lab/models/export-tfjs';
import { type ExportMetadata } from '../../../../../src/main/lab/models/export-meta';
import { loadModelFiles } from '../../../../../src/main/lab/run/model-files';
import { LabError } from '../../../../../src/shared/errors';
import { expectTensorsClose } from '../../../../helpers/tensors';
import { exportMeta, images, MLP_HPARAMS, mnistFixture, trainedLabModel, type MnistFixture } from './onnx/fixtures';

let fx: MnistFixture & { cleanup: () => Promise<void> };
let dir: string;

beforeAll(async () => {
  await initEngine();
  fx = await mnistFixture();
  dir = await mkdtemp(path.join(os.tmpdir(), 'rlab-tfjs-export-'));
});
afterAll(async () => {
  await fx.cleanup();
  await rm(dir, { recursive: true, force: true });
});

describe('exportTfjs', () => {
  it('writes model.json, weights.bin, README.txt and metadata.json that reload into identical outputs', async () => {
    const model = await trainedLabModel(fx, TUTORIAL_HPARAMS);
    const out = path.join(dir, 'cnn');
    const { files } = await exportTfjs(model, out, exportMeta());
    expect(files.map((f) => path.basename(f))).toEqual(['model.json', 'weights.bin', 'README.txt', 'metadata.json']);
    expect((await readdir(out)).sort()).toEqual(['README.txt', 'metadata.json', 'model.json', 'weights.bin']);

    const loaded = await loadModelFiles(files[0]!);
    const x = images(fx, fx.test);
    const want = model.predict(x) as tf.Tensor;
    const got = loaded.predict(x) as tf.Tensor;
    expectTensorsClose(got, want, 0);
    const wantWeights = model.getWeights();
    loaded.getWeights().forEach((w, i) => expectTensorsClose(w, wantWeights[i]!, 0));
    tf.dispose([x, want, got]);
    loaded.dispose();
    model.dispose();
  });

  it('records input shape, value range, labels, training config and headline robust accuracy in metadata.json and README.txt', async () => {
    const model = await trainedLabModel(fx, MLP_HPARAMS, 2);
    const out = path.join(dir, 'mlp');
    const meta = exportMeta(MLP_HPARAMS);
    await exportTfjs(model, out, meta);
    model.dispose();
    const written = JSON.parse(await readFile(path.join(out, 'metadata.json'), 'utf8')) as ExportMetadata;
    expect(written.model.format).toBe('tfjs-layers');
    expect(written.input).toMatchObject({ shape: [null, 28, 28, 1], dtype: 'float32', layout: 'NHWC', valueRange: [0, 1] });
    expect(written.output.shape).toEqual([null, 10]);
    expect(written.labels).toEqual(meta.classNames);
    expect(written.training).toEqual(meta.training);
    expect(written.accuracy).toEqual({ clean: 0.9712, robust: 0.6543, robustAttack: 'PGD-20 ∞ ε0.2' });
    expect(written.run?.id).toBe('run_abc123');
    const readme = await readFile(path.join(out, 'README.txt'), 'utf8');
    expect(readme).toContain('Robust accuracy: 65.43% under PGD-20 ∞ ε0.2');
    expect(readme).toContain('values in [0, 1]');
    expect(readme).toContain('Labels (output order): 0, 1, 2, 3, 4, 5, 6, 7, 8, 9');
  });

  it('refuses label names that do not match the outputs and writes nothing', async () => {
    const model = await trainedLabModel(fx, MLP_HPARAMS, 3);
    const out = path.join(dir, 'bad-labels');
    const err = await exportTfjs(model, out, { ...exportMeta(), classNames: ['cat', 'dog'] }).catch((e: unknown) => e);
    model.dispose();
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).field).toBe('classNames');
    await expect(access(out)).rejects.toThrow();
  });

  it('refuses a robust accuracy outside [0, 1]', async () => {
    const model = await trainedLabModel(fx, MLP_HPARAMS, 4);
    await expect(exportTfjs(model, path.join(dir, 'bad-acc'), { ...exportMeta(), robustAccuracy: 65.4 })).rejects.toThrow(/robustAccuracy must be in \[0, 1\] or null \(got 65.4\)/);
    model.dispose();
  });

  it('leaves the tensor count flat across repeated exports', async () => {
    const model = await trainedLabModel(fx, MLP_HPARAMS, 5);
    await exportTfjs(model, path.join(dir, 'repeat'), exportMeta());
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await exportTfjs(model, path.join(dir, 'repeat'), exportMeta());
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
