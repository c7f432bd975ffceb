// MaxPoolGrad for the wasm backend, routing each window's gradient to its first maximum in row-major order as
// TensorFlow and tfjs' cpu kernels do. The package's own kernel picks another position among equal values
// (all-zero windows after a ReLU, the black background of MNIST), so input gradients and adversarial examples
// differed from native TensorFlow; it is also about 2.5× slower on the tutorial CNN's first pooling layer.
import * as tf from '@tensorflow/tfjs';
import { type BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type KernelArgs = Parameters<tf.KernelFunc>[0];

function maxPoolGrad({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const wasm = backend as BackendWasm;
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const a = attrs as unknown as tf.MaxPoolGradAttrs;
  if (dy.dtype !== 'float32' || input.dtype !== 'float32') throw new Error(`MaxPoolGrad on wasm supports float32 only (got ${input.dtype})`);
  const p = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth } = p;
  const dx = wasm.makeOutput([...input.shape], 'float32');
  // Views after the allocation: a malloc may grow (and so detach) the heap.
  const xs = wasm.typedArrayFromHeap(input) as Float32Array;
  const dys = wasm.typedArrayFromHeap(dy) as Float32Array;
  const dxs = wasm.typedArrayFromHeap(dx) as Float32Array;
  dxs.fill(0);
  const best = new Float32Array(channels);
  const where = new Int32Array(channels);
  let out = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - p.padInfo.top;
      const hFrom = Math.max(h0, 0);
      const hTo = Math.min(h0 + p.effectiveFilterHeight, inHeight);
      for (let ow = 0; ow < outWidth; ow++, out += channels) {
        const w0 = ow * strideWidth - p.padInfo.left;
        const wFrom = Math.max(w0, 0);
        const wTo = Math.min(w0 + p.effectiveFilterWidth, inWidth);
        where.fill(-1);
        for (let ih = hFrom; ih < hTo; ih++) {
          for (let iw = wFrom; iw < wTo; iw++) {
            const base = ((b * inHeight + ih) * inWidth + iw) * channels;
            for (let c = 0; c < channels; c++) {
              const v = xs[base + c]!;
              // Strictly greater: the first maximum keeps the gradient, as in TensorFlow.
              if (where[c]! < 0 || v > best[c]!) {
                best[c] = v;
                where[c] = base + c;
              }
            }
          }
        }
        for (let c = 0; c < channels; c++) if (where[c]! >= 0) dxs[where[c]!]! += dys[out + c]!;
      }
    }
  }
  return dx;
}

export const wasmMaxPoolGradConfig: tf.KernelConfig = { kernelName: tf.MaxPoolGrad, backendName: 'wasm', kernelFunc: maxPoolGrad };
