// The default number of engine workers and what each one's environment pins, for CPU and GPU machines.
import { describe, expect, it } from 'vitest';
import { defaultWorkerCount, slotEnvironment, WORKER_MEMORY_BYTES } from '../../../../../src/main/lab/sweeps/worker-slots';

const GiB = 1024 ** 3;

describe('engine worker slots', () => {
  it('runs one worker per GPU, else one per 4 cores as memory allows, never none', () => {
    expect(defaultWorkerCount({ cores: 16, freeMemoryBytes: 64 * GiB, gpus: 2 })).toBe(2);
    expect(defaultWorkerCount({ cores: 16, freeMemoryBytes: 64 * GiB, gpus: 0 })).toBe(4);
    expect(defaultWorkerCount({ cores: 16, freeMemoryBytes: 2 * WORKER_MEMORY_BYTES, gpus: 0 })).toBe(2);
    expect(defaultWorkerCount({ cores: 2, freeMemoryBytes: 24 * GiB, gpus: 0 })).toBe(1);
    expect(defaultWorkerCount({ cores: 64, freeMemoryBytes: 0.5 * GiB, gpus: 0 })).toBe(1);
  });

  it('gives each worker its own GPU, or its share of the cores; a lone CPU worker keeps TensorFlow\'s defaults', () => {
    const gpus = { cores: 16, freeMemoryBytes: 64 * GiB, gpus: 2 };
    expect([0, 1, 2].map((s) => slotEnvironment(s, 3, gpus))).toEqual([{ CUDA_VISIBLE_DEVICES: '0' }, { CUDA_VISIBLE_DEVICES: '1' }, { CUDA_VISIBLE_DEVICES: '0' }]);
    const cpu = { cores: 8, freeMemoryBytes: 64 * GiB, gpus: 0 };
    expect(slotEnvironment(0, 1, cpu)).toEqual({});
    expect(slotEnvironment(1, 2, cpu)).toEqual({ TF_NUM_INTRAOP_THREADS: '4', TF_NUM_INTEROP_THREADS: '2', OMP_NUM_THREADS: '4' });
    expect(slotEnvironment(2, 4, { ...cpu, cores: 2 })).toEqual({ TF_NUM_INTRAOP_THREADS: '1', TF_NUM_INTEROP_THREADS: '1', OMP_NUM_THREADS: '1' });
  });
});
