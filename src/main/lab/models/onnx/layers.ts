// Converts each supported Keras layer (Conv2D, MaxPooling2D, Flatten, Dense, Activation, ReLU, Softmax, Dropout) into ONNX nodes.
import type * as tf from '@tensorflow/tfjs';
import { LabError } from '../../../../shared/errors';
import { type ChainStep } from './chain';
import { type OnnxAttrs, type OnnxGraph } from './graph';

/**
 * A tensor in the ONNX graph. `shape` is the Keras shape without the batch axis. Keras tensors are
 * channels-last; 'nchw' marks a rank-4 tensor transposed for ONNX Conv/MaxPool, which only take NCHW.
 */
export interface OnnxValue {
  name: string;
  layout: 'keras' | 'nchw';
  shape: number[];
}

type Config = Record<string, unknown>;
type Converter = (g: OnnxGraph, step: ChainStep, x: OnnxValue) => OnnxValue;

/** Position of each NCHW axis in the NHWC tensor it came from. */
const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];

export const SUPPORTED_LAYERS = ['InputLayer', 'Conv2D', 'MaxPooling2D', 'Flatten', 'Dense', 'Activation', 'ReLU', 'Softmax', 'Dropout'] as const;
const ACTIVATIONS: Record<string, string | null> = { linear: null, relu: 'Relu', softmax: 'Softmax', sigmoid: 'Sigmoid', tanh: 'Tanh' };

function fail(step: ChainStep, why: string): never {
  throw new LabError('unsupported', `layer "${step.layer.name}" (${step.layer.getClassName()}) cannot be exported to ONNX: ${why}`, 'model');
}

function shapeOf(step: ChainStep, t: tf.SymbolicTensor): number[] {
  const dims = t.shape.slice(1);
  if (!dims.every((d): d is number => typeof d === 'number' && d > 0)) fail(step, `its shape [${t.shape.join(', ')}] has unknown dimensions besides the batch`);
  return dims;
}

function pair(step: ChainStep, cfg: Config, key: string): [number, number] {
  const v = cfg[key];
  const a = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(a) || a.length !== 2 || !a.every((n) => Number.isInteger(n) && n > 0)) fail(step, `${key} ${JSON.stringify(v)} is not two positive integers`);
  return [a[0] as number, a[1] as number];
}

function channelsLast(step: ChainStep, cfg: Config): void {
  if (cfg.dataFormat !== undefined && cfg.dataFormat !== 'channelsLast') fail(step, `dataFormat "${String(cfg.dataFormat)}" is not supported (only channelsLast)`);
}

function toNchw(g: OnnxGraph, step: ChainStep, x: OnnxValue): OnnxValue {
  if (x.layout === 'nchw') return x;
  if (x.shape.length !== 3) fail(step, `it needs a [height, width, channels] input, got [${x.shape.join(', ')}]`);
  return { name: g.addNode('Transpose', [x.name], step.layer.name, { perm: NHWC_TO_NCHW }), layout: 'nchw', shape: x.shape };
}

/** Back to Keras' channels-last order, e.g. before Flatten so features come out in Keras' (h, w, c) order. */
export function toKeras(g: OnnxGraph, base: string, x: OnnxValue): OnnxValue {
  if (x.layout === 'keras') return x;
  return { name: g.addNode('Transpose', [x.name], base, { perm: NCHW_TO_NHWC }), layout: 'keras', shape: x.shape };
}

/** A Keras axis (batch = 0, negative from the end) as the ONNX axis in `x`'s layout. */
function onnxAxis(step: ChainStep, x: OnnxValue, axis: number): number {
  const rank = x.shape.length + 1;
  const a = axis < 0 ? rank + axis : axis;
  if (!Number.isInteger(a) || a < 1 || a >= rank) fail(step, `axis ${axis} is not a feature axis of a rank-${rank} tensor`);
  return x.layout === 'nchw' ? NHWC_TO_NCHW.indexOf(a) : a;
}

function activation(g: OnnxGraph, step: ChainStep, x: OnnxValue, name: unknown): OnnxValue {
  const op = typeof name === 'string' ? ACTIVATIONS[name] : undefined;
  if (op === undefined) fail(step, `activation "${String(name)}" is not supported (supported: ${Object.keys(ACTIVATIONS).join(', ')})`);
  if (op === null) return x;
  const attrs: OnnxAttrs = op === 'Softmax' ? { axis: onnxAxis(step, x, -1) } : {};
  return { ...x, name: g.addNode(op, [x.name], step.layer.name, attrs) };
}

/** TensorFlow's padding for one spatial axis: 'same' pads so out = ceil(in / stride), the extra pixel at the end. */
function padding(step: ChainStep, mode: unknown, size: number, kernel: number, stride: number, dilation: number): { pads: [number, number]; out: number } {
  const span = (kernel - 1) * dilation + 1;
  if (mode === 'valid') return { pads: [0, 0], out: Math.floor((size - span) / stride) + 1 };
  if (mode !== 'same') fail(step, `padding "${String(mode)}" is not supported (valid or same)`);
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + span - size, 0);
  return { pads: [Math.floor(total / 2), total - Math.floor(total / 2)], out };
}

/** ONNX pads [top, left, bottom, right]; checks the result against the shape TF.js computed for the layer. */
function spatialPads(step: ChainStep, cfg: Config, x: OnnxValue, kernel: [number, number], strides: [number, number], dilations: [number, number]): number[] {
  const h = padding(step, cfg.padding, x.shape[0]!, kernel[0], strides[0], dilations[0]);
  const w = padding(step, cfg.padding, x.shape[1]!, kernel[1], strides[1], dilations[1]);
  const expected = shapeOf(step, step.output);
  if (h.out !== expected[0] || w.out !== expected[1]) throw new LabError('internal', `ONNX export of layer "${step.layer.name}" computed output ${h.out}x${w.out}, TF.js has ${expected[0]}x${expected[1]}`, 'model');
  return [h.pads[0], w.pads[0], h.pads[1], w.pads[1]];
}

function weights(step: ChainStep, count: number): Float32Array[] {
  const ws = step.layer.getWeights();
  if (ws.length !== count) fail(step, `it has ${ws.length} weight tensors, expected ${count}`);
  return ws.map((w) => {
    if (w.dtype !== 'float32') fail(step, `weight ${w.shape.join('x')} is ${w.dtype}, only float32 is exported`);
    return w.dataSync() as Float32Array;
  });
}

const conv2d: Converter = (g, step, x) => {
  const cfg = step.layer.getConfig() as Config;
  channelsLast(step, cfg);
  const kernel = pair(step, cfg, 'kernelSize');
  const strides = pair(step, cfg, 'strides');
  const dilations = pair(step, cfg, 'dilationRate');
  const filters = cfg.filters as number;
  const useBias = cfg.useBias !== false;
  const [k, b] = weights(step, useBias ? 2 : 1);
  const inChannels = x.shape[2]!;
  // Keras kernels are [kh, kw, in, out]; ONNX wants [out, in, kh, kw].
  const w = new Float32Array(k!.length);
  const [kh, kw] = kernel;
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let c = 0; c < inChannels; c++) for (let f = 0; f < filters; f++) {
    w[((f * inChannels + c) * kh + i) * kw + j] = k![((i * kw + j) * inChannels + c) * filters + f]!;
  }
  const pads = spatialPads(step, cfg, x, kernel, strides, dilations);
  const input = toNchw(g, step, x);
  const inputs = [input.name, g.addInitializer(`${step.layer.name}/kernel`, [filters, inChannels, kh, kw], w)];
  if (useBias) inputs.push(g.addInitializer(`${step.layer.name}/bias`, [filters], b!));
  const y = g.addNode('Conv', inputs, step.layer.name, { kernel_shape: kernel, strides, dilations, pads, group: 1 });
  return activation(g, step, { name: y, layout: 'nchw', shape: shapeOf(step, step.output) }, cfg.activation);
};

const maxPooling2d: Converter = (g, step, x) => {
  const cfg = step.layer.getConfig() as Config;
  channelsLast(step, cfg);
  const kernel = pair(step, cfg, 'poolSize');
  const strides = cfg.strides === null || cfg.strides === undefined ? kernel : pair(step, cfg, 'strides');
  const pads = spatialPads(step, cfg, x, kernel, strides, [1, 1]);
  const input = toNchw(g, step, x);
  const y = g.addNode('MaxPool', [input.name], step.layer.name, { kernel_shape: kernel, strides, pads });
  return { name: y, layout: 'nchw', shape: shapeOf(step, step.output) };
};

const flatten: Converter = (g, step, x) => {
  channelsLast(step, step.layer.getConfig() as Config);
  const keras = toKeras(g, step.layer.name, x);
  return { name: g.addNode('Flatten', [keras.name], step.layer.name, { axis: 1 }), layout: 'keras', shape: shapeOf(step, step.output) };
};

const dense: Converter = (g, step, x) => {
  const cfg = step.layer.getConfig() as Config;
  const units = cfg.units as number;
  const useBias = cfg.useBias !== false;
  const keras = toKeras(g, step.layer.name, x);
  const inUnits = keras.shape[keras.shape.length - 1]!;
  const [k, b] = weights(step, useBias ? 2 : 1);
  // Keras' [in, units] kernel is already the right-hand side of MatMul, which also broadcasts over leading axes as Dense does.
  let y = g.addNode('MatMul', [keras.name, g.addInitializer(`${step.layer.name}/kernel`, [inUnits, units], k!)], step.layer.name);
  if (useBias) y = g.addNode('Add', [y, g.addInitializer(`${step.layer.name}/bias`, [units], b!)], step.layer.name);
  return activation(g, step, { name: y, layout: 'keras', shape: shapeOf(step, step.output) }, cfg.activation);
};

const activationLayer: Converter = (g, step, x) => activation(g, step, x, (step.layer.getConfig() as Config).activation);

const relu: Converter = (g, step, x) => {
  const maxValue = (step.layer.getConfig() as Config).maxValue;
  if (maxValue === null || maxValue === undefined) return { ...x, name: g.addNode('Relu', [x.name], step.layer.name) };
  if (typeof maxValue !== 'number' || !Number.isFinite(maxValue)) fail(step, `maxValue ${String(maxValue)} is not a finite number`);
  const lo = g.addInitializer(`${step.layer.name}/min`, [], new Float32Array([0]));
  const hi = g.addInitializer(`${step.layer.name}/max`, [], new Float32Array([maxValue]));
  return { ...x, name: g.addNode('Clip', [x.name, lo, hi], step.layer.name) };
};

const softmax: Converter = (g, step, x) => {
  const axis = (step.layer.getConfig() as Config).axis;
  const a = Array.isArray(axis) && axis.length === 1 ? (axis[0] as unknown) : (axis ?? -1);
  if (typeof a !== 'number') fail(step, `axis ${JSON.stringify(axis)} is not a single axis`);
  return { ...x, name: g.addNode('Softmax', [x.name], step.layer.name, { axis: onnxAxis(step, x, a) }) };
};

// Dropout only acts while training; at inference it passes its input through unchanged.
const identity: Converter = (_g, _step, x) => x;

const CONVERTERS: Record<string, Converter> = {
  Conv2D: conv2d,
  MaxPooling2D: maxPooling2d,
  Flatten: flatten,
  Dense: dense,
  Activation: activationLayer,
  ReLU: relu,
  Softmax: softmax,
  Dropout: identity,
};

/** Adds the nodes of one layer application; throws LabError('unsupported') for a layer class or option ONNX export lacks. */
export function convertStep(g: OnnxGraph, step: ChainStep, x: OnnxValue): OnnxValue {
  const className = step.layer.getClassName();
  const convert = CONVERTERS[className];
  if (convert === undefined) {
    throw new LabError('unsupported', `layer "${step.layer.name}" (${className}) cannot be exported to ONNX; supported layers: ${SUPPORTED_LAYERS.join(', ')}`, 'model');
  }
  return convert(g, step, x);
}
