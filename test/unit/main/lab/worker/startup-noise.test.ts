// TensorFlow's start-up lines are dropped from a worker's output unless verbose; every other line passes unchanged.
import { describe, expect, it } from 'vitest';
import { isStartupNoise, startupNoiseFilter, verboseFromEnv, withVerboseLogLevel } from '../../../../../src/main/lab/worker/startup-noise';

// as printed by this project's native engine (libtensorflow 2.21, TF_CPP_MIN_LOG_LEVEL=0) and by TF's CUDA build
const STARTUP = [
  'WARNING: All log messages before absl::InitializeLog() is called are written to STDERR',
  'I0000 00:00:1796175631.269444   27269 cpu_feature_guard.cc:227] This TensorFlow binary is optimized to use available CPU instructions in performance-critical operations.',
  'To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow with the appropriate compiler flags.',
  'I0000 00:00:1796175631.301234   27269 port.cc:153] oneDNN custom operations are on. You may see slightly different numerical results due to floating-point round-off errors from different computation orders. To turn them off, set the environment variable `TF_ENABLE_ONEDNN_OPTS=0`.',
  '2024-05-01 12:00:00.123456: I tensorflow/core/util/port.cc:113] oneDNN custom operations are on. You may see slightly different numerical results due to floating-point round-off errors from different computation orders. To turn them off, set the environment variable `TF_ENABLE_ONEDNN_OPTS=0`.',
  'E0000 00:00:1796175631.400000   27269 cuda_dnn.cc:8579] Unable to register cuDNN factory: Attempting to register factory for plugin cuDNN when one has already been registered',
  'E0000 00:00:1796175631.400001   27269 cuda_blas.cc:1407] Unable to register cuBLAS factory: Attempting to register factory for plugin cuBLAS when one has already been registered',
  'W0000 00:00:1796175631.400002   27269 computation_placer.cc:177] computation placer already registered. Please check linkage and avoid linking the same target more than once.',
  '2024-05-01 12:00:00.123456: W tensorflow/compiler/tf2tensorrt/utils/py_utils.cc:38] TF-TRT Warning: Could not find TensorRT',
  'I0000 00:00:1796175631.500000   27269 gpu_device.cc:2020] Created device /job:localhost/replica:0/task:0/device:GPU:0 with 139000 MB memory:  -> device: 0, name: NVIDIA H200, pci bus id: 0000:00:05.0, compute capability: 9.0',
  'I0000 00:00:1796175631.600000   27269 mlir_graph_optimization_pass.cc:401] MLIR V1 optimization pass is not enabled',
];

const KEPT = [
  'E0000 00:00:1796175632.000001   27269 bfc_allocator.cc:485] Allocator (GPU_0_bfc) ran out of memory trying to allocate 2.00GiB',
  'W0000 00:00:1796175632.000002   27269 op_kernel.cc:1828] OP_REQUIRES failed at conv_ops.cc:1068 : INVALID_ARGUMENT: input depth must be evenly divisible by filter depth',
  'Error: This TensorFlow binary is optimized, said nobody',
  'oneDNN custom operations are on', // the words without TF's prefix and the rest of its sentence
  '    at trainStep (src/main/lab/nsl/adv-reg.ts:120:11)',
  '',
];

describe('isStartupNoise', () => {
  it.each(STARTUP)('drops %s', (line) => {
    expect(isStartupNoise(line)).toBe(true);
    expect(isStartupNoise(`${line}\r`)).toBe(true);
  });
  it.each(KEPT)('keeps %j', (line) => {
    expect(isStartupNoise(line)).toBe(false);
  });
});

function collect(): { write(t: string): boolean; text: () => string } {
  let text = '';
  return { write: (t: string) => ((text += t), true), text: () => text };
}

describe('startupNoiseFilter', () => {
  it('passes every other line in order, joining lines split across chunks and UTF-8 characters split across bytes', () => {
    const out = collect();
    const f = startupNoiseFilter(out, false);
    const all = [STARTUP[0], KEPT[0], STARTUP[1], STARTUP[2], 'loss at ε=0.3 is 0.25', KEPT[1]].join('\n') + '\nlast words';
    const bytes = Buffer.from(all);
    // one byte at a time: the worst a pipe can do
    for (let i = 0; i < bytes.length; i++) f.write(bytes.subarray(i, i + 1));
    expect(out.text()).toBe(`${KEPT[0]}\nloss at ε=0.3 is 0.25\n${KEPT[1]}\n`);
    f.end();
    expect(out.text()).toBe(`${KEPT[0]}\nloss at ε=0.3 is 0.25\n${KEPT[1]}\nlast words`);
  });

  it('keeps everything when verbose', () => {
    const out = collect();
    const f = startupNoiseFilter(out, true);
    f.write(`${STARTUP.join('\n')}\n${STARTUP[0]}`);
    f.end();
    expect(out.text()).toBe(`${STARTUP.join('\n')}\n${STARTUP[0]}`);
  });

  it("when verbose, lowers TF's log level to show its info lines, unless the user set one", () => {
    expect(withVerboseLogLevel({ RLAB_VERBOSE: '1', A: 'b' })).toEqual({ RLAB_VERBOSE: '1', A: 'b', TF_CPP_MIN_LOG_LEVEL: '0' });
    expect(withVerboseLogLevel({ RLAB_VERBOSE: '1', TF_CPP_MIN_LOG_LEVEL: '2' })).toEqual({ RLAB_VERBOSE: '1', TF_CPP_MIN_LOG_LEVEL: '2' });
    expect(withVerboseLogLevel({ A: 'b' })).toEqual({ A: 'b' });
  });

  it('is verbose only for RLAB_VERBOSE=1', () => {
    expect(verboseFromEnv({ RLAB_VERBOSE: '1' })).toBe(true);
    expect(verboseFromEnv({ RLAB_VERBOSE: '0' })).toBe(false);
    expect(verboseFromEnv({})).toBe(false);
  });
});
