// How many engine workers a host runs at once by default, and what each one's environment pins: one per GPU (each
// sees only its own, CUDA_VISIBLE_DEVICES), else a share of the CPU cores and of the memory per worker.
import os from 'node:os';
import { readSetupRecord } from '../engine/probe';

export interface MachineFacts {
  cores: number;
  /** Memory free for new processes. */
  freeMemoryBytes: number;
  /** CUDA devices TensorFlow saw when setup checked (0 on a CPU machine). */
  gpus: number;
}

/** What one engine worker takes while training the tutorial-sized CNN with its attacks (peak RSS, with headroom). */
export const WORKER_MEMORY_BYTES = 1.5 * 1024 ** 3;
/** Cores one CPU worker should have to itself: TensorFlow's kernels use several threads per op. */
export const CORES_PER_CPU_WORKER = 4;

export function machineFacts(): MachineFacts {
  return { cores: os.availableParallelism(), freeMemoryBytes: os.freemem(), gpus: Math.max(0, readSetupRecord()?.cudaDevices ?? 0) };
}

/** One per GPU; on CPUs one per CORES_PER_CPU_WORKER cores as memory allows; at least one. */
export function defaultWorkerCount(m: MachineFacts): number {
  if (m.gpus > 0) return m.gpus;
  const byCores = Math.floor(m.cores / CORES_PER_CPU_WORKER);
  const byMemory = Math.floor(m.freeMemoryBytes / WORKER_MEMORY_BYTES);
  return Math.max(1, Math.min(byCores, byMemory));
}

/**
 * Environment of the worker in `slot` of `slots`: its GPU, or its share of the cores (TensorFlow reads these at load,
 * so a worker keeps the share it started with). One worker alone gets nothing pinned: TensorFlow's own defaults.
 */
export function slotEnvironment(slot: number, slots: number, m: MachineFacts): Record<string, string> {
  if (m.gpus > 0) return { CUDA_VISIBLE_DEVICES: String(slot % m.gpus) };
  if (slots <= 1) return {};
  const threads = Math.max(1, Math.floor(m.cores / slots));
  return { TF_NUM_INTRAOP_THREADS: String(threads), TF_NUM_INTEROP_THREADS: String(Math.min(2, threads)), OMP_NUM_THREADS: String(threads) };
}
