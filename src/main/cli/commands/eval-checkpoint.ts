// `rlab eval <id> --checkpoint`: the run's own attack suite on its last finished epoch's checkpoint, for a run that
// has no model (cancelled, interrupted or failed after an epoch). The run's status stays as it is.
import { EvaluateCheckpointRequestSchema } from '../../../shared/schemas';
import { checkpointMarker } from '../../../shared/model-evaluations';
import { type Command, EXIT_FAILED, EXIT_OK, printJson, withLab } from '../command';
import { type CliContext, signalExitCode } from '../context';
import { followEvaluationJob } from '../eval-job';
import { accuracyTable } from '../evaluations-table';
import { EVAL_FIELD_FLAGS } from '../field-flags';
import { checkWithFlags } from '../flag-errors';

type Run = Command['run'];

export async function evalCheckpoint(runId: string, json: boolean, ctx: CliContext): ReturnType<Run> {
  const request = checkWithFlags(EvaluateCheckpointRequestSchema, { runId }, EVAL_FIELD_FLAGS);
  let epoch: number | null = null;
  const { added, errors, outcome, interrupted } = await withLab(ctx, (lab) =>
    followEvaluationJob(lab, ctx, {
      runId,
      label: `checkpoint ${runId}`,
      json,
      planned: null,
      queue: async (l) => {
        const queued = await l.evaluateCheckpoint(request);
        epoch = queued.epoch;
        if (!json) ctx.io.err(`evaluating ${runId} at its ${checkpointMarker(queued.epoch)} with its attack suite (job ${queued.jobId}); the run's status stays as it is\n`);
        return queued;
      },
    }),
  );
  const ok = interrupted === null && outcome === 'completed' && added.length > 0;
  if (json) printJson(ctx, { runId, checkpoint: epoch, evaluations: added, ok, errors, ...(interrupted === null ? {} : { cancelled: true }) });
  else {
    if (added.length) ctx.io.out(`${accuracyTable(added)}\n`);
    if (interrupted !== null) ctx.io.err(`${errors[errors.length - 1]}\n`);
    else if (!ok) ctx.io.err(`evaluation of ${runId}'s ${checkpointMarker(epoch)} failed${errors.length ? `: ${errors.join('; ')}` : ` (${added.length} evaluations done)`}\n`);
  }
  if (interrupted !== null) return signalExitCode(interrupted);
  return ok ? EXIT_OK : EXIT_FAILED;
}
