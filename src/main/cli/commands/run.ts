// `rlab run`: trains the base and adversarially regularized models, attacks both, prints the comparison table.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { type RunDetail } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { seedGroups } from '../../../shared/seed-stats';
import { type ExperimentConfig } from '../../../shared/schemas';
import { writeExperimentRecord } from '../../lab/run/run-record';
import { Flags, parseArgs, positionals, UsageError } from '../args';
import { type Command, EXIT_FAILED, EXIT_OK, printJson } from '../command';
import { type ConfigFile, loadConfigFile, pathInFile } from '../config-file';
import { type CliContext, type CliLab } from '../context';
import { flagForField } from '../flag-errors';
import { resultRows, resultTable } from '../results-table';
import { seedResultTable } from '../seed-table';
import { buildRunConfig, FIELD_FLAGS, RUN_FLAGS } from '../run-flags';
import { watchRuns } from '../watch';

/** --out must be a new folder or an empty one; refusing anything else means a typo never overwrites a file. */
export async function checkOutDir(dir: string): Promise<string> {
  const abs = path.resolve(dir);
  let stat;
  try {
    stat = await fs.stat(abs);
  } catch {
    return abs;
  }
  if (!stat.isDirectory()) throw new UsageError(`--out must be a new or empty folder; ${abs} is an existing file`);
  if ((await fs.readdir(abs)).length > 0) throw new UsageError(`--out must be a new or empty folder; ${abs} is not empty`);
  return abs;
}

async function checkBaseModel(file: string, label: string): Promise<void> {
  try {
    if ((await fs.stat(file)).isFile()) return;
  } catch {
    // reported below
  }
  throw new UsageError(`${label} must be an existing TF.js model.json file (got ${file})`);
}

/**
 * Refuses a split larger than the dataset before anything is stored. Only datasets the lab has are checked; the
 * service's own split check still applies when training starts (e.g. to MNIST's official train/test parts).
 */
async function checkDataSize(lab: CliLab, config: ExperimentConfig): Promise<void> {
  const spec = config.data.dataset;
  const id = spec.kind === 'imported' ? spec.id : spec.kind;
  const all = await lab.listDatasets({});
  const info = all.find((d) => d.id === id);
  if (!info) {
    const known = all.map((d) => (d.kind === 'imported' ? `imported:${d.id}` : d.id)).join(', ');
    throw new UsageError(`--dataset must be one of ${known} (got "${spec.kind === 'imported' ? `imported:${id}` : id}")`);
  }
  if (!info.available || info.count === 0) return;
  const { trainSize, testSize } = config.data;
  if (trainSize + testSize > info.count) {
    throw new UsageError(`--train-size must be ≤ ${info.count - testSize}: ${info.name} has ${info.count} images and --test-size takes ${testSize} (got ${trainSize})`);
  }
}

/**
 * With --config, a service refusal of a field no flag set is about the file: it names the file and the field's path
 * in it (`exp.json: config.data.dataset …`) instead of a flag the user never gave.
 */
function inConfigTerms(err: unknown, from: ConfigFile, flags: Flags): unknown {
  if (!(err instanceof LabError) || err.code !== 'invalid_argument' || !err.field?.startsWith('config.')) return err;
  const flag = flagForField(err.field, FIELD_FLAGS);
  if (flag !== undefined && flags.has(flag.replace(/^--/, ''))) return err;
  const field = err.field.slice('config.'.length);
  const message = err.message.startsWith(`${err.field} `) ? `${pathInFile(from.at, field)} ${err.message.slice(err.field.length + 1)}` : err.message;
  return new UsageError(`--config ${from.file}: ${message}`);
}

async function run(argv: readonly string[], ctx: CliContext): Promise<number> {
  const parsed = parseArgs(argv, RUN_FLAGS, 'run');
  positionals(parsed, [], 'run');
  const flags = new Flags(parsed);
  const configFile = flags.has('config') ? await loadConfigFile(flags.string('config')!) : undefined;
  const config = buildRunConfig(flags, configFile?.config);
  const json = flags.bool('json');
  const outFlag = flags.string('out');
  const outDir = outFlag === undefined ? undefined : await checkOutDir(outFlag);
  if (config.baseModelPath !== undefined) {
    const fromFile = configFile !== undefined && !flags.has('base-model');
    await checkBaseModel(config.baseModelPath, fromFile ? `--config ${configFile.file}: ${pathInFile(configFile.at, 'baseModelPath')}` : '--base-model');
  }

  const lab = await ctx.openLab();
  try {
    // with --config the service's own check answers, in the file's terms (inConfigTerms)
    if (configFile === undefined) await checkDataSize(lab, config);
  } catch (err) {
    await lab.close();
    throw err;
  }
  const watch = watchRuns(lab, ctx.io);
  let runIds: string[] = [];
  let cancelling = false;
  const offInterrupt = ctx.onInterrupt(() => {
    if (cancelling) return;
    cancelling = true;
    ctx.io.err('\ncancelling (Ctrl-C again is ignored while the runs stop)...\n');
    for (const runId of runIds) void lab.cancelRun({ runId }).catch(() => undefined);
  });
  try {
    const created = await lab.createExperiment({ config }).catch((err: unknown) => {
      throw configFile === undefined ? err : inConfigTerms(err, configFile, flags);
    });
    runIds = created.runs.map((r) => r.id);
    // Ctrl-C during creation found no runs to cancel; cancel them now that they exist.
    if (cancelling) for (const runId of runIds) void lab.cancelRun({ runId }).catch(() => undefined);
    if (!json) ctx.io.err(`experiment ${created.experiment.id} "${created.experiment.name}": ${created.runs.map((r) => `${r.role}${config.seeds.length > 1 ? ` seed ${r.seed}` : ''} ${r.id}`).join(', ')}\n`);
    const details: RunDetail[] = await watch.follow(created.runs);
    const rows = resultRows(details);
    const seedGroupsOf = config.seeds.length > 1 ? seedGroups(details) : null;
    let written: string[] = [];
    const finished = details.filter((d) => d.status === 'completed');
    if (outDir !== undefined && finished.length > 0) written = (await writeExperimentRecord(finished, outDir)).files;
    const ok = details.length === created.runs.length && details.every((d) => d.status === 'completed');
    if (json) {
      printJson(ctx, { experiment: created.experiment, results: rows, ...(seedGroupsOf ? { seedGroups: seedGroupsOf } : {}), runs: details, out: outDir ?? null, files: written });
    } else {
      ctx.io.out(`${seedGroupsOf ? seedResultTable(seedGroupsOf) : resultTable(rows)}\n`);
      if (outDir !== undefined) ctx.io.out(`wrote ${written.length} files to ${outDir}\n`);
    }
    return ok ? EXIT_OK : EXIT_FAILED;
  } catch (err) {
    // A failure after runs were created must not leave them running with nobody watching.
    if (runIds.length > 0 && !(err instanceof LabError && err.code === 'invalid_argument')) {
      for (const runId of runIds) await lab.cancelRun({ runId }).catch(() => undefined);
    }
    throw err;
  } finally {
    offInterrupt();
    watch.stop();
    await lab.close();
  }
}

export const runCommand: Command = {
  name: 'run',
  summary: 'train base + adversarially regularized models, then attack both',
  usage: 'rlab run [--preset mnist-tutorial|quick] [flags]',
  flags: RUN_FLAGS,
  run,
};
