// Loads native TensorFlow through @tensorflow/tfjs-node-gpu (built by scripts/setup against libtensorflow 2.21).
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { firstLine, readCpuFlags } from './probe';

export interface NativeLoad {
  ok: boolean;
  /** TF_Version() of the loaded libtensorflow. */
  tfVersion: string | null;
  /** Intra-op threads TensorFlow uses (TF_NUM_INTRAOP_THREADS, else one per schedulable CPU). */
  threads: number;
  /** One sentence when ok is false. */
  reason?: string;
}

interface BindingBackend { binding?: { TF_Version?: string } }

/** Intra-op threads TensorFlow will use, from the environment it reads when the binding loads. */
export function nativeThreads(): number {
  const fromEnv = Number.parseInt(process.env.TF_NUM_INTRAOP_THREADS ?? '', 10);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : os.availableParallelism();
}

/** Loads the binding and selects the 'tensorflow' backend; never throws, reports why it could not. */
export async function loadNativeBackend(): Promise<NativeLoad> {
  const failed = (reason: string): NativeLoad => ({ ok: false, tfVersion: null, threads: 0, reason });
  // The TensorFlow 2.21 wheels are built for AVX: without it libtensorflow aborts the whole process on load,
  // which no try/catch can survive, so this is checked before loading.
  const flags = readCpuFlags();
  if (process.arch === 'x64' && flags !== null && !flags.includes('avx')) return failed('the CPU lacks AVX, which the TensorFlow 2.21 build requires');
  // TensorFlow logs INFO lines (cpu_feature_guard, oneDNN notices) on stderr at load; warnings and errors stay visible.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '1';
  try {
    createRequire(import.meta.url)('@tensorflow/tfjs-node-gpu');
  } catch (err) {
    return failed(`the native TensorFlow binding did not load: ${firstLine(err)}`);
  }
  try {
    if (!(await tf.setBackend('tensorflow'))) return failed('the native TensorFlow backend registered but failed to initialise');
  } catch (err) {
    return failed(`the native TensorFlow backend failed to initialise: ${firstLine(err)}`);
  }
  const tfVersion = (tf.backend() as unknown as BindingBackend).binding?.TF_Version ?? null;
  return { ok: true, tfVersion, threads: nativeThreads() };
}
