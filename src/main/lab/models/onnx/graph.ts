// Collects ONNX nodes and weight initializers for one graph and encodes the finished model with the onnx-proto messages.
import { createRequire } from 'node:module';
import type { onnx as OnnxNs } from 'onnx-proto';

// onnx-proto is CommonJS whose exports cjs-module-lexer cannot see (`module.exports = $root`), so it is required, not imported.
const { onnx } = createRequire(import.meta.url)('onnx-proto') as { onnx: typeof OnnxNs };

/** Opset 13: Softmax over one axis (not the old flatten-to-2D semantics), Clip with tensor bounds. */
export const ONNX_OPSET = 13;
/** IR version 7 is the one that introduced opset 13. */
export const ONNX_IR_VERSION = 7;

/** Attribute values by name: an integer, or a list of integers. */
export type OnnxAttrs = Record<string, number | number[]>;

/** One dimension of a graph input or output: a size, or a symbolic name such as 'N'. */
export type OnnxDim = number | string;

export interface ModelInfo {
  producerName: string;
  producerVersion: string;
  docString: string;
  metadata: Record<string, string>;
}

function attribute(name: string, value: number | number[]): OnnxNs.IAttributeProto {
  if (Array.isArray(value)) return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: value };
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
}

function valueInfo(name: string, dims: OnnxDim[]): OnnxNs.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** Float32 values as little-endian bytes, the byte order ONNX raw_data requires whatever the host's is. */
function littleEndian(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return bytes;
}

/** A graph under construction. Names are made unique here so two layers can never collide. */
export class OnnxGraph {
  private readonly nodes: OnnxNs.INodeProto[] = [];
  private readonly initializers: OnnxNs.ITensorProto[] = [];
  private readonly used = new Set<string>();

  /** A name not used yet in this graph, derived from `base`. */
  fresh(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_./:-]/g, '_') || 'value';
    let name = clean;
    for (let i = 1; this.used.has(name); i++) name = `${clean}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Reserves a fixed name (graph input or output) so generated names avoid it. */
  reserve(name: string): string {
    if (this.used.has(name)) throw new Error(`ONNX name ${name} is already taken`);
    this.used.add(name);
    return name;
  }

  /** A float32 constant of the given shape; returns its name. */
  addInitializer(base: string, dims: number[], values: Float32Array): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== values.length) throw new Error(`initializer ${base}: shape [${dims.join(', ')}] needs ${size} values, got ${values.length}`);
    const name = this.fresh(base);
    this.initializers.push({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: littleEndian(values) });
    return name;
  }

  /** Appends a node; returns the name of its (single) output, `output` when given. */
  addNode(opType: string, inputs: string[], base: string, attrs: OnnxAttrs = {}, output?: string): string {
    const out = output ?? this.fresh(`${base}/${opType}`);
    this.nodes.push({
      opType,
      domain: '',
      name: this.fresh(`${base}/${opType}_node`),
      input: inputs,
      output: [out],
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return out;
  }

  /** Serialises the graph with one float input and one float output. */
  encode(graphName: string, input: { name: string; dims: OnnxDim[] }, output: { name: string; dims: OnnxDim[] }, info: ModelInfo): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: ONNX_IR_VERSION,
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      producerName: info.producerName,
      producerVersion: info.producerVersion,
      docString: info.docString,
      metadataProps: Object.entries(info.metadata).map(([key, value]) => ({ key, value })),
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: [valueInfo(input.name, input.dims)],
        output: [valueInfo(output.name, output.dims)],
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
