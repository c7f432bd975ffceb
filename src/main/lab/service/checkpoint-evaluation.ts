// `evaluateCheckpoint`: the attack suite of a run that has no model (cancelled, interrupted or failed after a finished
// epoch) on its last finished epoch's checkpoint. The run's status is left as it is; every number is stored with the
// checkpoint's epoch, so it is never taken for the final model's.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type LabParsedRequest as Req, type LabResults } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { CHECKPOINT_STATE_FILE, checkpointDir } from '../worker/run-paths';
import { type EvaluatePayload, modelPathOfRun } from './payloads';
import { type ServiceContext } from './service';

export function checkpointEvaluationMethods(ctx: ServiceContext) {
  const { store, bus, runner } = ctx;

  async function evaluateCheckpoint({ runId }: Req<'evaluateCheckpoint'>): Promise<LabResults['evaluateCheckpoint']> {
    const run = store.getRun(runId);
    if (modelPathOfRun(run) !== null) {
      throw new LabError('failed_precondition', `run ${runId} has a trained model; evaluate it with \`evaluate\` (rlab eval ${runId} --attack …) instead of a checkpoint`, 'runId');
    }
    if (run.status === 'queued' || run.status === 'running') {
      throw new LabError('failed_precondition', `run ${runId} is ${run.status}: its attack suite runs on the trained model when training ends; cancel it first to evaluate its last checkpoint`, 'runId');
    }
    const epoch = run.epochsDone;
    if (epoch < 1) {
      throw new LabError('failed_precondition', `run ${runId} finished no epoch before it was ${run.status}, so it has no checkpoint to evaluate; resume it to train`, 'runId');
    }
    const dir = checkpointDir(store.runFolder(runId), epoch);
    if (!existsSync(path.join(dir, CHECKPOINT_STATE_FILE))) {
      throw new LabError('failed_precondition', `run ${runId} has no checkpoint for its last finished epoch ${epoch} (${dir} is missing or incomplete); it cannot be evaluated`, 'runId');
    }
    // a second click (or tab) must not measure and store the same suite twice
    const pending = store.listJobs().find((j) => j.runId === runId && j.kind === 'evaluate');
    if (pending) throw new LabError('failed_precondition', `run ${runId} has an evaluation ${pending.status} already (job ${pending.id}); wait for it or cancel it first`, 'runId');
    const payload: EvaluatePayload = { checkpoint: { epoch, checkpointDir: dir } };
    const job = store.enqueueJob({ kind: 'evaluate', runId, payload });
    bus.emit('log', { level: 'info', runId, message: `${runId}: queued its attack suite on the epoch ${epoch} checkpoint (the run stays ${run.status})` });
    runner.kick();
    return { jobId: job.id, epoch };
  }

  return { evaluateCheckpoint };
}
