// The engine record: real probes (CPU flags, nvidia-smi, setup record), each notUsed/warning branch, and `rlab doctor` text.
import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatDoctor } from '../../../../../src/main/lab/engine/doctor';
import { queryGpus, readCpuFlags, readSetupRecord, type SetupRecord } from '../../../../../src/main/lab/engine/probe';
import { buildEngineRecord, getEngineRecord } from '../../../../../src/main/lab/engine/record';
import { type EngineChoice, initEngine } from '../../../../../src/main/lab/engine/tf';

let choice: EngineChoice;
beforeAll(async () => {
  choice = await initEngine();
});

const savedPath = process.env.PATH;
const tmpDirs: string[] = [];
afterEach(() => {
  process.env.PATH = savedPath;
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Puts an executable `nvidia-smi` shell script first on PATH (or an empty folder alone, when script is null). */
function fakeNvidiaSmi(script: string | null): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlab-nvsmi-'));
  tmpDirs.push(dir);
  if (script !== null) fs.writeFileSync(path.join(dir, 'nvidia-smi'), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  process.env.PATH = script === null ? dir : `${dir}${path.delimiter}${savedPath}`;
}

describe('getEngineRecord', () => {
  it('describes the backend in use with sane versions, threads and CPU facts', async () => {
    const r = await getEngineRecord();
    expect(r.backend).toBe(choice.backend);
    expect(r.backend).toBe(tf.getBackend());
    expect(r.tfjsVersion).toBe(tf.version_core);
    expect(r.tfjsVersion).toMatch(/^\d+\.\d+\.\d+$/);
    if (r.backend === 'tensorflow') expect(r.tfVersion).toMatch(/^2\.\d+\.\d+/);
    else expect(r.tfVersion).toBeNull();
    expect(r.threads).toBeGreaterThanOrEqual(1);
    expect(r.threads).toBeLessThanOrEqual(Math.max(os.availableParallelism(), Number(process.env.TF_NUM_INTRAOP_THREADS ?? 0)));
    expect(r.cpu.cores).toBe(os.availableParallelism());
    expect(r.cpu.model.length).toBeGreaterThan(0);
    const flags = readCpuFlags();
    if (flags !== null) for (const f of r.cpu.features) expect(flags).toContain(f);
    if (process.arch === 'x64' && flags !== null) expect(r.cpu.features).toContain('sse4_2');
    expect(r.notUsed.some((n) => n.option === 'CUDA GPU')).toBe(r.gpus.length === 0 || r.backend !== 'tensorflow' || !readSetupRecord()?.gpu);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('reports libtensorflow from the setup record when setup succeeded', async () => {
    const setup = readSetupRecord();
    const r = await getEngineRecord();
    expect(r.libtensorflowSource).toBe(setup?.ok ? setup.source : null);
  });

  it('is computed once per process', async () => {
    expect(await getEngineRecord()).toBe(await getEngineRecord());
  });
});

describe('queryGpus', () => {
  it('parses name and memory of every GPU nvidia-smi lists', async () => {
    fakeNvidiaSmi(`printf 'NVIDIA H200, 143771\\nNVIDIA A100-SXM4-80GB, 81920\\n'`);
    expect(await queryGpus()).toEqual({ gpus: [{ name: 'NVIDIA H200', memoryMiB: 143771 }, { name: 'NVIDIA A100-SXM4-80GB', memoryMiB: 81920 }] });
  });

  it('says the driver is missing when nvidia-smi is not on PATH', async () => {
    fakeNvidiaSmi(null);
    expect(await queryGpus()).toEqual({ gpus: [], reason: 'no NVIDIA driver (nvidia-smi not found)' });
  });

  it('passes on nvidia-smi failing, and an empty list', async () => {
    fakeNvidiaSmi(`echo 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver' >&2; exit 9`);
    expect((await queryGpus()).reason).toMatch(/^nvidia-smi failed: /);
    fakeNvidiaSmi('exit 0');
    expect(await queryGpus()).toEqual({ gpus: [], reason: 'nvidia-smi lists no GPU' });
  });
});

const NATIVE: EngineChoice = { backend: 'tensorflow', reasons: [], notUsed: [{ option: 'wasm', why: 'native TensorFlow preferred' }], tfVersion: '2.21.0', threads: 8, warnings: [] };
const WASM: EngineChoice = { backend: 'wasm', reasons: [], notUsed: [{ option: 'native TensorFlow', why: 'the native TensorFlow binding did not load: x' }], tfVersion: null, threads: 1, warnings: ['the wasm backend is slow'] };
const H200 = { gpus: [{ name: 'NVIDIA H200', memoryMiB: 143771 }] };
const cpuSetup: SetupRecord = { ok: true, source: 'TensorFlow 2.21.0 Python wheel (tensorflow-cpu)', tfVersion: '2.21.0', gpu: false, cudaDevices: 0, reasons: [] };

describe('buildEngineRecord', () => {
  it('names the missing driver first when there is no GPU', () => {
    const r = buildEngineRecord(NATIVE, { gpus: [], reason: 'no NVIDIA driver (nvidia-smi not found)' }, cpuSetup);
    expect(r.notUsed).toEqual([{ option: 'CUDA GPU', why: 'no NVIDIA driver (nvidia-smi not found)' }, { option: 'wasm', why: 'native TensorFlow preferred' }]);
    expect(r.libtensorflowSource).toBe(cpuSetup.source);
    expect(r.warnings).toEqual([]);
  });

  it('blames the CPU-only TensorFlow build when a GPU is present', () => {
    const r = buildEngineRecord(NATIVE, H200, cpuSetup);
    expect(r.gpus).toEqual(H200.gpus);
    expect(r.notUsed[0]!.option).toBe('CUDA GPU');
    expect(r.notUsed[0]!.why).toContain('CPU-only build of TensorFlow (TensorFlow 2.21.0 Python wheel (tensorflow-cpu))');
    expect(r.notUsed[0]!.why).toContain('npm run setup:engine');
  });

  it('lists no CUDA entry when native TensorFlow was built for CUDA and a GPU is present', () => {
    const r = buildEngineRecord(NATIVE, H200, { ...cpuSetup, gpu: true, cudaDevices: 1, source: 'TensorFlow 2.21.0 Python wheel (tensorflow)' });
    expect(r.notUsed.map((n) => n.option)).toEqual(['wasm']);
    expect(r.warnings).toEqual([]);
  });

  it('does not claim the GPU when the CUDA build created no GPU device, and flags unverified records', () => {
    const noDevice = buildEngineRecord(NATIVE, H200, { ...cpuSetup, gpu: true, cudaDevices: 0 });
    expect(noDevice.notUsed[0]).toEqual({ option: 'CUDA GPU', why: 'TensorFlow was built for CUDA but created no GPU device (CUDA or cuDNN libraries not found), so it computes on the CPU' });
    const unverified = buildEngineRecord(NATIVE, H200, { ...cpuSetup, gpu: true, cudaDevices: null });
    expect(unverified.notUsed.map((n) => n.option)).toEqual(['wasm']);
    expect(unverified.warnings).toEqual(['this setup record does not say whether TensorFlow found the GPU; rerun `npm run setup:engine`']);
  });

  it('says CUDA needs native TensorFlow when running on wasm, and keeps the choice warnings', () => {
    const r = buildEngineRecord(WASM, H200, null);
    expect(r.notUsed[0]).toEqual({ option: 'CUDA GPU', why: 'CUDA needs native TensorFlow, which is not in use (wasm backend)' });
    expect(r.libtensorflowSource).toBeNull();
    expect(r.warnings[0]).toBe('the wasm backend is slow');
    expect(r.warnings[1]).toContain('setup has not run');
  });

  it('warns with the setup failure reason and with a version mismatch', () => {
    const failed = buildEngineRecord(WASM, { gpus: [] }, { ...cpuSetup, ok: false, reason: 'node-pre-gyp build failed: boom' });
    expect(failed.warnings).toContain('the native engine setup failed: node-pre-gyp build failed: boom; rerun `npm run setup:engine`');
    expect(failed.libtensorflowSource).toBeNull();
    const stale = buildEngineRecord(NATIVE, { gpus: [] }, { ...cpuSetup, tfVersion: '2.20.0' });
    expect(stale.warnings).toContain('the setup record says TensorFlow 2.20.0 but 2.21.0 is loaded; rerun `npm run setup:engine`');
  });
});

describe('formatDoctor', () => {
  it('shows backend, devices, every option not used and every warning', () => {
    const text = formatDoctor(buildEngineRecord(WASM, H200, cpuSetup));
    const lines = text.split('\n');
    expect(lines[0]).toBe('Robustness Lab engine');
    expect(text).toMatch(/backend\s+wasm via TensorFlow\.js \d+\.\d+\.\d+/);
    expect(text).toMatch(/libtensorflow\s+TensorFlow 2\.21\.0 Python wheel \(tensorflow-cpu\)/);
    expect(text).toMatch(/GPUs\s+NVIDIA H200, 140\.4 GiB/);
    expect(lines).toContain('  - CUDA GPU: CUDA needs native TensorFlow, which is not in use (wasm backend)');
    expect(lines).toContain('  - native TensorFlow: the native TensorFlow binding did not load: x');
    expect(lines).toContain('  ! the wasm backend is slow');
  });

  it('prints the native TensorFlow version and "none" without GPUs', () => {
    const text = formatDoctor(buildEngineRecord(NATIVE, { gpus: [] }, cpuSetup));
    expect(text).toMatch(/backend\s+native TensorFlow 2\.21\.0 via TensorFlow\.js/);
    expect(text).toMatch(/GPUs\s+none/);
    expect(text).not.toContain('Warnings');
  });
});
