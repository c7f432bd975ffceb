// `rlab show <id>`: one run (config, engine, epochs, evaluations, files) or one experiment and its runs.
import { type RunDetail } from '../../../shared/contract';
import { defenceLine } from '../../../shared/defence-line';
import { runDefence } from '../../../shared/defences';
import { learningRateText } from '../../../shared/lr-schedule';
import { checkpointMarker, currentModelEpoch } from '../../../shared/model-evaluations';
import { hasSeedSpread, seedGroups } from '../../../shared/seed-stats';
import { Flags, parseArgs, positionals, UsageError } from '../args';
import { type Command, EXIT_OK, JSON_FLAG, printJson, withLab } from '../command';
import { evaluationsBlock, headlineText } from '../evaluations-table';
import { duration, num, percent, table, when } from '../format';
import { describeSeedGroups } from '../seed-table';

const FLAGS = [JSON_FLAG];

function describeRun(run: RunDetail): string {
  const { hparams: h, advReg: a, data: d } = run.config;
  // the run's numbers are a checkpoint's when only its checkpoint was evaluated (`rlab eval --checkpoint`)
  const measured = currentModelEpoch(run.evaluations.map((e) => e.modelEpoch));
  const lines = [
    `${run.id}  ${run.name}  (${run.role} of ${run.experimentId} "${run.experimentName}")`,
    `status     ${run.status}${run.error ? `: ${run.error}` : ''}`,
    `created    ${when(run.createdAt)}   started ${when(run.startedAt)}   took ${duration(run.durationMs)}`,
    run.config.imported
      ? `model file imported from ${run.config.imported.sourcePath}: ${run.config.imported.layers} layers, ${run.config.imported.parameters} parameters, outputs ${run.config.imported.outputKind}${run.config.imported.inputKind === 'flat' ? ', flat input' : ''} (no training)`
      : `epochs     ${run.epochsDone}/${run.epochs}`,
    `accuracy   clean ${percent(run.cleanAccuracy)}${measured === null || run.cleanAccuracy === null ? '' : ` (${checkpointMarker(measured)})`}   robust ${headlineText(run.headline)}`,
    // an imported run was never built or trained by the lab: its builder and training settings mean nothing
    ...(run.config.imported
      ? []
      : [
          `model      ${h.model} conv ${h.convFilters.join(',')} kernel ${h.kernelSize} pool ${h.poolSize} fc ${h.numFcUnits.join(',') || '—'} batch ${h.batchSize} ${h.optimizer} ${learningRateText(h)}`,
          `defence    ${defenceLine(run.config)}`,
          // NSL's own settings, for the runs they train (clipping is not in the defence line)
          ...(runDefence(run.config).method === 'nsl'
            ? [`adv reg    multiplier ${a.multiplier} step ${a.advStepSize} norm ${a.advGradNorm} clip [${a.clipValueMin ?? '—'}, ${a.clipValueMax ?? '—'}] pgd ${a.pgdIterations}${a.pgdEpsilon !== undefined ? ` ε ${a.pgdEpsilon}` : ''}${a.randomInit ? ' random init' : ''}`]
            : []),
        ]),
    `data       ${d.dataset.kind === 'imported' ? `imported:${d.dataset.id}` : d.dataset.kind} train ${d.trainSize} test ${d.testSize} seed ${run.config.seed}`,
    `engine     ${run.engine ? `${run.engine.backend}${run.engine.tfVersion ? ` (TensorFlow ${run.engine.tfVersion})` : ''}, ${run.engine.threads} threads` : '—'}`,
    ...run.attempts.map((a, i) => `${i === 0 ? 'workers' : '       '}    ${a.worker}: ${a.startEpoch === 0 ? 'from the start' : `resumed after epoch ${a.startEpoch}`} at ${a.startedAt.slice(0, 19).replace('T', ' ')} (job ${a.jobId})`),
  ];
  if (run.tags.length) lines.push(`tags       ${run.tags.join(', ')}`);
  if (run.epochMetrics.length) {
    const names = Object.keys(run.epochMetrics[0]!.metrics);
    lines.push('', table(['epoch', ...names, 'time'], run.epochMetrics.map((m) => [String(m.epoch), ...names.map((n) => num(m.metrics[n])), duration(m.durationMs)])));
  }
  if (run.evaluations.length) lines.push('', evaluationsBlock(run.evaluations, run.ensembles));
  if (run.artifacts.length) lines.push('', ...run.artifacts.map((f) => `${f.kind.padEnd(10)} ${f.path}`));
  if (run.notes) lines.push('', run.notes);
  return lines.join('\n');
}

export const showCommand: Command = {
  name: 'show',
  summary: 'show one run (run_…) or experiment (exp_…)',
  usage: 'rlab show <run_id|exp_id> [--json]',
  flags: FLAGS,
  async run(argv, ctx) {
    const parsed = parseArgs(argv, FLAGS, 'show');
    const [id] = positionals(parsed, ['id'], 'show') as [string];
    const json = new Flags(parsed).bool('json');
    if (id.startsWith('exp_')) {
      const exp = await withLab(ctx, (lab) => lab.getExperiment({ experimentId: id }), 'read');
      const groups = seedGroups(exp.runs);
      const spread = hasSeedSpread(groups);
      if (json) printJson(ctx, spread ? { ...exp, seedGroups: groups } : exp);
      else ctx.io.out(`${exp.id}  ${exp.name}  created ${when(exp.createdAt)}\n\n${spread ? `${describeSeedGroups(groups)}\n\n` : ''}${exp.runs.map(describeRun).join('\n\n')}\n`);
      return EXIT_OK;
    }
    if (!id.startsWith('run_')) throw new UsageError(`<id> must be a run id (run_…) or an experiment id (exp_…) (got "${id}")`);
    const run = await withLab(ctx, (lab) => lab.getRun({ runId: id }), 'read');
    if (json) printJson(ctx, run);
    else ctx.io.out(`${describeRun(run)}\n`);
    return EXIT_OK;
  },
};
