// What the service stores with each queued job, and where a run's trained model is.
import { existsSync } from 'node:fs';
import { type z } from 'zod';
import { type RunDetail } from '../../../shared/contract';
import { type EvaluateRequestSchema } from '../../../shared/schemas';
import { modelPathOf } from '../run/run-record';

/** A train job's payload: empty for a fresh run; for `resumeRun`, the checkpoint to continue from. */
export interface TrainPayload {
  resume?: { epoch: number; checkpointDir: string };
}

export type EvaluateRequestParsed = z.infer<typeof EvaluateRequestSchema>;

/** An evaluate job's payload: the validated request. */
export interface EvaluatePayload {
  request: EvaluateRequestParsed;
}

/** The run's model.json when the run has one on disk (the artifact row alone is not enough: files can be removed by hand). */
export function modelPathOfRun(run: Pick<RunDetail, 'artifacts'>): string | null {
  const p = modelPathOf(run);
  return p !== null && existsSync(p) ? p : null;
}
