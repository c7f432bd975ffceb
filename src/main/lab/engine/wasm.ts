// Loads the tfjs wasm backend under Node from the package's own .wasm files, with the gradient kernels training needs.
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { firstLine } from './probe';
import { wasmConvGradConfigs } from './wasm-conv-grads';
import { wasmMaxPoolGradConfig } from './wasm-pool-grads';

export interface WasmLoad {
  ok: boolean;
  /** Threads the wasm module runs on: tfjs-backend-wasm turns threads off under Node (tfjs issue 3830). */
  threads: number;
  simd: boolean;
  /** Kernels the project registered for wasm (gradients the package lacks, runs slowly, or breaks ties differently). */
  kernels: string[];
  /** One sentence when ok is false. */
  reason?: string;
}

/** Folder holding tfjs-backend-wasm's .wasm binaries, with a trailing separator as setWasmPaths wants. */
export function wasmBinaryDir(): string {
  const pkg = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return path.join(path.dirname(pkg), 'dist') + path.sep;
}

/**
 * Registers (or replaces) the project's wasm kernels: the conv filter gradient the package lacks, and faster
 * conv-input and max-pool gradients (the latter also matching TensorFlow on ties). Safe to call repeatedly,
 * before or after the backend initialises. Returns the kernel names.
 */
export function registerWasmKernels(): string[] {
  const configs = [...wasmConvGradConfigs(), wasmMaxPoolGradConfig];
  for (const config of configs) {
    // Replacing without unregistering first would log tfjs's "already registered" warning.
    if (tf.getKernel(config.kernelName, 'wasm') !== undefined) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  return configs.map((c) => c.kernelName);
}

/** Initialises and selects the wasm backend; never throws, reports why it could not. */
export async function loadWasmBackend(): Promise<WasmLoad> {
  const failed = (reason: string): WasmLoad => ({ ok: false, threads: 0, simd: false, kernels: [], reason });
  const wasm = await import('@tensorflow/tfjs-backend-wasm').catch((err: unknown) => firstLine(err));
  if (typeof wasm === 'string') return failed(`@tensorflow/tfjs-backend-wasm did not load: ${wasm}`);
  try {
    wasm.setWasmPaths(wasmBinaryDir());
  } catch (err) {
    return failed(`the wasm binaries could not be located: ${firstLine(err)}`);
  }
  const kernels = registerWasmKernels();
  try {
    if (!(await tf.setBackend('wasm'))) return failed('the wasm backend failed to initialise');
  } catch (err) {
    return failed(`the wasm backend failed to initialise: ${firstLine(err)}`);
  }
  return { ok: true, threads: wasm.getThreadsCount(), simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')), kernels };
}
