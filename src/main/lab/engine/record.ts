// The engine record attached to every run and printed by `rlab doctor`: backend, versions, devices, and what was not used.
import * as tf from '@tensorflow/tfjs';
import { type EngineRecord as ContractEngineRecord } from '../../../shared/contract';
import { cpuInfo, type CpuInfo, type GpuInfo, type GpuProbe, queryGpus, readSetupRecord, type SetupRecord } from './probe';
import { type BackendName, type NotUsed } from './options';
import { type EngineChoice, initEngine } from './tf';

/**
 * The contract's EngineRecord (src/shared/contract.ts documents each field) with platform and node always set.
 * notUsed lists every option not used, best first: the CUDA GPU, then the other backends.
 */
export interface EngineRecord extends ContractEngineRecord {
  backend: BackendName;
  cpu: CpuInfo;
  gpus: GpuInfo[];
  notUsed: NotUsed[];
  /** `${process.platform}-${process.arch}`. */
  platform: string;
  /** Node version. */
  node: string;
}

let cached: Promise<EngineRecord> | undefined;

/** Initialises the engine if needed and describes it (computed once per process: devices do not come and go). */
export function getEngineRecord(): Promise<EngineRecord> {
  cached ??= initEngine().then(async (choice) => buildEngineRecord(choice, await queryGpus(), readSetupRecord()));
  return cached;
}

/** Pure assembly of the record from what was probed; exported so each branch can be checked directly. */
export function buildEngineRecord(choice: EngineChoice, gpuProbe: GpuProbe, setup: SetupRecord | null): EngineRecord {
  const warnings = [...choice.warnings];
  const cuda = cudaNotUsed(choice, gpuProbe, setup);
  if (setup === null) warnings.push('the native engine setup has not run (no setup record): run `npm run setup:engine`');
  else if (!setup.ok) warnings.push(`the native engine setup failed: ${setup.reason ?? setup.reasons.at(-1) ?? 'no reason recorded'}; rerun \`npm run setup:engine\``);
  else if (choice.backend === 'tensorflow') {
    if (setup.tfVersion !== null && choice.tfVersion !== null && setup.tfVersion !== choice.tfVersion) {
      warnings.push(`the setup record says TensorFlow ${setup.tfVersion} but ${choice.tfVersion} is loaded; rerun \`npm run setup:engine\``);
    }
    if (setup.gpu && setup.cudaDevices === null) warnings.push('this setup record does not say whether TensorFlow found the GPU; rerun `npm run setup:engine`');
  }
  return {
    backend: choice.backend,
    tfjsVersion: tf.version_core,
    tfVersion: choice.tfVersion,
    libtensorflowSource: setup?.ok ? setup.source : null,
    threads: choice.threads,
    cpu: cpuInfo(),
    gpus: gpuProbe.gpus,
    notUsed: cuda ? [cuda, ...choice.notUsed] : [...choice.notUsed],
    warnings,
    platform: `${process.platform}-${process.arch}`,
    node: process.versions.node,
  };
}

/** Why TensorFlow is not computing on an NVIDIA GPU, or null when it is. */
function cudaNotUsed(choice: EngineChoice, gpuProbe: GpuProbe, setup: SetupRecord | null): NotUsed | null {
  const option = 'CUDA GPU';
  if (gpuProbe.gpus.length === 0) return { option, why: gpuProbe.reason ?? 'no NVIDIA GPU found' };
  if (choice.backend !== 'tensorflow') return { option, why: `CUDA needs native TensorFlow, which is not in use (${choice.backend} backend)` };
  if (!setup?.gpu) {
    const source = setup?.ok ? ` (${setup.source})` : '';
    return { option, why: `the native binding uses a CPU-only build of TensorFlow${source}; run \`npm run setup:engine\` to rebuild it against the CUDA build` };
  }
  if (setup.cudaDevices === 0) return { option, why: 'TensorFlow was built for CUDA but created no GPU device (CUDA or cuDNN libraries not found), so it computes on the CPU' };
  return null;
}
