// Conv2D gradient kernels for the wasm backend: the filter gradient it lacks, and a faster input gradient.
// Both lower the convolution to one matrix product (im2col / col2im in plain loops over the wasm heap,
// the product itself in the backend's XNNPACK BatchMatMul), which is what makes wasm training usable.
import * as tf from '@tensorflow/tfjs';
import { type BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type Info = tf.TensorInfo;
type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Geometry of one NHWC convolution, as computed by tfjs for the forward op. */
interface ConvGeometry {
  batch: number; inH: number; inW: number; inC: number;
  outH: number; outW: number; outC: number;
  kH: number; kW: number; strideH: number; strideW: number; padTop: number; padLeft: number;
}

function geometry(xShape: number[], filterShape: number[], attrs: tf.Conv2DBackpropFilterAttrs | tf.Conv2DBackpropInputAttrs): ConvGeometry {
  const c = tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], filterShape as [number, number, number, number],
    attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  return {
    batch: c.batchSize, inH: c.inHeight, inW: c.inWidth, inC: c.inChannels, outH: c.outHeight, outW: c.outWidth, outC: c.outChannels,
    kH: c.filterHeight, kW: c.filterWidth, strideH: c.strideHeight, strideW: c.strideWidth, padTop: c.padInfo.top, padLeft: c.padInfo.left,
  };
}

function requireFloat(kernel: string, ...infos: Info[]): void {
  for (const t of infos) if (t.dtype !== 'float32') throw new Error(`${kernel} on wasm supports float32 only (got ${t.dtype})`);
}

/** a [rows, inner] · b [inner, cols] on the wasm backend; untransposed operands take XNNPACK's fast path. */
function matMul(backend: BackendWasm, a: Info, b: Info): Info {
  return tf.getKernel(tf.BatchMatMul, 'wasm').kernelFunc({ inputs: { a, b }, backend, attrs: { transposeA: false, transposeB: false } }) as Info;
}

/**
 * dW[kh,kw,c,o] = Σ_{b,oh,ow} x[b, oh·s+kh−pad, ow·s+kw−pad, c] · dy[b,oh,ow,o].
 * im2col writes the patches transposed, [kh·kw·c, b·oh·ow], so the product needs no transpose.
 */
function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): Info {
  const wasm = backend as BackendWasm;
  const { x, dy } = inputs as { x: Info; dy: Info };
  const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (a.dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter on wasm supports only NHWC (channels-last) data');
  requireFloat('Conv2DBackpropFilter', x, dy);
  const g = geometry(x.shape, a.filterShape, a);
  const n = g.batch * g.outH * g.outW;
  const k = g.kH * g.kW * g.inC;
  const cols = wasm.makeOutput([k, n], 'float32');
  // Views are taken after the allocation: a malloc may grow (and so detach) the heap.
  const xs = wasm.typedArrayFromHeap(x) as Float32Array;
  const cs = wasm.typedArrayFromHeap(cols) as Float32Array;
  const { batch, inH, inW, inC, outH, outW, kH, kW, strideH, strideW, padTop, padLeft } = g;
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      for (let c = 0; c < inC; c++) {
        let dst = ((kh * kW + kw) * inC + c) * n;
        for (let b = 0; b < batch; b++) {
          for (let oh = 0; oh < outH; oh++) {
            const ih = oh * strideH + kh - padTop;
            if (ih < 0 || ih >= inH) { cs.fill(0, dst, dst + outW); dst += outW; continue; }
            const row = (b * inH + ih) * inW;
            for (let ow = 0; ow < outW; ow++, dst++) {
              const iw = ow * strideW + kw - padLeft;
              cs[dst] = iw < 0 || iw >= inW ? 0 : xs[(row + iw) * inC + c]!;
            }
          }
        }
      }
    }
  }
  const dW = matMul(wasm, cols, { dataId: dy.dataId, shape: [n, g.outC], dtype: 'float32' });
  wasm.disposeData(cols.dataId);
  return { ...dW, shape: [...a.filterShape] };
}

/**
 * dx = col2im(dy [b·oh·ow, o] · Wᵀ [o, kh·kw·c]): every patch's gradient is added back to the pixels
 * it was read from. Replaces the backend's direct loop, which is about 10× slower on the tutorial CNN.
 */
function conv2DBackpropInput(args: KernelArgs): Info {
  const { inputs, backend, attrs } = args;
  const wasm = backend as BackendWasm;
  const { dy, filter } = inputs as { dy: Info; filter: Info };
  const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  // The backend's own kernel handles channels-first; only the common channels-last case is lowered.
  if (a.dataFormat === 'NCHW' && originalInput) return originalInput(args) as Info;
  requireFloat('Conv2DBackpropInput', dy, filter);
  const g = geometry(a.inputShape, filter.shape, a);
  const n = g.batch * g.outH * g.outW;
  const k = g.kH * g.kW * g.inC;
  const wT = wasm.makeOutput([g.outC, k], 'float32');
  const fs = wasm.typedArrayFromHeap(filter) as Float32Array;
  const ts = wasm.typedArrayFromHeap(wT) as Float32Array;
  for (let r = 0; r < k; r++) for (let o = 0; o < g.outC; o++) ts[o * k + r] = fs[r * g.outC + o]!;
  const patches = matMul(wasm, { dataId: dy.dataId, shape: [n, g.outC], dtype: 'float32' }, wT);
  wasm.disposeData(wT.dataId);
  const dx = wasm.makeOutput([...a.inputShape], 'float32');
  const ps = wasm.typedArrayFromHeap(patches) as Float32Array;
  const xs = wasm.typedArrayFromHeap(dx) as Float32Array;
  xs.fill(0);
  const { batch, inH, inW, inC, outH, outW, kH, kW, strideH, strideW, padTop, padLeft } = g;
  let src = 0;
  for (let b = 0; b < batch; b++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        for (let kh = 0; kh < kH; kh++) {
          const ih = oh * strideH + kh - padTop;
          for (let kw = 0; kw < kW; kw++, src += inC) {
            const iw = ow * strideW + kw - padLeft;
            if (ih < 0 || ih >= inH || iw < 0 || iw >= inW) continue;
            const dst = ((b * inH + ih) * inW + iw) * inC;
            for (let c = 0; c < inC; c++) xs[dst + c]! += ps[src + c]!;
          }
        }
      }
    }
  }
  wasm.disposeData(patches.dataId);
  return dx;
}

let originalInput: tf.KernelFunc | undefined;

/**
 * The two kernel configs, built against the currently registered wasm Conv2DBackpropInput (the package's own,
 * kept for channels-first data). Its setup, which binds the C function, is carried over so it still runs.
 */
export function wasmConvGradConfigs(): tf.KernelConfig[] {
  const original = tf.getKernel(tf.Conv2DBackpropInput, 'wasm');
  if (original !== undefined && original.kernelFunc !== conv2DBackpropInput) originalInput = original.kernelFunc;
  return [
    { kernelName: tf.Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: conv2DBackpropFilter },
    { kernelName: tf.Conv2DBackpropInput, backendName: 'wasm', kernelFunc: conv2DBackpropInput, ...(original?.setupFunc ? { setupFunc: original.setupFunc } : {}) },
  ];
}
