// ONNX export checked by running the exported file in onnxruntime-node against TF.js on real MNIST test digits.
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { onnx as OnnxNs } from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../../../src/main/lab/engine/tf';
import { exportOnnx, onnxModelBytes } from '../../../../../../src/main/lab/models/export-onnx';
import { TUTORIAL_HPARAMS } from '../../../../../../src/main/lab/models/builders';
import { LabError } from '../../../../../../src/shared/errors';
import { argmaxRows, exportMeta, images, maxAbsDiff, MLP_HPARAMS, mnistFixture, trainBriefly, trainedLabModel, type MnistFixture } from './fixtures';

const { onnx } = createRequire(import.meta.url)('onnx-proto') as { onnx: typeof OnnxNs };
// On Ampere+ GPUs TensorFlow would run convs and matmuls in TF32 (~1e-3 relative error), making TF.js itself
// the imprecise side of a 1e-4 comparison; full fp32 is forced before initEngine loads the binding.
process.env.NVIDIA_TF32_OVERRIDE ??= '0';

let fx: MnistFixture & { cleanup: () => Promise<void> };
let dir: string;

beforeAll(async () => {
  await initEngine();
  fx = await mnistFixture();
  dir = await mkdtemp(path.join(os.tmpdir(), 'rlab-onnx-'));
});
afterAll(async () => {
  await fx.cleanup();
  await rm(dir, { recursive: true, force: true });
});

/** Runs the ONNX file on the 200 test digits; returns its probabilities and TF.js's for the same input. */
async function compare(model: tf.LayersModel, file: string): Promise<{ onnxProbs: Float32Array; tfProbs: Float32Array; classes: number }> {
  const x = images(fx, fx.test);
  try {
    const tfOut = model.predict(x) as tf.Tensor;
    const tfProbs = tfOut.dataSync() as Float32Array;
    const classes = tfOut.shape[1]!;
    tfOut.dispose();
    const session = await ort.InferenceSession.create(file);
    try {
      const feeds = { image: new ort.Tensor('float32', x.dataSync() as Float32Array, x.shape) };
      const out = await session.run(feeds);
      const probs = out.probabilities!;
      expect(probs.dims).toEqual([fx.test.length, classes]);
      return { onnxProbs: probs.data as Float32Array, tfProbs, classes };
    } finally {
      await session.release();
    }
  } finally {
    x.dispose();
  }
}

async function expectSameAsTfjs(model: tf.LayersModel, name: string): Promise<void> {
  const file = path.join(dir, `${name}.onnx`);
  const { files } = await exportOnnx(model, file, exportMeta());
  expect(files).toEqual([file]);
  const { onnxProbs, tfProbs, classes } = await compare(model, file);
  expect(maxAbsDiff(onnxProbs, tfProbs)).toBeLessThan(1e-4);
  expect(argmaxRows(onnxProbs, classes)).toEqual(argmaxRows(tfProbs, classes));
}

describe('exportOnnx', () => {
  it('exports the tutorial CNN so onnxruntime matches TF.js on 200 MNIST test digits (max |Δ| < 1e-4, same classes)', async () => {
    const model = await trainedLabModel(fx, TUTORIAL_HPARAMS);
    await expectSameAsTfjs(model, 'cnn');
    model.dispose();
  });

  it('exports the MLP so onnxruntime matches TF.js on 200 MNIST test digits', async () => {
    const model = await trainedLabModel(fx, MLP_HPARAMS);
    await expectSameAsTfjs(model, 'mlp');
    model.dispose();
  });

  it('handles same padding, strides, dilation, separate ReLU/Softmax layers, ReLU max value and Dropout', async () => {
    const init = (seed: number) => tf.initializers.glorotUniform({ seed });
    const model = tf.sequential({ name: 'variety' });
    // TF.js has no gradient for dilated convolutions: the dilated conv comes first and stays frozen, so training never needs one
    model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 3, dilationRate: 2, activation: 'relu', useBias: false, trainable: false, kernelInitializer: init(1) }));
    model.add(tf.layers.conv2d({ filters: 8, kernelSize: 5, strides: 2, padding: 'same', kernelInitializer: init(2) }));
    model.add(tf.layers.reLU());
    model.add(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }));
    model.add(tf.layers.flatten());
    model.add(tf.layers.dropout({ rate: 0.3 }));
    model.add(tf.layers.dense({ units: 24, activation: 'tanh', kernelInitializer: init(3) }));
    model.add(tf.layers.reLU({ maxValue: 0.5 }));
    model.add(tf.layers.dense({ units: 10, kernelInitializer: init(4) }));
    model.add(tf.layers.softmax());
    await trainBriefly(fx, model);
    await expectSameAsTfjs(model, 'variety');
    model.dispose();
  });

  it('declares an NHWC float input "image", an output "probabilities" [N, classes], opset 13 and the metadata', async () => {
    const model = await trainedLabModel(fx, TUTORIAL_HPARAMS, 2);
    const file = path.join(dir, 'declared.onnx');
    await exportOnnx(model, file, exportMeta());
    model.dispose();
    const session = await ort.InferenceSession.create(file);
    const [input] = session.inputMetadata;
    const [output] = session.outputMetadata;
    await session.release();
    expect(input).toMatchObject({ name: 'image', isTensor: true, type: 'float32', shape: ['N', 28, 28, 1] });
    expect(output).toMatchObject({ name: 'probabilities', isTensor: true, type: 'float32', shape: ['N', 10] });

    const proto = onnx.ModelProto.decode(await readFile(file));
    expect(proto.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 13]]);
    const props = Object.fromEntries(proto.metadataProps.map((p) => [p.key, p.value]));
    expect(JSON.parse(props.labels!)).toEqual(exportMeta().classNames);
    const meta = JSON.parse(props['robustness_lab.metadata']!);
    expect(meta.input).toMatchObject({ name: 'image', layout: 'NHWC', valueRange: [0, 1] });
    expect(meta.accuracy).toEqual({ clean: 0.9712, robust: 0.6543, robustAttack: 'PGD-20 ∞ ε0.2' });
    expect((proto.graph?.node ?? []).map((n) => n.opType)).toEqual(expect.arrayContaining(['Transpose', 'Conv', 'MaxPool', 'Flatten', 'MatMul', 'Softmax']));
  });

  it('rejects a BatchNormalization layer as unsupported, naming it, and writes no file', async () => {
    const model = tf.sequential();
    model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3, name: 'conv_a' }));
    model.add(tf.layers.batchNormalization({ name: 'bn_here' }));
    model.add(tf.layers.flatten());
    model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
    const file = path.join(dir, 'bn.onnx');
    const err = await exportOnnx(model, file, exportMeta()).catch((e: unknown) => e);
    model.dispose();
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).code).toBe('unsupported');
    expect((err as LabError).message).toMatch(/layer "bn_here" \(BatchNormalization\)/);
    await expect(access(file)).rejects.toThrow();
  });

  it('rejects Reshape and LSTM layers and an unsupported activation, naming the layer', () => {
    const reshape = tf.sequential();
    reshape.add(tf.layers.reshape({ inputShape: [28, 28, 1], targetShape: [784], name: 'rows' }));
    reshape.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
    expect(() => onnxModelBytes(reshape, exportMeta())).toThrow(/layer "rows" \(Reshape\)/);
    reshape.dispose();

    const rnn = tf.sequential();
    rnn.add(tf.layers.lstm({ inputShape: [28, 28], units: 10, name: 'memory', activation: 'softmax' }));
    expect(() => onnxModelBytes(rnn, exportMeta())).toThrow(/layer "memory" \(LSTM\) cannot be exported to ONNX/);
    rnn.dispose();

    const elu = tf.sequential();
    elu.add(tf.layers.flatten({ inputShape: [28, 28, 1] }));
    elu.add(tf.layers.dense({ units: 10, activation: 'elu', name: 'dense_elu' }));
    expect(() => onnxModelBytes(elu, exportMeta())).toThrow(/layer "dense_elu" \(Dense\).*activation "elu"/);
    elu.dispose();
  });

  it('rejects label names that do not match the output units', async () => {
    const model = await trainedLabModel(fx, MLP_HPARAMS, 3);
    const bad = { ...exportMeta(), classNames: ['a', 'b'] };
    expect(() => onnxModelBytes(model, bad)).toThrow(LabError);
    expect(() => onnxModelBytes(model, bad)).toThrow(/classNames must name each of the model's 10 outputs \(got 2\)/);
    model.dispose();
  });

  it('creates no tensors while converting', async () => {
    const model = await trainedLabModel(fx, TUTORIAL_HPARAMS, 4);
    onnxModelBytes(model, exportMeta());
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) onnxModelBytes(model, exportMeta());
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
