// The topology check works on model.json data alone: its shapes and parameter counts must be what TF.js itself builds,
// and every model the lab will not build is refused with the layer and the limit named.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { buildModel, TUTORIAL_HPARAMS } from '../../../../../src/main/lab/models/builders';
import { TOPOLOGY_LIMITS, validateTopology } from '../../../../../src/main/lab/models/import-topology';
import { LabError } from '../../../../../src/shared/errors';
import { denseBombJson } from './bomb-models';

const EXPECT = { inputShape: [28, 28, 1] as [number, number, number], numClasses: 10 };
const SRC = '/models/m/model.json';

beforeAll(async () => {
  await initEngine();
});

function topologyOf(model: tf.LayersModel): unknown {
  return model.toJSON(null, false);
}

function refusal(topology: unknown, expect_ = EXPECT): LabError {
  try {
    validateTopology(topology, expect_, SRC);
  } catch (err) {
    expect(err).toBeInstanceOf(LabError);
    return err as LabError;
  }
  throw new Error('expected the topology to be refused');
}

function sequential(layers: unknown[]): unknown {
  return { class_name: 'Sequential', config: { name: 's', layers } };
}

const flatten = { class_name: 'Flatten', config: { name: 'f', batch_input_shape: [null, 28, 28, 1] } };
const dense = (name: string, units: number, activation = 'linear') => ({ class_name: 'Dense', config: { name, units, activation, use_bias: true } });

describe('validateTopology', () => {
  it("counts the tutorial CNN's 93,322 parameters from its config, as TF.js builds it", () => {
    const model = buildModel(TUTORIAL_HPARAMS, 0);
    const summary = validateTopology(topologyOf(model), EXPECT, SRC);
    expect(summary).toEqual({ modelClass: 'Model', layers: model.layers.length - 1, parameters: 93_322, inputShape: [28, 28, 1], inputKind: 'image', outputUnits: 10 });
    expect(summary.parameters).toBe(model.countParams());
    model.dispose();
  });

  it('infers shapes and weights like TF.js for strides, same padding, batch norm, global pooling, reshape and merges', () => {
    const seq = tf.sequential({
      layers: [
        tf.layers.reshape({ inputShape: [784], targetShape: [28, 28, 1] }),
        tf.layers.zeroPadding2d({ padding: [[1, 2], [0, 1]] }),
        tf.layers.conv2d({ filters: 5, kernelSize: [3, 5], strides: 2, padding: 'same', useBias: false }),
        tf.layers.batchNormalization({}),
        tf.layers.reLU({}),
        tf.layers.conv2d({ filters: 7, kernelSize: 3, dilationRate: 2, activation: 'elu' }),
        tf.layers.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dropout({ rate: 0.2 }),
        tf.layers.dense({ units: 10 }),
        tf.layers.softmax({}),
      ],
    });
    const s = validateTopology(topologyOf(seq), EXPECT, SRC);
    expect(s).toMatchObject({ modelClass: 'Sequential', parameters: seq.countParams(), inputShape: [784], inputKind: 'flat', outputUnits: 10 });
    seq.dispose();

    const input = tf.input({ shape: [28, 28, 1] });
    const a = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.conv2d({ filters: 4, kernelSize: 1 }).apply(input) as tf.SymbolicTensor;
    const sum = tf.layers.add().apply([a, b]) as tf.SymbolicTensor;
    const cat = tf.layers.concatenate().apply([sum, a]) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 10 }).apply(tf.layers.flatten().apply(cat)) as tf.SymbolicTensor;
    const functional = tf.model({ inputs: input, outputs: out });
    expect(validateTopology(topologyOf(functional), EXPECT, SRC)).toMatchObject({ modelClass: 'Model', parameters: functional.countParams(), inputKind: 'image' });
    functional.dispose();
  });

  it('refuses a 200,000-unit Dense layer, naming the layer and the limit', () => {
    const err = refusal((denseBombJson(200_000) as { modelTopology: unknown }).modelTopology);
    expect(err).toMatchObject({ code: 'invalid_argument', field: 'modelPath' });
    expect(err.message).toBe(`${SRC}: layer "huge" (Dense): units 200000 is above the limit of ${TOPOLOGY_LIMITS.units} for an imported model`);
  });

  it('refuses too many parameters in total, though every layer is within its own limit', () => {
    const layers = [flatten, ...Array.from({ length: 6 }, (_, i) => dense(`d${i}`, 8192, 'relu')), dense('out', 10)];
    expect(refusal(sequential(layers)).message).toMatch(new RegExp(`the model has more than ${TOPOLOGY_LIMITS.parameters} parameters \\(reached \\d+ at layer "d1"\\); an imported model may have at most ${TOPOLOGY_LIMITS.parameters}`));
  });

  it('refuses unknown layer classes and activations, listing what is allowed', () => {
    const lambda = refusal(sequential([flatten, { class_name: 'Lambda', config: { name: 'code', function: 'x => x' } }, dense('out', 10)]));
    expect(lambda).toMatchObject({ code: 'unsupported' });
    expect(lambda.message).toMatch(/^\/models\/m\/model.json: layer "code" has class "Lambda", which cannot be imported; allowed: InputLayer, Dense, Conv2D, /);
    const act = refusal(sequential([flatten, dense('out', 10, 'my_custom')]));
    expect(act.message).toMatch(/layer "out" \(Dense\): activation "my_custom"; allowed: linear, relu/);
  });

  it('refuses conv filters and kernels above their limits', () => {
    const conv = (filters: number, kernel: number) => sequential([
      { class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, 28, 28, 1] } },
      { class_name: 'Conv2D', config: { name: 'c', filters, kernel_size: [kernel, kernel], activation: 'relu' } },
      { class_name: 'Flatten', config: { name: 'f' } },
      dense('out', 10),
    ]);
    expect(refusal(conv(100_000, 3)).message).toMatch(/layer "c" \(Conv2D\): filters 100000 is above the limit of 1024/);
    expect(refusal(conv(8, 13)).message).toMatch(/layer "c" \(Conv2D\): kernel_size 13 is above the limit of 11/);
  });

  it('refuses what is not a classifier: output rank ≠ 2, fewer than 2 units, units ≠ classes', () => {
    const rank4 = refusal(sequential([{ class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, 28, 28, 1] } }, { class_name: 'Conv2D', config: { name: 'c', filters: 10, kernel_size: 3 } }]));
    expect(rank4).toMatchObject({ field: 'numClasses' });
    expect(rank4.message).toBe(`${SRC}: the model outputs [26, 26, 10] per example (output rank 4); a classifier outputs one score per class (rank 2)`);
    expect(refusal(sequential([flatten, dense('out', 1, 'sigmoid')])).message).toBe(`${SRC}: the model outputs [1] per example; a classifier needs at least 2 output units`);
    expect(refusal(sequential([flatten, dense('out', 5)])).message).toBe(`${SRC}: the model outputs [5] per example; it must output 10 class scores (one per class of the dataset)`);
  });

  it('refuses a wrong input shape, shared layers and malformed graphs', () => {
    expect(refusal(sequential([{ ...flatten, config: { name: 'f', batch_input_shape: [null, 32, 32, 3] } }, dense('out', 10)]))).toMatchObject({
      field: 'inputShape',
      message: `${SRC}: the model takes input [32, 32, 3]; it must take [28, 28, 1] or [784] (the dataset's images)`,
    });
    const model = buildModel({ ...TUTORIAL_HPARAMS, model: 'mlp', numFcUnits: [8] }, 0);
    const json = topologyOf(model) as { config: { layers: { inbound_nodes: unknown[] }[] } };
    model.dispose();
    const shared = structuredClone(json);
    shared.config.layers[2]!.inbound_nodes.push(shared.config.layers[2]!.inbound_nodes[0]);
    expect(refusal(shared).message).toMatch(/is called more than once \(shared layers are not supported\)/);
    const reordered = structuredClone(json);
    reordered.config.layers.reverse();
    expect(refusal(reordered).message).toMatch(/takes the output of layer ".*", listed after it/);
    expect(refusal({ class_name: 'Sequential', config: { layers: [] } }).message).toMatch(/lists no layers/);
    expect(refusal('not a topology').code).toBe('corrupt_data');
  });
});
