// `rlab run`: trains the base model and one model per defence, attacks them all, prints the comparison table.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { type RunDetail } from '../../../shared/contract';
import { ESTIMATE_BASIS_TEXT, estimateTotals, type ExperimentEstimate, formatDuration } from '../../../shared/cost-estimate';
import { DEFENCE_METHODS, defenceLabel, type DefenceMethod, runDefence } from '../../../shared/defences';
import { LabError } from '../../../shared/errors';
import { seedGroups } from '../../../shared/seed-stats';
import { type ExperimentConfigInput } from '../../../shared/schemas';
import { Flags, parseArgs, positionals, UsageError } from '../args';
import { type Command, EXIT_FAILED, EXIT_OK, printJson } from '../command';
import { type ConfigFile, loadConfigFile, pathInFile } from '../config-file';
import { defencesHelp } from '../defence-flags';
import { type CliContext, type CliLab } from '../context';
import { inFlagTerms, runFieldFlags } from '../field-flags';
import { type FieldFlags, flagForField } from '../flag-errors';
import { resultRows, resultTable } from '../results-table';
import { robustnessTable, wantsRobustnessTable } from '../robustness-table';
import { runLabel } from '../run-label';
import { seedResultTable } from '../seed-table';
import { buildRunConfig, RUN_FLAGS } from '../run-flags';
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

/**
 * With --config, a service refusal of a field no flag set is about the file: it names the file and the field's path
 * in it (`exp.json: config.data.dataset …`) instead of a flag the user never gave.
 */
function inConfigTerms(err: unknown, from: ConfigFile, flags: Flags, table: FieldFlags): unknown {
  if (!(err instanceof LabError) || err.code !== 'invalid_argument' || !err.field?.startsWith('config.')) return inFlagTerms(err, table);
  const flag = flagForField(err.field, table);
  if (flag !== undefined && flags.has(flag.replace(/^--/, ''))) return inFlagTerms(err, table);
  const field = err.field.slice('config.'.length);
  const message = err.message.startsWith(`${err.field} `) ? `${pathInFile(from.at, field)} ${err.message.slice(err.field.length + 1)}` : err.message;
  return new UsageError(`--config ${from.file}: ${message}`);
}

/** The methods of the request's defences, in order, so `config.defences.1.beta` is said as that defence's flag. */
function defenceMethods(config: ExperimentConfigInput): DefenceMethod[] {
  return (config.defences ?? []).map((d) => d.method).filter((m): m is DefenceMethod => (DEFENCE_METHODS as readonly string[]).includes(m));
}

/** e.g. "estimate: base about 40 s, pgd-at about 12 min; training about 13 min, attacks at most about 2 min (speed of this lab's finished runs)". */
function estimateText(e: ExperimentEstimate): string {
  const runs = e.runs.map((r) => `${r.label} ${formatDuration(r.trainingSeconds)}`).join(', ');
  return `estimate: ${runs}; ${estimateTotals(e)} (${ESTIMATE_BASIS_TEXT[e.basis]})`;
}

/** One TF.js folder per trained run, named by its defence (the base run: standard), through the lab's export. */
async function exportModels(lab: CliLab, finished: readonly RunDetail[], outDir: string, manySeeds: boolean): Promise<{ folders: string[]; files: string[] }> {
  const folders: string[] = [];
  const files: string[] = [];
  for (const d of finished) {
    const folder = `${defenceLabel(runDefence(d.config))}${manySeeds ? `-seed-${d.config.seed}` : ''}`;
    const written = await lab.exportModel({ runId: d.id, format: 'tfjs', outDir: path.join(outDir, folder) });
    folders.push(folder);
    files.push(...written.files);
  }
  return { folders, files };
}

async function run(argv: readonly string[], ctx: CliContext): Promise<number> {
  const parsed = parseArgs(argv, RUN_FLAGS, 'run');
  positionals(parsed, [], 'run');
  const flags = new Flags(parsed);
  const configFile = flags.has('config') ? await loadConfigFile(flags.string('config')!) : undefined;
  const config = buildRunConfig(flags, configFile?.config);
  const fieldFlags = runFieldFlags(defenceMethods(config));
  const json = flags.bool('json');
  const outFlag = flags.string('out');
  const outDir = outFlag === undefined ? undefined : await checkOutDir(outFlag);

  const lab = await ctx.openLab();
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
    // the service validates the request (the dataset's size and shape, the base model too) before storing anything
    const created = await lab.createExperiment({ config }).catch((err: unknown) => {
      throw configFile === undefined ? inFlagTerms(err, fieldFlags) : inConfigTerms(err, configFile, flags, fieldFlags);
    });
    runIds = created.runs.map((r) => r.id);
    // Ctrl-C during creation found no runs to cancel; cancel them now that they exist.
    if (cancelling) for (const runId of runIds) void lab.cancelRun({ runId }).catch(() => undefined);
    const manySeeds = new Set(created.runs.map((r) => r.seed)).size > 1;
    if (!json) {
      ctx.io.err(`experiment ${created.experiment.id} "${created.experiment.name}": ${created.runs.map((r) => `${runLabel(r)}${manySeeds ? ` seed ${r.seed}` : ''} ${r.id}`).join(', ')}\n`);
      // what it will cost, before the first epoch ends; a host that cannot say leaves it out
      const estimate = await lab.estimateExperiment({ config }).catch(() => null);
      if (estimate) ctx.io.err(`${estimateText(estimate)}\n`);
    }
    const details: RunDetail[] = await watch.follow(created.runs);
    const rows = resultRows(details);
    const seedGroupsOf = manySeeds ? seedGroups(details) : null;
    const finished = details.filter((d) => d.status === 'completed');
    const exported = outDir !== undefined && finished.length > 0 ? await exportModels(lab, finished, outDir, manySeeds) : { folders: [], files: [] };
    const ok = details.length === created.runs.length && details.every((d) => d.status === 'completed');
    if (json) {
      printJson(ctx, { experiment: created.experiment, results: rows, ...(seedGroupsOf ? { seedGroups: seedGroupsOf } : {}), runs: details, out: outDir ?? null, models: exported.folders, files: exported.files });
    } else {
      ctx.io.out(`${seedGroupsOf ? seedResultTable(seedGroupsOf) : resultTable(rows)}\n`);
      if (!seedGroupsOf && wantsRobustnessTable(details)) ctx.io.out(`\n${robustnessTable(details)}\n`);
      if (outDir !== undefined) ctx.io.out(`wrote ${exported.folders.length} TF.js model${exported.folders.length === 1 ? '' : 's'} to ${outDir}: ${exported.folders.join(', ') || 'none (no run completed)'}\n`);
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
  summary: 'train the base model and one model per defence (default NSL), then attack them all',
  usage: 'rlab run [--preset NAME | --config FILE] [--defence METHOD,..] [flags]',
  flags: RUN_FLAGS,
  details: defencesHelp(),
  run,
};
