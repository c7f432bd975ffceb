// Facts about the machine and the install that the engine record reports: CPU, NVIDIA GPUs, the native setup's record.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

export interface CpuInfo {
  model: string;
  /** Logical CPUs this process may run on. */
  cores: number;
  /** SIMD and related instruction-set extensions present, from /proc/cpuinfo. */
  features: string[];
}

export interface GpuInfo {
  name: string;
  memoryMiB: number;
}

export interface GpuProbe {
  gpus: GpuInfo[];
  /** Why no GPU is listed, when none is. */
  reason?: string;
}

/** What scripts/setup/engine-setup.mjs wrote after building the native binding. */
export interface SetupRecord {
  ok: boolean;
  source: string;
  tfVersion: string | null;
  /** Whether setup chose TensorFlow's CUDA build (an NVIDIA GPU was visible). */
  gpu: boolean;
  /** GPUs TensorFlow created devices for when setup checked it; null in records written before that check. */
  cudaDevices: number | null;
  reasons: string[];
  reason?: string;
  at?: string;
}

// The extensions that decide which TensorFlow/XNNPACK kernels can run, in the order people look for them.
const FEATURES = ['sse4_1', 'sse4_2', 'avx', 'avx2', 'fma', 'f16c', 'avx512f', 'avx512bw', 'avx512vl', 'avx512_vnni', 'avx512_bf16', 'amx_tile', 'asimd', 'sve', 'sve2'];

export function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!.trim();
}

function readCpuinfo(): string | null {
  try {
    return fs.readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return null;
  }
}

/** All flags of the first CPU in /proc/cpuinfo (x86 `flags`, arm `Features`), or null off Linux. */
export function readCpuFlags(): string[] | null {
  const text = readCpuinfo();
  if (text === null) return null;
  const line = text.split('\n').find((l) => /^(flags|Features)\s*:/.test(l));
  return line ? line.split(':')[1]!.trim().split(/\s+/) : [];
}

export function cpuInfo(): CpuInfo {
  const flags = new Set(readCpuFlags() ?? []);
  const modelLine = readCpuinfo()?.split('\n').find((l) => /^model name\s*:/.test(l));
  const model = modelLine ? modelLine.split(':')[1]!.trim() : (os.cpus()[0]?.model.trim() || os.arch());
  return { model, cores: os.availableParallelism(), features: FEATURES.filter((f) => flags.has(f)) };
}

/** Lists NVIDIA GPUs with nvidia-smi; the reason says why the list is empty. */
export function queryGpus(timeoutMs = 10_000): Promise<GpuProbe> {
  return new Promise((resolve) => {
    execFile('nvidia-smi', ['--query-gpu=name,memory.total', '--format=csv,noheader,nounits'], { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return resolve({ gpus: [], reason: 'no NVIDIA driver (nvidia-smi not found)' });
        return resolve({ gpus: [], reason: `nvidia-smi failed: ${firstLine(err.message)}` });
      }
      const gpus = stdout.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
        const cut = l.lastIndexOf(',');
        return { name: l.slice(0, cut).trim(), memoryMiB: Number.parseInt(l.slice(cut + 1), 10) };
      }).filter((g) => g.name !== '' && Number.isFinite(g.memoryMiB));
      resolve(gpus.length > 0 ? { gpus } : { gpus: [], reason: 'nvidia-smi lists no GPU' });
    });
  });
}

/** The setup record next to node_modules/@tensorflow, or null when setup never ran or tfjs-node-gpu is absent. */
export function readSetupRecord(): SetupRecord | null {
  try {
    const pkg = createRequire(import.meta.url).resolve('@tensorflow/tfjs-node-gpu/package.json');
    const file = path.join(path.dirname(pkg), '..', '..', '.rlab-engine-setup.json');
    const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<SetupRecord>;
    return {
      ok: raw.ok === true,
      source: typeof raw.source === 'string' ? raw.source : 'none',
      tfVersion: typeof raw.tfVersion === 'string' ? raw.tfVersion : null,
      gpu: raw.gpu === true,
      cudaDevices: typeof raw.cudaDevices === 'number' ? raw.cudaDevices : null,
      reasons: Array.isArray(raw.reasons) ? raw.reasons.filter((r): r is string => typeof r === 'string') : [],
      ...(typeof raw.reason === 'string' ? { reason: raw.reason } : {}),
      ...(typeof raw.at === 'string' ? { at: raw.at } : {}),
    };
  } catch {
    return null;
  }
}
