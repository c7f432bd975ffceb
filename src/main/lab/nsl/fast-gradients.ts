// Native TensorFlow gradient kernels for ops whose tfjs gradients are slow composites on the tensorflow backend.
// tfjs differentiates Relu as dy · step(x), and tfjs-node builds Step from IsNan, Greater, two Fills and two
// Selects over the whole activation: about a fifth of an adversarial training step for the tutorial CNN.
// TensorFlow's own ReluGrad kernel does the same in one pass. Same values (dy where x > 0, else 0); the result
// is not itself differentiable, so second-order gradients through Relu are not supported afterwards.
import * as tf from '@tensorflow/tfjs';

interface NativeBackend {
  binding: { TF_ATTR_TYPE: number; TF_FLOAT: number };
  executeSingleOutput(name: string, attrs: { name: string; type: number; value: number }[], inputs: tf.Tensor[]): tf.Tensor;
}

function nativeBackend(): NativeBackend | undefined {
  if (tf.getBackend() !== 'tensorflow') return undefined;
  const b = tf.backend() as unknown as Partial<NativeBackend>;
  return typeof b.executeSingleOutput === 'function' && b.binding !== undefined ? (b as NativeBackend) : undefined;
}

/** tfjs-core's own formula, used when the native backend is not active. */
function portableReluGrad(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  return tf.mul(dy, tf.cast(tf.greater(x, 0), dy.dtype));
}

let installed = false;

/**
 * Replaces the Relu gradient by TensorFlow's ReluGrad kernel when the tensorflow backend is active
 * (elsewhere a 3-op formula with the same values). Idempotent; affects every model in the process.
 */
export function installFastGradients(): void {
  if (installed) return;
  installed = true;
  tf.registerGradient({
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const dyT = dy as tf.Tensor;
      const x = saved[0]!;
      return {
        x: () => {
          const native = nativeBackend();
          if (native === undefined || dyT.dtype !== 'float32' || x.dtype !== 'float32') return portableReluGrad(dyT, x);
          return native.executeSingleOutput('ReluGrad', [{ name: 'T', type: native.binding.TF_ATTR_TYPE, value: native.binding.TF_FLOAT }], [dyT, x]);
        },
      };
    },
  });
}
