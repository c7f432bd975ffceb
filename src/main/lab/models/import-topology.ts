// Validates a TF.js layers model's topology as plain data, before TF.js builds anything: only known layer classes,
// bounded units, filters and kernels, shapes inferred layer by layer, and the parameter count computed from the config.
// Building a layer allocates its weights, so a 1 KB model.json naming one 200,000-unit Dense layer must stop here.
import { LabError } from '../../../shared/errors';

/** Bounds on what an imported image classifier may contain; an MNIST-sized model is far inside all of them. */
export const TOPOLOGY_LIMITS = Object.freeze({
  layers: 128,
  /** Units of one Dense layer (the same bound the lab's own builders have). */
  units: 8192,
  /** Filters of one Conv2D layer. */
  filters: 1024,
  /** Side of a conv kernel or pooling window. */
  kernel: 11,
  /** Weights of the whole model: 20 M float32 = 80 MB. */
  parameters: 20_000_000,
  /** Elements of one activation per example (e.g. 512×512×64). */
  activation: 16_777_216,
});

/** What the validated topology is, as the lab will use it. */
export interface TopologySummary {
  /** 'Sequential' or 'Model' (functional). */
  modelClass: 'Sequential' | 'Model';
  layers: number;
  /** Weights the layers need, trainable or not (BatchNormalization's moving statistics included). */
  parameters: number;
  /** Per-example input shape the model declares: the image shape, or the image flattened. */
  inputShape: number[];
  inputKind: 'image' | 'flat';
  /** Class scores per example. */
  outputUnits: number;
}

export interface TopologyExpectation {
  /** The images the lab feeds, [height, width, channels]. */
  inputShape: [number, number, number];
  numClasses: number;
}

const FIELD = 'modelPath';
const ACTIVATIONS = new Set(['linear', 'relu', 'relu6', 'elu', 'selu', 'sigmoid', 'hard_sigmoid', 'hardSigmoid', 'tanh', 'softmax', 'softplus', 'softsign', 'swish', 'mish', 'gelu', 'gelu_new']);
const IDENTITY = new Set(['Dropout', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'Activation', 'ReLU', 'LeakyReLU', 'ELU', 'Softmax', 'ThresholdedReLU']);

type Shape = number[];
type Rec = Record<string, unknown>;
const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A name read from the file, shortened so a message can carry it without carrying the file. */
function label(name: unknown): string {
  const s = typeof name === 'string' ? name : '?';
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}...` : s);
}

function refuse(message: string, code: 'invalid_argument' | 'unsupported' | 'corrupt_data' = 'invalid_argument'): LabError {
  return new LabError(code, message, FIELD);
}

interface LayerSpec {
  name: string;
  className: string;
  config: Rec;
  /** Functional models: the names of the layers whose outputs this one takes. */
  inbound: string[];
}

class Inference {
  parameters = 0;
  constructor(private readonly source: string) {}

  private where(l: LayerSpec): string {
    return `${this.source}: layer ${label(l.name)} (${l.className})`;
  }

  private int(l: LayerSpec, key: string, value: unknown, min: number, max: number): number {
    if (!Number.isSafeInteger(value) || (value as number) < min) throw refuse(`${this.where(l)}: ${key} must be an integer ≥ ${min} (got ${typeof value === 'number' ? value : typeof value})`);
    if ((value as number) > max) throw refuse(`${this.where(l)}: ${key} ${value as number} is above the limit of ${max} for an imported model`);
    return value as number;
  }

  /** A Keras pair setting (kernel_size, strides, pool_size, dilation_rate): one integer or two. */
  private pair(l: LayerSpec, key: string, fallback: [number, number] | null, max: number): [number, number] {
    const v = l.config[key] ?? fallback;
    if (v === null || v === undefined) throw refuse(`${this.where(l)}: ${key} is missing`, 'corrupt_data');
    const arr = Array.isArray(v) ? v : [v, v];
    if (arr.length !== 2) throw refuse(`${this.where(l)}: ${key} must be one integer or two`, 'corrupt_data');
    return [this.int(l, key, arr[0], 1, max), this.int(l, key, arr[1], 1, max)];
  }

  private activation(l: LayerSpec): void {
    const a = l.config.activation;
    if (a === undefined || a === null) return;
    if (typeof a !== 'string' || !ACTIVATIONS.has(a)) throw refuse(`${this.where(l)}: activation ${typeof a === 'string' ? label(a) : 'is not a name'}; allowed: ${[...ACTIVATIONS].join(', ')}`, 'unsupported');
  }

  private channelsLast(l: LayerSpec): void {
    const f = l.config.data_format;
    if (f !== undefined && f !== null && f !== 'channels_last') throw refuse(`${this.where(l)}: only data_format "channels_last" is supported`, 'unsupported');
  }

  private rank(l: LayerSpec, input: Shape, rank: number): void {
    if (input.length !== rank) throw refuse(`${this.where(l)} needs a rank-${rank} input per example, but gets [${input.join(', ')}]`);
  }

  private add(l: LayerSpec, n: number): void {
    this.parameters += n;
    if (this.parameters > TOPOLOGY_LIMITS.parameters) {
      throw refuse(`${this.source}: the model has more than ${TOPOLOGY_LIMITS.parameters} parameters (reached ${this.parameters} at layer ${label(l.name)}); an imported model may have at most ${TOPOLOGY_LIMITS.parameters}`);
    }
  }

  private windowed(l: LayerSpec, input: Shape, kernel: [number, number], strides: [number, number], dilation: [number, number]): Shape {
    const padding = l.config.padding ?? 'valid';
    if (padding !== 'valid' && padding !== 'same') throw refuse(`${this.where(l)}: padding must be "valid" or "same"`, 'unsupported');
    const out = [0, 1].map((i) => {
      const size = input[i]!;
      const span = (kernel[i]! - 1) * dilation[i]! + 1;
      return padding === 'same' ? Math.ceil(size / strides[i]!) : Math.floor((size - span) / strides[i]!) + 1;
    });
    if (out.some((d) => d < 1)) throw refuse(`${this.where(l)}: its ${kernel.join('×')} window does not fit its input [${input.join(', ')}]`);
    return out;
  }

  /** The layer's output shape per example, adding its weights to the count. */
  output(l: LayerSpec, inputs: Shape[]): Shape {
    const c = l.config;
    if (l.className !== 'Add' && l.className !== 'Concatenate' && inputs.length !== 1) throw refuse(`${this.where(l)} takes ${inputs.length} inputs; it needs exactly one`);
    const input = inputs[0]!;
    switch (l.className) {
      case 'Dense': {
        this.activation(l);
        const units = this.int(l, 'units', c.units, 1, TOPOLOGY_LIMITS.units);
        if (input.length < 1) throw refuse(`${this.where(l)} needs an input with at least one axis`);
        this.add(l, input.at(-1)! * units + (c.use_bias === false ? 0 : units));
        return [...input.slice(0, -1), units];
      }
      case 'Conv2D': {
        this.activation(l);
        this.channelsLast(l);
        this.rank(l, input, 3);
        const filters = this.int(l, 'filters', c.filters, 1, TOPOLOGY_LIMITS.filters);
        const kernel = this.pair(l, 'kernel_size', null, TOPOLOGY_LIMITS.kernel);
        const strides = this.pair(l, 'strides', [1, 1], TOPOLOGY_LIMITS.kernel);
        const dilation = this.pair(l, 'dilation_rate', [1, 1], TOPOLOGY_LIMITS.kernel);
        if (c.groups !== undefined && c.groups !== 1) throw refuse(`${this.where(l)}: grouped convolutions are not supported`, 'unsupported');
        this.add(l, kernel[0] * kernel[1] * input[2]! * filters + (c.use_bias === false ? 0 : filters));
        return [...this.windowed(l, input, kernel, strides, dilation), filters];
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        this.channelsLast(l);
        this.rank(l, input, 3);
        const pool = this.pair(l, 'pool_size', [2, 2], TOPOLOGY_LIMITS.kernel);
        const strides = c.strides === null || c.strides === undefined ? pool : this.pair(l, 'strides', pool, TOPOLOGY_LIMITS.kernel);
        return [...this.windowed(l, input, pool, strides, [1, 1]), input[2]!];
      }
      case 'GlobalAveragePooling2D':
      case 'GlobalMaxPooling2D':
        this.channelsLast(l);
        this.rank(l, input, 3);
        return [input[2]!];
      case 'Flatten':
        return [input.reduce((a, b) => a * b, 1)];
      case 'Reshape': {
        const target = c.target_shape;
        if (!Array.isArray(target) || target.length < 1 || target.length > 4) throw refuse(`${this.where(l)}: target_shape must list 1 to 4 sizes`, 'corrupt_data');
        const size = input.reduce((a, b) => a * b, 1);
        const dims = target.map((d) => (d === -1 ? -1 : this.int(l, 'target_shape', d, 1, TOPOLOGY_LIMITS.activation)));
        const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
        const free = dims.filter((d) => d === -1).length;
        if (free > 1 || (free === 0 && known !== size) || (free === 1 && size % known !== 0)) throw refuse(`${this.where(l)}: cannot reshape [${input.join(', ')}] to [${dims.join(', ')}]`);
        return dims.map((d) => (d === -1 ? size / known : d));
      }
      case 'ZeroPadding2D': {
        this.channelsLast(l);
        this.rank(l, input, 3);
        const p = c.padding ?? 1;
        const rows = Array.isArray(p) ? (Array.isArray(p[0]) ? p[0] : [p[0], p[0]]) : [p, p];
        const cols = Array.isArray(p) ? (Array.isArray(p[1]) ? p[1] : [p[1], p[1]]) : [p, p];
        const [t, b, le, r] = [...rows, ...cols].map((v) => this.int(l, 'padding', v, 0, TOPOLOGY_LIMITS.kernel));
        return [input[0]! + t! + b!, input[1]! + le! + r!, input[2]!];
      }
      case 'BatchNormalization': {
        const axis = c.axis ?? -1;
        const ax = Array.isArray(axis) && axis.length === 1 ? axis[0] : axis;
        if (ax !== -1 && ax !== input.length) throw refuse(`${this.where(l)}: only normalization over the last axis is supported`, 'unsupported');
        const ch = input.at(-1)!;
        this.add(l, ch * (2 + (c.center === false ? 0 : 1) + (c.scale === false ? 0 : 1)));
        return input;
      }
      case 'Add': {
        if (inputs.length < 2) throw refuse(`${this.where(l)} needs at least two inputs`);
        if (inputs.some((s) => s.length !== input.length || s.some((d, i) => d !== input[i]))) throw refuse(`${this.where(l)}: its inputs have different shapes`);
        return input;
      }
      case 'Concatenate': {
        if (inputs.length < 2) throw refuse(`${this.where(l)} needs at least two inputs`);
        const axis = c.axis ?? -1;
        if (axis !== -1 && axis !== input.length) throw refuse(`${this.where(l)}: only concatenation along the last axis is supported`, 'unsupported');
        if (inputs.some((s) => s.length !== input.length || s.slice(0, -1).some((d, i) => d !== input[i]))) throw refuse(`${this.where(l)}: its inputs differ in more than the last axis`);
        return [...input.slice(0, -1), inputs.reduce((n, s) => n + s.at(-1)!, 0)];
      }
      default:
        if (IDENTITY.has(l.className)) {
          if (l.className === 'Activation') this.activation(l);
          return input;
        }
        throw refuse(`${this.source}: layer ${label(l.name)} has class ${label(l.className)}, which cannot be imported; allowed: InputLayer, Dense, Conv2D, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D, Flatten, Reshape, ZeroPadding2D, BatchNormalization, Add, Concatenate, ${[...IDENTITY].join(', ')}`, 'unsupported');
    }
  }

  /** The per-example shape an InputLayer (or a Sequential model's first layer) declares. */
  declaredInput(l: LayerSpec): Shape | null {
    const shape = l.config.batch_input_shape ?? l.config.batch_shape;
    if (shape === undefined || shape === null) return null;
    if (!Array.isArray(shape) || shape.length < 2 || shape.length > 4) throw refuse(`${this.where(l)}: its input shape must list a batch size and 1 to 3 sizes`, 'corrupt_data');
    return shape.slice(1).map((d) => this.int(l, 'input shape', d, 1, TOPOLOGY_LIMITS.activation));
  }

  checkActivationSize(l: LayerSpec, shape: Shape): void {
    const n = shape.reduce((a, b) => a * b, 1);
    if (n > TOPOLOGY_LIMITS.activation) throw refuse(`${this.where(l)}: its output [${shape.join(', ')}] has ${n} values per example; at most ${TOPOLOGY_LIMITS.activation}`);
  }
}

function layerSpecs(list: unknown, source: string, functional: boolean): LayerSpec[] {
  if (!Array.isArray(list) || list.length === 0) throw refuse(`${source}: the model topology lists no layers`, 'corrupt_data');
  if (list.length > TOPOLOGY_LIMITS.layers) throw refuse(`${source}: the model has ${list.length} layers; an imported model may have at most ${TOPOLOGY_LIMITS.layers}`);
  const names = new Set<string>();
  return list.map((raw: unknown, i) => {
    if (!isRecord(raw) || typeof raw.class_name !== 'string' || !isRecord(raw.config)) throw refuse(`${source}: layer ${i} has no class_name and config`, 'corrupt_data');
    const name = typeof raw.name === 'string' ? raw.name : typeof raw.config.name === 'string' ? raw.config.name : `#${i}`;
    if (names.has(name)) throw refuse(`${source}: layer name ${label(name)} is used twice`, 'corrupt_data');
    names.add(name);
    const inbound: string[] = [];
    if (functional) {
      const nodes = raw.inbound_nodes;
      if (!Array.isArray(nodes) || nodes.length > 1) throw refuse(`${source}: layer ${label(name)} is ${Array.isArray(nodes) ? 'called more than once (shared layers are not supported)' : 'missing its inbound_nodes'}`, Array.isArray(nodes) ? 'unsupported' : 'corrupt_data');
      const node = nodes[0];
      if (node !== undefined) {
        if (!Array.isArray(node)) throw refuse(`${source}: layer ${label(name)} has malformed inbound_nodes`, 'corrupt_data');
        for (const ref of node) {
          if (!Array.isArray(ref) || typeof ref[0] !== 'string') throw refuse(`${source}: layer ${label(name)} has malformed inbound_nodes`, 'corrupt_data');
          if (ref[1] !== 0 || ref[2] !== 0) throw refuse(`${source}: layer ${label(name)} uses a shared layer's output (not supported)`, 'unsupported');
          inbound.push(ref[0]);
        }
      }
    }
    return { name, className: raw.class_name, config: raw.config, inbound };
  });
}

function singleRef(v: unknown, what: string, source: string): string {
  if (!Array.isArray(v) || v.length !== 1 || !Array.isArray(v[0]) || typeof v[0][0] !== 'string') throw refuse(`${source}: the model must have exactly one ${what}`);
  return v[0][0];
}

function checkEnds(inputShape: Shape, outputShape: Shape, expect: TopologyExpectation, source: string): 'image' | 'flat' {
  const flat = expect.inputShape.reduce((a, b) => a * b, 1);
  const same = (a: Shape, b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);
  const kind = same(inputShape, expect.inputShape) ? 'image' : same(inputShape, [flat]) ? 'flat' : null;
  if (kind === null) throw new LabError('invalid_argument', `${source}: the model takes input [${inputShape.join(', ')}]; it must take [${expect.inputShape.join(', ')}] or [${flat}] (the dataset's images)`, 'inputShape');
  if (outputShape.length !== 1) {
    throw new LabError('invalid_argument', `${source}: the model outputs [${outputShape.join(', ')}] per example (output rank ${outputShape.length + 1}); a classifier outputs one score per class (rank 2)`, 'numClasses');
  }
  if (outputShape[0]! < 2) throw new LabError('invalid_argument', `${source}: the model outputs [${outputShape[0]}] per example; a classifier needs at least 2 output units`, 'numClasses');
  if (outputShape[0] !== expect.numClasses) {
    throw new LabError('invalid_argument', `${source}: the model outputs [${outputShape[0]}] per example; it must output ${expect.numClasses} class scores (one per class of the dataset)`, 'numClasses');
  }
  return kind;
}

/**
 * Checks `modelTopology` (as found in model.json) and infers every layer's shape and weights from its config alone.
 * Throws a LabError naming the layer and the limit for anything the lab will not build; `source` names the file.
 */
export function validateTopology(modelTopology: unknown, expect: TopologyExpectation, source: string): TopologySummary {
  const top = isRecord(modelTopology) && isRecord(modelTopology.model_config) ? modelTopology.model_config : modelTopology;
  if (!isRecord(top) || typeof top.class_name !== 'string') throw refuse(`${source}: modelTopology has no class_name`, 'corrupt_data');
  const cls = top.class_name;
  const inf = new Inference(source);
  if (cls === 'Sequential') {
    const list = Array.isArray(top.config) ? top.config : isRecord(top.config) ? top.config.layers : undefined;
    const layers = layerSpecs(list, source, false);
    const rest = layers[0]!.className === 'InputLayer' ? layers.slice(1) : layers;
    const declared = inf.declaredInput(layers[0]!);
    if (declared === null) throw refuse(`${source}: the first layer declares no input shape (batch_input_shape)`, 'corrupt_data');
    if (rest.length === 0) throw refuse(`${source}: the model has no layers after its input`, 'corrupt_data');
    let shape = declared;
    for (const l of rest) {
      if (l.className === 'InputLayer') throw refuse(`${source}: layer ${label(l.name)} is a second InputLayer`, 'corrupt_data');
      shape = inf.output(l, [shape]);
      inf.checkActivationSize(l, shape);
    }
    const inputKind = checkEnds(declared, shape, expect, source);
    return { modelClass: 'Sequential', layers: rest.length, parameters: inf.parameters, inputShape: declared, inputKind, outputUnits: shape[0]! };
  }
  if (cls !== 'Model' && cls !== 'Functional') throw refuse(`${source}: modelTopology class ${label(cls)} is not a layers model (Sequential or Model)`, 'unsupported');
  if (!isRecord(top.config)) throw refuse(`${source}: modelTopology has no config`, 'corrupt_data');
  const layers = layerSpecs(top.config.layers, source, true);
  const inputName = singleRef(top.config.input_layers, 'input', source);
  const outputName = singleRef(top.config.output_layers, 'output', source);
  const byName = new Map(layers.map((l) => [l.name, l]));
  const shapes = new Map<string, Shape>();
  let declared: Shape | null = null;
  // Keras lists layers in topological order; a reference to a later layer is a malformed (or cyclic) graph.
  for (const l of layers) {
    if (l.className === 'InputLayer') {
      if (l.name !== inputName) throw refuse(`${source}: the model must have exactly one input`);
      declared = inf.declaredInput(l);
      if (declared === null) throw refuse(`${source}: InputLayer ${label(l.name)} declares no input shape`, 'corrupt_data');
      shapes.set(l.name, declared);
      continue;
    }
    if (l.inbound.length === 0) throw refuse(`${source}: layer ${label(l.name)} has no input`, 'corrupt_data');
    const inputs = l.inbound.map((n) => {
      const s = shapes.get(n);
      if (s === undefined) throw refuse(`${source}: layer ${label(l.name)} takes the output of ${byName.has(n) ? `layer ${label(n)}, listed after it` : `an unknown layer ${label(n)}`}`, 'corrupt_data');
      return s;
    });
    const shape = inf.output(l, inputs);
    inf.checkActivationSize(l, shape);
    shapes.set(l.name, shape);
  }
  const out = shapes.get(outputName);
  const outLayer = byName.get(outputName);
  if (declared === null || out === undefined || outLayer === undefined) throw refuse(`${source}: the model's input or output layer is not in its layer list`, 'corrupt_data');
  const inputKind = checkEnds(declared, out, expect, source);
  return { modelClass: 'Model', layers: layers.length - 1, parameters: inf.parameters, inputShape: declared, inputKind, outputUnits: out[0]! };
}
