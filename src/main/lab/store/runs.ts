// One run's full record and the edits a person makes to it: name, tags, notes, engine record, deletion.
import type { EarlyStop, EngineRecord, RunConfig, RunDetail, RunSummary } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { decodeJson, encodeJson, normaliseTags } from './codec';
import { runFolder, writeTx, type StoreContext } from './context';
import type { ArtifactsRepo } from './artifacts';
import type { AttemptsRepo } from './attempts';
import type { EvaluationsRepo } from './evaluations';
import type { MetricsRepo } from './metrics';
import { makeRunQueries, makeRunStateReader } from './run-queries';

export interface RunEdit {
  runId: string;
  name?: string;
  tags?: string[];
  notes?: string;
}

export interface RunsRepo {
  getRun(runId: string): RunDetail;
  updateRun(edit: RunEdit): RunSummary;
  /** Records what the engine worker ran on (backend, versions, devices, why better options were not used). */
  setRunEngine(runId: string, engine: EngineRecord): RunSummary;
  /** Records what the run's trained model outputs (logits or probabilities), as the engine classified it. */
  setRunOutputKind(runId: string, kind: 'logits' | 'probabilities'): RunSummary;
  /** Records that training stopped before its last epoch (Fast-AT's overfitting guard) and which epoch's weights it kept. */
  setRunEarlyStop(runId: string, stop: EarlyStop): RunSummary;
  /**
   * Deletes a run with its metrics, evaluations, galleries, artifact rows and jobs. Evaluations of other
   * runs that used it as their transfer source keep their results with sourceRunId set to null.
   * Refuses a running run. Returns the run's folder, which the caller removes from disk.
   */
  deleteRun(runId: string): { runId: string; folder: string };
}

export function makeRunsRepo(ctx: StoreContext, deps: { metrics: MetricsRepo; evaluations: EvaluationsRepo; artifacts: ArtifactsRepo; attempts: AttemptsRepo }): RunsRepo {
  const readState = makeRunStateReader(ctx);
  const { getRunSummary } = makeRunQueries(ctx);
  const details = ctx.db.prepare<[string], { config: string; engine: string | null; notes: string }>('SELECT config, engine, notes FROM runs WHERE id = ?');
  const setName = ctx.db.prepare('UPDATE runs SET name = ? WHERE id = ?');
  const setTags = ctx.db.prepare('UPDATE runs SET tags = ? WHERE id = ?');
  const setNotes = ctx.db.prepare('UPDATE runs SET notes = ? WHERE id = ?');
  const setEngine = ctx.db.prepare('UPDATE runs SET engine = ?, backend = ? WHERE id = ?');
  const setOutputKind = ctx.db.prepare('UPDATE runs SET output_kind = ? WHERE id = ?');
  const setEarlyStop = ctx.db.prepare('UPDATE runs SET early_stop = ? WHERE id = ?');
  const remove = ctx.db.prepare('DELETE FROM runs WHERE id = ?');

  // One snapshot, so a run recorded concurrently by another process cannot appear half-updated.
  const getRun = ctx.db.transaction((runId: string): RunDetail => {
    const summary = getRunSummary(runId);
    const row = details.get(runId);
    if (row === undefined) throw new LabError('internal', `run ${runId} vanished while being read`);
    return {
      ...summary,
      config: decodeJson<RunConfig>(row.config),
      engine: row.engine === null ? null : decodeJson<EngineRecord>(row.engine),
      notes: row.notes,
      epochMetrics: deps.metrics.getMetrics(runId, 'epoch').epochs,
      evaluations: deps.evaluations.listEvaluations(runId),
      ensembles: deps.evaluations.runEnsembles(runId),
      artifacts: deps.artifacts.listArtifacts(runId),
      attempts: deps.attempts.listAttempts(runId),
    };
  });

  const updateRun = writeTx(ctx, (edit: RunEdit): RunSummary => {
    readState(edit.runId);
    if (edit.name !== undefined) {
      if (typeof edit.name !== 'string' || edit.name.trim() === '') throw new LabError('invalid_argument', `name must be a non-empty string (got ${JSON.stringify(edit.name)})`, 'name');
      setName.run(edit.name.trim(), edit.runId);
    }
    if (edit.tags !== undefined) setTags.run(JSON.stringify(normaliseTags(edit.tags)), edit.runId);
    if (edit.notes !== undefined) {
      if (typeof edit.notes !== 'string') throw new LabError('invalid_argument', 'notes must be a string', 'notes');
      setNotes.run(edit.notes, edit.runId);
    }
    return getRunSummary(edit.runId);
  });

  const setRunEngine = writeTx(ctx, (runId: string, engine: EngineRecord): RunSummary => {
    if (engine === null || typeof engine !== 'object' || typeof engine.backend !== 'string') {
      throw new LabError('invalid_argument', 'engine must be an engine record with a backend', 'engine');
    }
    readState(runId);
    setEngine.run(encodeJson(engine), engine.backend, runId);
    return getRunSummary(runId);
  });

  const setRunOutputKind = writeTx(ctx, (runId: string, kind: 'logits' | 'probabilities'): RunSummary => {
    if (kind !== 'logits' && kind !== 'probabilities') throw new LabError('invalid_argument', `outputKind must be logits or probabilities (got ${JSON.stringify(kind)})`, 'outputKind');
    readState(runId);
    setOutputKind.run(kind, runId);
    return getRunSummary(runId);
  });

  const setRunEarlyStop = writeTx(ctx, (runId: string, stop: EarlyStop): RunSummary => {
    const ok = Number.isSafeInteger(stop?.afterEpoch) && Number.isSafeInteger(stop?.keptEpoch) && stop.keptEpoch >= 1 && stop.keptEpoch <= stop.afterEpoch && typeof stop.reason === 'string';
    if (!ok) throw new LabError('invalid_argument', `earlyStop must be { afterEpoch, keptEpoch ≤ afterEpoch, reason } (got ${JSON.stringify(stop)})`, 'earlyStop');
    readState(runId);
    setEarlyStop.run(encodeJson({ afterEpoch: stop.afterEpoch, keptEpoch: stop.keptEpoch, reason: stop.reason.slice(0, 2000) }), runId);
    return getRunSummary(runId);
  });

  const deleteRun = writeTx(ctx, (runId: string) => {
    const run = readState(runId);
    if (run.status === 'running') {
      throw new LabError('failed_precondition', `run ${runId} is running; cancel it and wait until it stops before deleting it`, 'runId');
    }
    remove.run(runId);
    return { runId, folder: runFolder(ctx, runId) };
  });

  return { getRun: (runId) => getRun(runId), updateRun, setRunEngine, setRunOutputKind, setRunEarlyStop, deleteRun };
}
