// `rlab run --config FILE`: an experiment config read from JSON and checked by the shared ExperimentConfigSchema.
// The file is a config itself, or any record holding one under "config" (`rlab show <exp_id> --json`, a
// createExperiment request), so showing an experiment and running the output creates the same experiment again.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { type ExperimentConfig, ExperimentConfigSchema } from '../../shared/schemas';
import { describeIssue } from '../../shared/validate';
import { UsageError } from './args';

/** A config is a few KiB; anything far larger is not one (and is not read into memory). */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

export interface ConfigFile {
  /** The file as given, for messages. */
  file: string;
  config: ExperimentConfig;
  /** Where the config sits in the file: '' (the whole file) or 'config' (a record holding it). */
  at: '' | 'config';
}

/** A field path of the config as it reads in the file, e.g. `config.hparams.epochs` in a `rlab show` record. */
export function pathInFile(at: ConfigFile['at'], field: string): string {
  return at === '' ? field : `${at}.${field}`;
}

async function readJson(file: string): Promise<unknown> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch {
    throw new UsageError(`--config must be an existing JSON file (got ${file})`);
  }
  if (!stat.isFile()) throw new UsageError(`--config must be a JSON file; ${file} is not a regular file`);
  if (stat.size > MAX_CONFIG_BYTES) throw new UsageError(`--config ${file} is ${stat.size} bytes; an experiment config is at most ${MAX_CONFIG_BYTES} bytes`);
  const text = await fs.readFile(file, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    // JSON.parse quotes the text it choked on; name only where, never what the file holds
    const at = /position (\d+)/.exec(err instanceof Error ? err.message : '')?.[1];
    throw new UsageError(`--config ${file} is not valid JSON${at === undefined ? '' : ` (at character ${at})`}`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads and validates FILE; every problem names the file and the field's path in it, and the allowed range. */
export async function loadConfigFile(file: string): Promise<ConfigFile> {
  const json = await readJson(file);
  if (!isRecord(json)) throw new UsageError(`--config ${file} must hold a JSON object: an experiment config, or a record with one under "config"`);
  // the config has no field named "config", so a record that holds one is told apart from a config without guessing
  const at = Object.hasOwn(json, 'config') ? 'config' : '';
  const input = at === '' ? json : json.config;
  if (at === 'config' && typeof json.id === 'string' && json.id.startsWith('run_')) {
    const exp = typeof json.experimentId === 'string' ? json.experimentId : '<exp_id>';
    throw new UsageError(`--config ${file} is the record of one run (${json.id}); give its experiment's record instead: rlab show ${exp} --json`);
  }
  if (at === 'config' && Array.isArray(json.runs) && json.runs.some((r) => isRecord(r) && r.kind === 'imported')) {
    throw new UsageError(`--config ${file} is the record of an imported model (rlab import-model): it has no training to repeat`);
  }
  const parsed = ExperimentConfigSchema.safeParse(input);
  if (!parsed.success) {
    const { field, message } = describeIssue(parsed.error.issues[0]!, input);
    const where = message.startsWith(`${field} `) ? pathInFile(at, message) : `${at === '' ? '' : `${at}: `}${message}`;
    throw new UsageError(`--config ${file}: ${where}`);
  }
  const config = parsed.data;
  // a base model named relative to the config file lives beside it, wherever rlab is run from
  if (config.baseModelPath !== undefined && !path.isAbsolute(config.baseModelPath)) config.baseModelPath = path.resolve(path.dirname(path.resolve(file)), config.baseModelPath);
  return { file, config, at };
}
