// What the service stores with each queued job, and where a run's trained model is.
import { existsSync } from 'node:fs';
import { type z } from 'zod';
import { type RunDetail } from '../../../shared/contract';
import { type ResolvedAttack } from '../../../shared/attacks';
import { type EvaluateRequestSchema } from '../../../shared/schemas';
import { type CheckpointRef, type TestSource } from '../worker/protocol';
import { modelPathOf } from '../run/run-record';

/** A train job's payload: empty for a fresh run; for `resumeRun`, the checkpoint to continue from. */
export interface TrainPayload {
  resume?: { epoch: number; checkpointDir: string };
}

export type EvaluateRequestParsed = z.infer<typeof EvaluateRequestSchema>;

/** An evaluate job's payload: the validated request, the attacks the service resolved from it (one per ε) and the test split. */
export interface EvaluatePayload {
  /** Absent for a clean-accuracy-only job (queued when a model is imported). */
  request?: EvaluateRequestParsed;
  /** Measure clean accuracy on the test split first. */
  clean?: boolean;
  /** Absent in jobs queued before attacks were resolved by the service: the job builder resolves the request then. */
  attacks?: ResolvedAttack[];
  /** Another dataset's test split (`dataset`/`testSize` of the request), checked against the model by the service. */
  test?: TestSource;
  /**
   * `evaluateCheckpoint`: evaluate this epoch checkpoint's weights with the run's own attack suite (clean accuracy
   * first, as after training) instead of a saved model; `request` and `attacks` are then absent.
   */
  checkpoint?: CheckpointRef;
}

/** The run's model.json when the run has one on disk (the artifact row alone is not enough: files can be removed by hand). */
export function modelPathOfRun(run: Pick<RunDetail, 'artifacts'>): string | null {
  const p = modelPathOf(run);
  return p !== null && existsSync(p) ? p : null;
}
