// `rlab rm <id>`: deletes a run, or an experiment with all its runs, from the store and disk.
import { Flags, parseArgs, positionals, UsageError } from '../args';
import { type Command, EXIT_OK, JSON_FLAG, printJson, withLab } from '../command';

const FLAGS = [JSON_FLAG];

export const rmCommand: Command = {
  name: 'rm',
  summary: 'delete a run (run_…) or an experiment and its runs (exp_…)',
  usage: 'rlab rm <run_id|exp_id> [--json]',
  flags: FLAGS,
  async run(argv, ctx) {
    const parsed = parseArgs(argv, FLAGS, 'rm');
    const [id] = positionals(parsed, ['id'], 'rm') as [string];
    if (!id.startsWith('run_') && !id.startsWith('exp_')) throw new UsageError(`<id> must be a run id (run_…) or an experiment id (exp_…) (got "${id}")`);
    const result = await withLab(ctx, (lab) => (id.startsWith('exp_') ? lab.deleteExperiment({ experimentId: id }) : lab.deleteRun({ runId: id })), 'write');
    if (new Flags(parsed).bool('json')) printJson(ctx, result);
    else ctx.io.out(`deleted ${result.deleted.join(', ')}\n`);
    return EXIT_OK;
  },
};
