// Experiments: one config that yields one run per role (base, adv) and seed. Created, listed, read and deleted with their runs.
import type { ExperimentDetail, ExperimentSummary, RunConfig, RunSummary } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { runDefence } from '../../../shared/defences';
import type { ExperimentConfig, RunRole } from '../../../shared/schemas';
import { decodeJson, encodeJson, normaliseTags } from './codec';
import { notFound, runFolder, writeTx, type StoreContext } from './context';
import { newExperimentId, newRunId } from './ids';
import { makeRunQueries } from './run-queries';
import type { RunsRepo } from './runs';

export interface NewRunInput {
  role: RunRole;
  name: string;
  config: RunConfig;
  /** Defaults to the experiment's tags. */
  tags?: string[];
  notes?: string;
}

export interface ExperimentsRepo {
  /** Creates the experiment and its runs (status queued) in one transaction. */
  createExperiment(config: ExperimentConfig, runs: readonly NewRunInput[]): { experiment: ExperimentSummary; runs: RunSummary[] };
  /** Newest first. */
  listExperiments(): ExperimentSummary[];
  getExperiment(experimentId: string): ExperimentDetail;
  /** Deletes the experiment and all its runs; refuses while one of them is running. Returns the run folders to remove from disk. */
  deleteExperiment(experimentId: string): { experimentId: string; runIds: string[]; folders: string[] };
}

interface ExperimentRow {
  id: string;
  name: string;
  created_at: string;
  tags: string;
  run_ids: string;
}

const ROLES: readonly RunRole[] = ['base', 'adv'];
const SUMMARY_SQL = `SELECT e.id, e.name, e.created_at, e.tags,
  (SELECT json_group_array(id) FROM (SELECT id FROM runs WHERE experiment_id = e.id ORDER BY rowid)) AS run_ids
  FROM experiments e`;

function toSummary(row: ExperimentRow): ExperimentSummary {
  return { id: row.id, name: row.name, createdAt: row.created_at, tags: decodeJson<string[]>(row.tags), runIds: decodeJson<string[]>(row.run_ids) };
}

function checkRuns(runs: readonly NewRunInput[]): void {
  if (!Array.isArray(runs) || runs.length === 0) throw new LabError('invalid_argument', 'runs must list at least one run to create', 'runs');
  runs.forEach((r, i) => {
    if (!ROLES.includes(r.role)) throw new LabError('invalid_argument', `runs[${i}].role must be base or adv (got ${JSON.stringify(r.role)})`, `runs[${i}].role`);
    if (typeof r.name !== 'string' || r.name.trim() === '') throw new LabError('invalid_argument', `runs[${i}].name must be a non-empty string`, `runs[${i}].name`);
    const epochs = r.config?.hparams?.epochs;
    if (!Number.isSafeInteger(epochs) || epochs < 1) {
      throw new LabError('invalid_argument', `runs[${i}].config.hparams.epochs must be an integer ≥ 1 (got ${String(epochs)})`, `runs[${i}].config.hparams.epochs`);
    }
    const seed = r.config.seed;
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new LabError('invalid_argument', `runs[${i}].config.seed must be an integer ≥ 0 (got ${String(seed)})`, `runs[${i}].config.seed`);
    }
  });
}

export function makeExperimentsRepo(ctx: StoreContext, runsRepo: RunsRepo): ExperimentsRepo {
  const { getRunSummary } = makeRunQueries(ctx);
  const insertExperiment = ctx.db.prepare('INSERT INTO experiments (id, name, created_at, tags, notes, config) VALUES (?, ?, ?, ?, ?, ?)');
  const insertRun = ctx.db.prepare(
    `INSERT INTO runs (id, experiment_id, name, role, config, status, created_at, epochs, tags, notes, seed, defence)
     VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?)`,
  );
  const all = ctx.db.prepare<[], ExperimentRow>(`${SUMMARY_SQL} ORDER BY e.created_at DESC, e.rowid DESC`);
  const one = ctx.db.prepare<[string], ExperimentRow>(`${SUMMARY_SQL} WHERE e.id = ?`);
  const runStates = ctx.db.prepare<[string], { id: string; status: string }>('SELECT id, status FROM runs WHERE experiment_id = ? ORDER BY rowid');
  const configOf = ctx.db.prepare<[string], { config: string }>('SELECT config FROM experiments WHERE id = ?');
  const remove = ctx.db.prepare('DELETE FROM experiments WHERE id = ?');

  const createExperiment = writeTx(ctx, (config: ExperimentConfig, runs: readonly NewRunInput[]) => {
    const name = typeof config?.name === 'string' ? config.name.trim() : '';
    if (name === '') throw new LabError('invalid_argument', 'name must be a non-empty string', 'name');
    const tags = normaliseTags(config.tags ?? []);
    checkRuns(runs);
    const id = newExperimentId();
    const createdAt = ctx.now();
    insertExperiment.run(id, name, createdAt, JSON.stringify(tags), config.notes ?? '', encodeJson(config));
    const runIds = runs.map((r) => {
      const runId = newRunId();
      const runTags = r.tags === undefined ? tags : normaliseTags(r.tags, 'runs.tags');
      insertRun.run(runId, id, r.name.trim(), r.role, encodeJson(r.config), createdAt, r.config.hparams.epochs, JSON.stringify(runTags), r.notes ?? '', r.config.seed, encodeJson(runDefence(r.config)));
      return runId;
    });
    return { experiment: toSummary(one.get(id) as ExperimentRow), runs: runIds.map(getRunSummary) };
  });

  function getSummary(experimentId: string): ExperimentSummary {
    const row = one.get(experimentId);
    if (row === undefined) throw notFound('experiment', experimentId, 'experimentId');
    return toSummary(row);
  }

  const getExperiment = ctx.db.transaction((experimentId: string): ExperimentDetail => {
    const summary = getSummary(experimentId);
    const config = decodeJson<ExperimentConfig>(configOf.get(experimentId)!.config);
    return { ...summary, config, runs: summary.runIds.map((runId) => runsRepo.getRun(runId)) };
  });

  const deleteExperiment = writeTx(ctx, (experimentId: string) => {
    getSummary(experimentId);
    const runs = runStates.all(experimentId);
    const running = runs.filter((r) => r.status === 'running').map((r) => r.id);
    if (running.length > 0) {
      throw new LabError('failed_precondition', `experiment ${experimentId} has a running run (${running.join(', ')}); cancel it and wait until it stops before deleting the experiment`, 'experimentId');
    }
    remove.run(experimentId);
    const runIds = runs.map((r) => r.id);
    return { experimentId, runIds, folders: runIds.map((runId) => runFolder(ctx, runId)) };
  });

  return {
    createExperiment,
    listExperiments: () => all.all().map(toSummary),
    getExperiment: (experimentId) => getExperiment(experimentId),
    deleteExperiment,
  };
}
