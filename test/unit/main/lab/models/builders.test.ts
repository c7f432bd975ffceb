// buildModel: the NSL tutorial CNN (93,322 parameters), the MLP, seeded Keras-default weights, bad HParams.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { type ModelHParams, INPUT_NAME, TUTORIAL_HPARAMS, buildModel } from '../../../../../src/main/lab/models/builders';
import { LabError } from '../../../../../src/shared/errors';

beforeAll(async () => {
  await initEngine();
});

const MLP: ModelHParams = { ...TUTORIAL_HPARAMS, model: 'mlp', numFcUnits: [128, 32] };

function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}

describe('buildModel', () => {
  it('builds the tutorial CNN with exactly 93,322 parameters and stable layer names', () => {
    const model = buildModel(TUTORIAL_HPARAMS, 1);
    expect(model.countParams()).toBe(93322);
    expect(model.layers.map((l) => l.name)).toEqual([INPUT_NAME, 'conv2d_0', 'max_pooling2d_0', 'conv2d_1', 'max_pooling2d_1', 'conv2d_2', 'flatten', 'dense_0', 'dense_out']);
    expect(model.inputs[0]!.shape).toEqual([null, 28, 28, 1]);
    expect(model.outputs[0]!.shape).toEqual([null, 10]);
    expect(model.layers.map((l) => l.outputShape)).toContainEqual([null, 3, 3, 64]);
    model.dispose();
  });

  it('uses relu in hidden layers and softmax at the output', () => {
    const model = buildModel(TUTORIAL_HPARAMS, 1);
    const activation = (name: string) => (model.getLayer(name).getConfig() as { activation?: string }).activation;
    expect(['conv2d_0', 'conv2d_1', 'conv2d_2', 'dense_0'].map(activation)).toEqual(['relu', 'relu', 'relu', 'relu']);
    expect(activation('dense_out')).toBe('softmax');
    tf.tidy(() => {
      const probs = model.predict(tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 3)) as tf.Tensor;
      expect(probs.shape).toEqual([3, 10]);
      const sums = probs.sum(1).arraySync() as number[];
      sums.forEach((s) => expect(s).toBeCloseTo(1, 5));
    });
    model.dispose();
  });

  it('gives identical weights for the same seed and different ones for another seed', () => {
    const a = buildModel(TUTORIAL_HPARAMS, 42);
    const b = buildModel(TUTORIAL_HPARAMS, 42);
    const c = buildModel(TUTORIAL_HPARAMS, 43);
    const [wa, wb, wc] = [weightsOf(a), weightsOf(b), weightsOf(c)];
    wa.forEach((w, i) => expect(Array.from(wb[i]!)).toEqual(Array.from(w)));
    expect(Array.from(wc[0]!)).not.toEqual(Array.from(wa[0]!));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('initialises kernels glorot-uniform within ±sqrt(6/(fanIn+fanOut)) and biases to zero', () => {
    const model = buildModel(TUTORIAL_HPARAMS, 5);
    const kernel = model.getLayer('dense_0').getWeights()[0]!;
    const limit = Math.sqrt(6 / (576 + 64));
    const values = kernel.dataSync();
    expect(Math.max(...values)).toBeLessThanOrEqual(limit);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(-limit);
    expect(Math.max(...values)).toBeGreaterThan(0.9 * limit);
    model.getWeights().filter((w) => w.rank === 1).forEach((bias) => expect(Math.max(...bias.dataSync().map(Math.abs))).toBe(0));
    model.dispose();
  });

  it('builds an MLP of flatten, relu dense layers and a softmax output', () => {
    const model = buildModel(MLP, 1);
    expect(model.layers.map((l) => l.name)).toEqual([INPUT_NAME, 'flatten', 'dense_0', 'dense_1', 'dense_out']);
    expect(model.countParams()).toBe(784 * 128 + 128 + 128 * 32 + 32 + 32 * 10 + 10);
    model.dispose();
  });

  it.each([
    [{ numClasses: 0 }, 'numClasses'],
    [{ convFilters: [] }, 'convFilters'],
    [{ kernelSize: 0 }, 'kernelSize'],
    [{ convFilters: [8, 8, 8, 8, 8] }, 'convFilters'],
    [{ poolSize: 27 }, 'poolSize'],
    [{ numFcUnits: [64, -1] }, 'numFcUnits'],
    [{ inputShape: [28, 28] }, 'inputShape'],
    [{ model: 'rnn' }, 'model'],
  ])('rejects %j with a LabError on %s', (patch, field) => {
    const run = () => buildModel({ ...TUTORIAL_HPARAMS, ...patch } as ModelHParams);
    expect(run).toThrow(LabError);
    expect(run).toThrow(expect.objectContaining({ field }));
  });
});
