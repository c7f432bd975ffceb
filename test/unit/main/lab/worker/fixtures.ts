// Tiny run configs and job builders shared by the worker tests: seconds per run on the offline MNIST sample.
import { resolveAttack } from '../../../../../src/shared/attacks';
import { CLEAN_TASK as TASK } from '../../../../../src/main/lab/worker/tasks';
import { type RunConfig } from '../../../../../src/shared/contract';
import { ExperimentConfigSchema, type ExperimentConfigInput } from '../../../../../src/shared/schemas';
import { runConfigFor } from '../../../../../src/main/lab/service/run-config';
import { type EvalTask, type TrainJob, type WorkerToHost } from '../../../../../src/main/lab/worker/protocol';

/** A small CNN on 256 training and 128 test images. */
export function tinyExperiment(overrides: Partial<ExperimentConfigInput> = {}): ExperimentConfigInput {
  return {
    name: 'tiny',
    hparams: { convFilters: [4], numFcUnits: [8], epochs: 2, batchSize: 32 },
    advReg: { multiplier: 0.2, advStepSize: 0.05, advGradNorm: 'infinity', clipValueMin: 0, clipValueMax: 1 },
    data: { trainSize: 256, testSize: 128 },
    seed: 7,
    ...overrides,
  };
}

export function tinyRunConfig(role: 'base' | 'adv', overrides: Partial<ExperimentConfigInput> = {}): RunConfig {
  return runConfigFor(ExperimentConfigSchema.parse(tinyExperiment(overrides)), role);
}

export const CLEAN_TASK: EvalTask = { ...TASK };
export const FGSM_TASK: EvalTask = { attack: resolveAttack({ attack: 'fgsm', norm: 'infinity', epsilon: 0.2 }), sourceRunId: null, sourceModelPath: null, gallery: true, testSize: null };

export function trainJob(runDir: string, cacheDir: string, config: RunConfig, extra: Partial<TrainJob> = {}): TrainJob {
  return { kind: 'train', jobId: 'job_t1', runId: 'run_t1', runDir, cacheDir, config, galleryPeer: null, evaluations: [CLEAN_TASK], ...extra };
}

/** Collects worker messages by type. */
export class Inbox {
  readonly all: WorkerToHost[] = [];
  /** performance.now() when each message was posted. */
  readonly at: number[] = [];
  readonly post = (m: WorkerToHost): void => {
    this.all.push(m);
    this.at.push(performance.now());
  };
  of<T extends WorkerToHost['type']>(type: T): Extract<WorkerToHost, { type: T }>[] {
    return this.all.filter((m): m is Extract<WorkerToHost, { type: T }> => m.type === type);
  }
}
