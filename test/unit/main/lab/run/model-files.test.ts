import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { buildModel } from '../../../../../src/main/lab/models/builders';
import { copyModelFiles, modelFileList } from '../../../../../src/main/lab/run/model-copy';
import { loadModelFiles, saveModelFiles } from '../../../../../src/main/lab/run/model-files';
import { expectTensorsClose } from '../../../../helpers/tensors';

const H = { model: 'cnn' as const, inputShape: [10, 10, 1] as [number, number, number], numClasses: 4, convFilters: [3], kernelSize: 3, poolSize: 2, numFcUnits: [5] };
let tmp: string;

beforeAll(async () => {
  await initEngine();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'rlab-model-files-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('TF.js layers model files', () => {
  it('round-trip through model.json + weights.bin with identical predictions', async () => {
    const model = buildModel(H, 5);
    const dir = path.join(tmp, 'saved');
    const saved = await saveModelFiles(model, dir);
    expect(saved.files).toEqual([path.join(dir, 'model.json'), path.join(dir, 'weights.bin')]);
    const json = JSON.parse(readFileSync(saved.modelPath, 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['./weights.bin']);

    const loaded = await loadModelFiles(saved.modelPath);
    const x = tf.randomUniform([3, 10, 10, 1], 0, 1, 'float32', 9);
    const want = model.predict(x) as tf.Tensor;
    const got = loaded.predict(x) as tf.Tensor;
    expectTensorsClose(got, want, 1e-6);
    tf.dispose([x, want, got]);
    loaded.dispose();
    model.dispose();
  });

  it('copies a model with the weight files its model.json names', async () => {
    const model = buildModel(H, 6);
    const src = await saveModelFiles(model, path.join(tmp, 'src'));
    model.dispose();
    const copied = await copyModelFiles(src.modelPath, path.join(tmp, 'copy'));
    expect(copied).toEqual([path.join(tmp, 'copy', 'model.json'), path.join(tmp, 'copy', 'weights.bin')]);
    expect(readFileSync(copied[1]!)).toEqual(readFileSync(path.join(tmp, 'src', 'weights.bin')));
    expect(await modelFileList(copied[0]!)).toEqual(copied);
  });

  it('refuses a model.json whose weights point outside its folder', async () => {
    const dir = path.join(tmp, 'evil');
    const model = buildModel(H, 7);
    const saved = await saveModelFiles(model, dir);
    model.dispose();
    const json = JSON.parse(readFileSync(saved.modelPath, 'utf8'));
    json.weightsManifest[0].paths = ['../src/weights.bin'];
    writeFileSync(saved.modelPath, JSON.stringify(json));
    await expect(loadModelFiles(saved.modelPath)).rejects.toMatchObject({ code: 'corrupt_data' });
  });

  it('reports a missing model as an io_error naming the path', async () => {
    const missing = path.join(tmp, 'none', 'model.json');
    expect(existsSync(missing)).toBe(false);
    await expect(loadModelFiles(missing)).rejects.toMatchObject({ code: 'io_error', message: expect.stringContaining(missing) });
    await expect(copyModelFiles(missing, path.join(tmp, 'x'))).rejects.toMatchObject({ code: 'io_error' });
  });
});
