// The portable record of finished runs (`rlab run --out DIR`): run.json with config, engine, metrics and evaluations, plus model files.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { type RunDetail } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { writeFileAtomic } from '../data/atomic-fs';
import { copyModelFiles } from './model-copy';

export const RUN_RECORD_FILE = 'run.json';
export const RUN_RECORD_FORMAT = 1;

/** What run.json holds; paths inside are relative to the folder run.json is in. */
export interface RunRecordJson {
  format: typeof RUN_RECORD_FORMAT;
  run: Pick<RunDetail, 'id' | 'experimentId' | 'experimentName' | 'name' | 'role' | 'status' | 'createdAt' | 'startedAt' | 'finishedAt' | 'durationMs' | 'epochsDone' | 'epochs' | 'tags' | 'notes' | 'error'>;
  config: RunDetail['config'];
  engine: RunDetail['engine'];
  summary: { cleanAccuracy: number | null; robustAccuracy: number | null; robustLabel: string | null };
  metrics: { epochs: RunDetail['epochMetrics'] };
  evaluations: RunDetail['evaluations'];
  /** model.json and weights, relative; empty when the run has no saved model. */
  modelFiles: string[];
}

/** The model.json of a run, from its artifacts (the newest 'model' entry), or null. */
export function modelPathOf(run: Pick<RunDetail, 'artifacts'>): string | null {
  const models = run.artifacts.filter((a) => a.kind === 'model');
  return models.length ? models[models.length - 1]!.path : null;
}

/** Writes `<outDir>/run.json` and copies the run's model into `<outDir>/model/`; returns every file written. */
export async function writeRunRecord(run: RunDetail, outDir: string): Promise<{ runJson: string; files: string[] }> {
  await fs.mkdir(outDir, { recursive: true });
  const modelJson = modelPathOf(run);
  const modelFiles = modelJson ? await copyModelFiles(modelJson, path.join(outDir, 'model')) : [];
  const record: RunRecordJson = {
    format: RUN_RECORD_FORMAT,
    run: {
      id: run.id,
      experimentId: run.experimentId,
      experimentName: run.experimentName,
      name: run.name,
      role: run.role,
      status: run.status,
      createdAt: run.createdAt,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      durationMs: run.durationMs,
      epochsDone: run.epochsDone,
      epochs: run.epochs,
      tags: run.tags,
      notes: run.notes,
      error: run.error,
    },
    config: run.config,
    engine: run.engine,
    summary: { cleanAccuracy: run.cleanAccuracy, robustAccuracy: run.robustAccuracy, robustLabel: run.robustLabel },
    metrics: { epochs: run.epochMetrics },
    evaluations: run.evaluations,
    modelFiles: modelFiles.map((f) => path.relative(outDir, f).split(path.sep).join('/')),
  };
  const runJson = path.join(outDir, RUN_RECORD_FILE);
  await writeFileAtomic(runJson, `${JSON.stringify(record, null, 2)}\n`);
  return { runJson, files: [runJson, ...modelFiles] };
}

/** Writes each run into `<outDir>/<role>/` (or `<outDir>/<runId>/` when two runs share a role). */
export async function writeExperimentRecord(runs: RunDetail[], outDir: string): Promise<{ dirs: Record<string, string>; files: string[] }> {
  const roles = runs.map((r) => r.role);
  const dirs: Record<string, string> = {};
  const files: string[] = [];
  for (const run of runs) {
    const unique = roles.filter((r) => r === run.role).length === 1;
    const dir = path.join(outDir, unique ? run.role : run.id);
    const written = await writeRunRecord(run, dir);
    dirs[run.id] = dir;
    files.push(...written.files);
  }
  return { dirs, files };
}

/** Reads a run.json back (for `rlab` commands that compare saved records). */
export async function readRunRecord(file: string): Promise<RunRecordJson> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (err) {
    throw new LabError('io_error', `cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`, 'file');
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { format?: unknown }).format !== RUN_RECORD_FORMAT) {
    throw new LabError('corrupt_data', `${file} is not a run record (format ${RUN_RECORD_FORMAT})`, 'file');
  }
  return parsed as RunRecordJson;
}
