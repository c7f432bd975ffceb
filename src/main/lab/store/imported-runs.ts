// Runs made by import-model: an experiment with one completed run that was never trained, and its model artifact.
import type { ExperimentSummary, RunConfig, RunSummary } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import type { ExperimentConfig } from '../../../shared/schemas';
import { encodeJson, normaliseTags } from './codec';
import { writeTx, type StoreContext } from './context';
import { newExperimentId, newRunId } from './ids';
import { makeRunQueries } from './run-queries';

export interface NewImportedRun {
  name: string;
  /** The experiment record: the import's data split and seed, one 'base' run, no attacks. */
  experimentConfig: ExperimentConfig;
  config: RunConfig & { imported: NonNullable<RunConfig['imported']> };
  tags: string[];
  /**
   * Puts the model in place once the run's id is known, inside the transaction, and returns the path of its
   * model.json; when it throws nothing is stored.
   */
  placeModel(runId: string): string;
}

export interface ImportedRunsRepo {
  createImportedRun(input: NewImportedRun): { experiment: ExperimentSummary; run: RunSummary };
}

export function makeImportedRunsRepo(ctx: StoreContext): ImportedRunsRepo {
  const { getRunSummary } = makeRunQueries(ctx);
  const insertExperiment = ctx.db.prepare('INSERT INTO experiments (id, name, created_at, tags, notes, config) VALUES (?, ?, ?, ?, ?, ?)');
  // epochs is 1 (the column requires ≥ 1) with none done; `kind` tells front ends there was no training
  const insertRun = ctx.db.prepare(
    `INSERT INTO runs (id, experiment_id, name, role, config, status, created_at, started_at, finished_at, epochs, tags, notes, seed, kind, output_kind)
     VALUES (?, ?, ?, 'base', ?, 'completed', ?, ?, ?, 1, ?, '', ?, 'imported', ?)`,
  );
  const insertArtifact = ctx.db.prepare("INSERT INTO artifacts (run_id, kind, path, created_at) VALUES (?, 'model', ?, ?)");
  const experimentRow = ctx.db.prepare<[string], { id: string; name: string; created_at: string; tags: string }>('SELECT id, name, created_at, tags FROM experiments WHERE id = ?');

  const createImportedRun = writeTx(ctx, (input: NewImportedRun) => {
    const name = input.name.trim();
    if (name === '') throw new LabError('invalid_argument', 'name must be a non-empty string', 'name');
    const tags = normaliseTags(input.tags);
    const experimentId = newExperimentId();
    const runId = newRunId();
    const now = ctx.now();
    insertExperiment.run(experimentId, name, now, JSON.stringify(tags), '', encodeJson(input.experimentConfig));
    insertRun.run(runId, experimentId, name, encodeJson(input.config), now, now, now, JSON.stringify(tags), input.config.seed, input.config.imported.outputKind);
    insertArtifact.run(runId, input.placeModel(runId), now);
    const e = experimentRow.get(experimentId)!;
    return { experiment: { id: e.id, name: e.name, createdAt: e.created_at, tags: JSON.parse(e.tags) as string[], runIds: [runId] }, run: getRunSummary(runId) };
  });

  return { createImportedRun };
}
