// `rlab report <exp_id>`: writes an experiment's report.json, metrics.csv and evaluations.csv into a folder.
import { ExportReportRequestSchema } from '../../../shared/schemas';
import { type FlagSpec, Flags, parseArgs, positionals, UsageError } from '../args';
import { type Command, EXIT_OK, JSON_FLAG, printJson, withLab } from '../command';
import { REPORT_FIELD_FLAGS } from '../field-flags';
import { checkWithFlags } from '../flag-errors';
import { FORCE_FLAG, forceHint, outPath } from '../out-path';

const FLAGS: readonly FlagSpec[] = [
  { name: 'out', type: 'string', value: 'DIR', help: 'a new or empty folder for report.json, metrics.csv and evaluations.csv (required)' },
  FORCE_FLAG,
  JSON_FLAG,
];

export const reportCommand: Command = {
  name: 'report',
  summary: 'write an experiment\'s report: report.json, metrics.csv, evaluations.csv',
  usage: 'rlab report <exp_id|run_id> --out DIR [--force] [--json]',
  flags: FLAGS,
  async run(argv, ctx) {
    const parsed = parseArgs(argv, FLAGS, 'report');
    const [id] = positionals(parsed, ['id'], 'report') as [string];
    if (!id.startsWith('exp_') && !id.startsWith('run_')) throw new UsageError(`<id> must be an experiment id (exp_…) or a run id (run_…), whose experiment is reported (got "${id}")`);
    const flags = new Flags(parsed);
    const flagOut = flags.string('out');
    if (flagOut === undefined) throw new UsageError('--out is required: the folder to write the report into');
    const out = outPath(flagOut);
    const force = flags.bool('force') ? { force: true } : {};
    // a run id stands for its experiment; its format is checked by the same schema as getRun's
    if (id.startsWith('exp_')) checkWithFlags(ExportReportRequestSchema, { experimentId: id, outDir: out }, REPORT_FIELD_FLAGS);
    // 'write': the report is recorded as an artifact of each run; the job queue is left alone and no worker starts
    const result = await withLab(
      ctx,
      async (lab) => {
        const experimentId = id.startsWith('exp_') ? id : (await lab.getRun({ runId: id })).experimentId;
        return { experimentId, ...(await lab.exportReport({ experimentId, outDir: out, ...force }).catch(forceHint)) };
      },
      'write',
    );
    if (flags.bool('json')) printJson(ctx, result);
    else ctx.io.out(result.files.map((f) => `${f}\n`).join(''));
    return EXIT_OK;
  },
};
