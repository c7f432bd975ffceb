// Run-level methods that need more than the store: cancel, delete, evaluate and resume.
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { type LabParsedRequest as Req, type RunSummary } from '../../../shared/contract';
import { type ResolvedAttack } from '../../../shared/attacks';
import { LabError } from '../../../shared/errors';
import { CHECKPOINT_STATE_FILE, checkpointDir } from '../worker/run-paths';
import { type EvaluatePayload, modelPathOfRun, type TrainPayload } from './payloads';
import { attackSuiteOf, resolveSuiteAttack } from './run-config';
import { testSourceFor } from './eval-test-source';
import { type ServiceContext } from './service';

const RESUMABLE = new Set(['interrupted', 'failed', 'cancelled']);

export function runMethods(ctx: ServiceContext) {
  const { store, bus, runner } = ctx;

  const emitStatus = (s: RunSummary): void =>
    bus.emit('run-status', s.error ? { runId: s.id, experimentId: s.experimentId, status: s.status, error: s.error } : { runId: s.id, experimentId: s.experimentId, status: s.status });

  /** Drops the run's queued jobs (not the one the worker is running). */
  function dropQueuedJobs(runId: string): number {
    const queued = store.listJobs().filter((j) => j.runId === runId && j.status === 'queued');
    for (const j of queued) store.finishJob(j.id);
    return queued.length;
  }

  async function cancelRun({ runId }: Req<'cancelRun'>): Promise<RunSummary> {
    const run = store.getRunSummary(runId);
    if (runner.activeFor(runId)) {
      dropQueuedJobs(runId);
      await runner.cancelActive(runId, ctx.cancelGraceMs);
      return store.getRunSummary(runId);
    }
    if (run.status === 'queued' || run.status === 'interrupted') {
      const s = store.transaction(() => {
        store.deleteJobsForRun(runId);
        return store.setRunStatus(runId, 'cancelled', { error: run.status === 'queued' ? 'cancelled by the user before it started' : 'cancelled by the user after an interruption' });
      });
      emitStatus(s);
      return s;
    }
    if (dropQueuedJobs(runId) > 0) return store.getRunSummary(runId);
    throw new LabError('failed_precondition', `run ${runId} is ${run.status}: there is nothing to cancel`, 'runId');
  }

  async function deleteRun({ runId }: Req<'deleteRun'>): Promise<{ deleted: string[] }> {
    const run = store.getRunSummary(runId);
    const busy = runner.activeFor(runId);
    if (run.status === 'running' || busy) {
      throw new LabError('failed_precondition', `run ${runId} is ${busy?.kind === 'evaluate' ? 'being evaluated' : 'running'} and cannot be deleted; cancel it first`, 'runId');
    }
    const { folder } = store.deleteRun(runId);
    await fs.rm(folder, { recursive: true, force: true });
    return { deleted: [runId] };
  }

  async function evaluate(req: Req<'evaluate'>): Promise<{ jobId: string }> {
    const run = store.getRun(req.runId);
    if (modelPathOfRun(run) === null) {
      throw new LabError('failed_precondition', `run ${req.runId} has no trained model (it is ${run.status}); train it before evaluating`, 'runId');
    }
    if (req.sourceRunId !== undefined && req.sourceRunId !== req.runId) {
      const source = store.getRun(req.sourceRunId);
      if (modelPathOfRun(source) === null) {
        throw new LabError('failed_precondition', `source run ${req.sourceRunId} has no trained model (it is ${source.status}); a transfer attack needs one`, 'sourceRunId');
      }
    }
    // each (attack, ε) is resolved here, once, with the model's pixels and classes; the job runs exactly these
    const suite = attackSuiteOf(req);
    const attacks: ResolvedAttack[] = req.epsilons.map((epsilon, i) => {
      try {
        return resolveSuiteAttack(suite, epsilon, run.config, run.config.seed);
      } catch (err) {
        const e = LabError.wrap(err, 'invalid_argument');
        if (e.field !== 'epsilon') throw e;
        throw new LabError(e.code, e.message.replace(/^epsilon\b/, `epsilons.${i}`), `epsilons.${i}`);
      }
    });
    const test = req.dataset === undefined && req.testSize === undefined ? undefined : await testSourceFor(ctx.cacheDir, run.config, req.dataset, req.testSize);
    const payload: EvaluatePayload = { request: req, attacks, ...(test ? { test } : {}) };
    const job = store.enqueueJob({ kind: 'evaluate', runId: req.runId, payload });
    runner.kick();
    return { jobId: job.id };
  }

  async function resumeRun(runId: string): Promise<RunSummary> {
    const run = store.getRun(runId);
    if (!RESUMABLE.has(run.status)) {
      throw new LabError('failed_precondition', `run ${runId} is ${run.status}; only interrupted, failed or cancelled runs can be resumed`, 'runId');
    }
    const payload: TrainPayload = {};
    if (run.epochsDone > 0) {
      const dir = checkpointDir(store.runFolder(runId), run.epochsDone);
      if (!existsSync(path.join(dir, CHECKPOINT_STATE_FILE))) {
        throw new LabError('failed_precondition', `run ${runId} has no checkpoint for its last finished epoch ${run.epochsDone} (${dir}); it cannot be resumed`, 'runId');
      }
      payload.resume = { epoch: run.epochsDone, checkpointDir: dir };
    }
    const s = store.transaction(() => {
      const queued = store.setRunStatus(runId, 'queued');
      store.enqueueJob({ kind: 'train', runId, payload });
      return queued;
    });
    emitStatus(s);
    bus.emit('log', { level: 'info', runId, message: run.epochsDone > 0 ? `${runId}: queued to resume after epoch ${run.epochsDone}` : `${runId}: queued to train from the start (no epoch had finished)` });
    runner.kick();
    return s;
  }

  return { cancelRun, deleteRun, evaluate, resumeRun };
}
