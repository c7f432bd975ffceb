// Importing a TF.js layers model as a base model: faithful loading, and one clear LabError per kind of bad model folder.
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { buildModel, TUTORIAL_HPARAMS } from '../../../../../src/main/lab/models/builders';
import { importTfjsModel } from '../../../../../src/main/lab/models/import-tfjs';
import { loadModelFiles, saveModelFiles } from '../../../../../src/main/lab/run/model-files';
import { LabError, type LabErrorCode } from '../../../../../src/shared/errors';
import { expectTensorsClose } from '../../../../helpers/tensors';
import { denseBombJson } from './bomb-models';
import { images, MLP_HPARAMS, mnistFixture, trainedLabModel, type MnistFixture } from './onnx/fixtures';

/** Parameters of the tutorial CNN, as the NSL tutorial prints them (model.summary()). */
const TUTORIAL_PARAMS = 93_322;
const OPTS = { inputShape: [28, 28, 1] as [number, number, number], numClasses: 10 };

let fx: MnistFixture & { cleanup: () => Promise<void> };
let root: string;
let cnn: tf.LayersModel;
let count = 0;

beforeAll(async () => {
  await initEngine();
  fx = await mnistFixture();
  root = await mkdtemp(path.join(os.tmpdir(), 'rlab-import-'));
  cnn = await trainedLabModel(fx, TUTORIAL_HPARAMS);
});
afterAll(async () => {
  cnn.dispose();
  await fx.cleanup();
  await rm(root, { recursive: true, force: true });
});

/** Saves `model` into a fresh folder; returns the model.json path. */
async function saved(model: tf.LayersModel = cnn): Promise<string> {
  const { modelPath } = await saveModelFiles(model, path.join(root, `m${count++}`));
  return modelPath;
}

/** The parts of model.json the tests tamper with. */
interface ModelJsonFile {
  format?: string;
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string; quantization?: unknown }[] }[];
}

/** Rewrites model.json through `edit`. */
async function editJson(modelPath: string, edit: (json: ModelJsonFile) => void): Promise<void> {
  const json = JSON.parse(await readFile(modelPath, 'utf8')) as ModelJsonFile;
  edit(json);
  await writeFile(modelPath, JSON.stringify(json));
}

async function expectLabError(promise: Promise<unknown>, code: LabErrorCode, message: RegExp, field?: string): Promise<void> {
  const err = await promise.then(() => null, (e: unknown) => e);
  expect(err, 'expected a LabError').toBeInstanceOf(LabError);
  expect((err as LabError).code).toBe(code);
  expect((err as LabError).message).toMatch(message);
  if (field !== undefined) expect((err as LabError).field).toBe(field);
}

function expectSamePredictions(a: tf.LayersModel, b: tf.LayersModel, input: tf.Tensor, inputB: tf.Tensor = input): void {
  const [pa, pb] = [a.predict(input) as tf.Tensor, b.predict(inputB) as tf.Tensor];
  expectTensorsClose(pb, pa, 0);
  tf.dispose([pa, pb]);
}

describe('importTfjsModel', () => {
  it('loads a saved lab model with its trained weights', async () => {
    const model = await importTfjsModel(await saved(), OPTS);
    const x = images(fx, fx.test);
    expectSamePredictions(cnn, model, x);
    x.dispose();
    model.dispose();
  });

  it('wraps a model taking flat 784-value input so it takes 28x28x1 images, and the wrapped model saves and reloads', async () => {
    const flat = tf.sequential({ name: 'flat_mlp' });
    flat.add(tf.layers.dense({ inputShape: [784], units: 32, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }) }));
    flat.add(tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 8 }) }));
    const model = await importTfjsModel(await saved(flat), OPTS);
    expect(model.inputs[0]!.shape).toEqual([null, 28, 28, 1]);
    const x = images(fx, fx.test);
    const xFlat = x.reshape([fx.test.length, 784]);
    expectSamePredictions(flat, model, xFlat, x);
    const again = await loadModelFiles(await saved(model));
    expectSamePredictions(model, again, x);
    tf.dispose([x, xFlat]);
    again.dispose();
    model.dispose();
    flat.dispose();
  });

  it('rejects a weights path that leaves the folder with "..", even when that file exists with the right size', async () => {
    const modelPath = await saved();
    const dir = path.dirname(modelPath);
    await writeFile(path.join(root, 'outside.bin'), await readFile(path.join(dir, 'weights.bin')));
    await mkdir(path.join(dir, 'sub'));
    await editJson(modelPath, (j) => (j.weightsManifest[0]!.paths = ['sub/../../outside.bin']));
    await expectLabError(importTfjsModel(modelPath, OPTS), 'invalid_argument', /uses "\.\.", leaving the model's folder/, 'modelPath');
  });

  it('rejects an absolute weights path', async () => {
    const modelPath = await saved();
    await editJson(modelPath, (j) => (j.weightsManifest[0]!.paths = [path.join(path.dirname(modelPath), 'weights.bin')]));
    await expectLabError(importTfjsModel(modelPath, OPTS), 'invalid_argument', /is absolute/, 'modelPath');
  });

  it('rejects weights given as URLs', async () => {
    const modelPath = await saved();
    for (const url of ['http://127.0.0.1:9/weights.bin', 'file:///etc/passwd', '//server/share/weights.bin']) {
      await editJson(modelPath, (j) => (j.weightsManifest[0]!.paths = [url]));
      await expectLabError(importTfjsModel(modelPath, OPTS), 'invalid_argument', /is a URL/, 'modelPath');
    }
  });

  it('rejects a weights file whose size differs from what the manifest shapes need', async () => {
    const modelPath = await saved();
    const bin = path.join(path.dirname(modelPath), 'weights.bin');
    const expected = TUTORIAL_PARAMS * 4;
    await truncate(bin, expected - 4);
    await expectLabError(importTfjsModel(modelPath, OPTS), 'corrupt_data', new RegExp(`needs ${expected} bytes for its 10 float32 weights, but its files \\(weights.bin\\) hold ${expected - 4}`));
  });

  it('rejects a manifest whose shapes claim more bytes than the file holds', async () => {
    const modelPath = await saved();
    await editJson(modelPath, (j) => (j.weightsManifest[0]!.weights[1]!.shape = [64]));
    await expectLabError(importTfjsModel(modelPath, OPTS), 'corrupt_data', new RegExp(`needs ${(TUTORIAL_PARAMS + 32) * 4} bytes`));
  });

  it('rejects a manifest shape that disagrees with the layer even when the byte count matches', async () => {
    const modelPath = await saved();
    await editJson(modelPath, (j) => (j.weightsManifest[0]!.weights[0]!.shape = [9, 1, 1, 32]));
    await expectLabError(importTfjsModel(modelPath, OPTS), 'corrupt_data', /weight "conv2d_0\/kernel" is \[9, 1, 1, 32\] in the manifest but the layer needs \[3, 3, 1, 32\]/);
  });

  it('rejects non-float32 weights', async () => {
    const modelPath = await saved();
    await editJson(modelPath, (j) => (j.weightsManifest[0]!.weights[1]!.dtype = 'int32'));
    await expectLabError(importTfjsModel(modelPath, OPTS), 'unsupported', /weight "conv2d_0\/bias" has dtype "int32"; only float32/);
  });

  it('rejects quantized weights', async () => {
    const modelPath = await saved();
    await editJson(modelPath, (j) => (j.weightsManifest[0]!.weights[1]!.quantization = { dtype: 'uint8', scale: 1, min: 0 }));
    await expectLabError(importTfjsModel(modelPath, OPTS), 'unsupported', /is quantized/);
  });

  it('rejects a model whose input is neither 28x28x1 nor 784', async () => {
    const model = buildModel({ ...MLP_HPARAMS, inputShape: [32, 32, 1] }, 1);
    const modelPath = await saved(model);
    model.dispose();
    await expectLabError(importTfjsModel(modelPath, OPTS), 'invalid_argument', /takes input \[32, 32, 1\]; it must take \[28, 28, 1\] or \[784\]/, 'inputShape');
  });

  it('rejects a model whose output units differ from the number of classes', async () => {
    const model = buildModel({ ...MLP_HPARAMS, numClasses: 5 }, 1);
    const modelPath = await saved(model);
    model.dispose();
    const before = tf.memory().numTensors;
    await expectLabError(importTfjsModel(modelPath, OPTS), 'invalid_argument', /outputs \[5\] per example; it must output 10 class scores/, 'numClasses');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports a missing weights file as an io_error', async () => {
    const modelPath = await saved();
    await rm(path.join(path.dirname(modelPath), 'weights.bin'));
    await expectLabError(importTfjsModel(modelPath, OPTS), 'io_error', /weights file weights.bin cannot be read/);
  });

  it('rejects graph models and files that are not JSON', async () => {
    const modelPath = await saved();
    await editJson(modelPath, (j) => (j.format = 'graph-model'));
    await expectLabError(importTfjsModel(modelPath, OPTS), 'unsupported', /is a TF.js graph model/);
    await writeFile(modelPath, '{ not json');
    await expectLabError(importTfjsModel(modelPath, OPTS), 'corrupt_data', /is not a TF.js layers model.json \(not valid JSON\)$/);
  });

  it('refuses an arbitrary file without quoting a byte of it', async () => {
    const secret = path.join(root, 'passwd');
    await writeFile(secret, 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n');
    const err = await importTfjsModel(secret, OPTS).then(() => null, (e: unknown) => e as LabError);
    expect(err).toBeInstanceOf(LabError);
    expect(err!.message).toBe(`${secret} is not a TF.js layers model.json (not valid JSON)`);
    for (const text of ['{"modelTopology": 1, "weightsManifest": []}', '"root:x:0:0"', '[1,2,3]']) {
      await writeFile(secret, text);
      const e = await importTfjsModel(secret, OPTS).then(() => null, (x: unknown) => x as LabError);
      expect(e!.message).toMatch(/is not a TF.js layers model.json \((no modelTopology object|not a JSON object)\)$/);
      expect(e!.message).not.toContain('root');
    }
    if (existsSync('/etc/passwd')) {
      const e = await importTfjsModel('/etc/passwd', OPTS).then(() => null, (x: unknown) => x as LabError);
      expect(e!.message).toBe('/etc/passwd is not a TF.js layers model.json (not valid JSON)');
    }
  });

  it('refuses weights reached through a symlinked file or folder that leaves the model folder, and allows links inside it', async () => {
    const outside = await mkdtemp(path.join(os.tmpdir(), 'rlab-outside-'));
    try {
      // a linked file: weights.bin -> a file outside the folder
      const fileLink = await saved();
      const dir = path.dirname(fileLink);
      await rename(path.join(dir, 'weights.bin'), path.join(outside, 'weights.bin'));
      await symlink(path.join(outside, 'weights.bin'), path.join(dir, 'weights.bin'));
      await expectLabError(importTfjsModel(fileLink, OPTS), 'invalid_argument', /weights file weights.bin is a symbolic link \(or lies in a linked folder\) that leads outside the model's folder/, 'modelPath');

      // a linked folder: shards/ -> a folder outside, manifest path shards/weights.bin
      const folderLink = await saved();
      const dir2 = path.dirname(folderLink);
      await mkdir(path.join(outside, 'shards'));
      await rename(path.join(dir2, 'weights.bin'), path.join(outside, 'shards', 'weights.bin'));
      await symlink(path.join(outside, 'shards'), path.join(dir2, 'shards'));
      await editJson(folderLink, (j) => (j.weightsManifest[0]!.paths = ['shards/weights.bin']));
      await expectLabError(importTfjsModel(folderLink, OPTS), 'invalid_argument', /weights file shards\/weights.bin is a symbolic link .* leads outside the model's folder/, 'modelPath');

      // a link that stays inside the folder is fine
      const inside = await saved();
      const dir3 = path.dirname(inside);
      await rename(path.join(dir3, 'weights.bin'), path.join(dir3, 'real.bin'));
      await symlink('real.bin', path.join(dir3, 'weights.bin'));
      (await importTfjsModel(inside, OPTS)).dispose();
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('refuses a tiny model.json naming a 200,000-unit Dense layer from its config, before building anything', async () => {
    const dir = path.join(root, `bomb${count++}`);
    await mkdir(dir);
    const modelPath = path.join(dir, 'model.json');
    await writeFile(path.join(dir, 'weights.bin'), '');
    await writeFile(modelPath, JSON.stringify(denseBombJson(200_000)));
    expect((await readFile(modelPath)).length).toBeLessThan(1500);
    const before = tf.memory();
    await expectLabError(importTfjsModel(modelPath, OPTS), 'invalid_argument', /layer "huge" \(Dense\): units 200000 is above the limit of 8192 for an imported model/, 'modelPath');
    // nothing was built: no tensor, no byte of tensor memory
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });

  it('refuses a manifest whose weight count is not what the layers need (missing weights)', async () => {
    const modelPath = await saved();
    // drop the last weight (the output bias, 10 values) from the manifest and its bytes from the file: sizes agree, layers do not
    let dropped = 0;
    await editJson(modelPath, (j) => {
      dropped = j.weightsManifest[0]!.weights.pop()!.shape.reduce((x, y) => x * y, 1);
    });
    await truncate(path.join(path.dirname(modelPath), 'weights.bin'), (TUTORIAL_PARAMS - dropped) * 4);
    await expectLabError(importTfjsModel(modelPath, OPTS), 'corrupt_data', new RegExp(`the layers need ${TUTORIAL_PARAMS} weights but the manifest lists ${TUTORIAL_PARAMS - dropped}; weights are missing`), 'modelPath');
  });

  it('leaves the tensor count flat across repeated imports and disposals, wrapped flat-input models included', async () => {
    const flat = tf.sequential();
    flat.add(tf.layers.dense({ inputShape: [784], units: 10, activation: 'softmax' }));
    const paths = [await saved(), await saved(flat)];
    flat.dispose();
    for (const modelPath of paths) {
      (await importTfjsModel(modelPath, OPTS)).dispose();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) (await importTfjsModel(modelPath, OPTS)).dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
  });
});
