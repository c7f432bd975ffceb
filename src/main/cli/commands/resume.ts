// `rlab resume <id>`: continues an interrupted run from its last checkpoint and follows it to the end.
import { Flags, parseArgs, runIdPositional } from '../args';
import { type Command, EXIT_FAILED, EXIT_OK, JSON_FLAG, printJson } from '../command';
import { resultRows, resultTable } from '../results-table';
import { watchRuns } from '../watch';

const FLAGS = [JSON_FLAG];

export const resumeCommand: Command = {
  name: 'resume',
  summary: 'continue an interrupted or failed run from its last checkpoint',
  usage: 'rlab resume <run_id> [--json]',
  flags: FLAGS,
  async run(argv, ctx) {
    const parsed = parseArgs(argv, FLAGS, 'resume');
    const runId = runIdPositional(parsed, 'resume');
    const json = new Flags(parsed).bool('json');
    const lab = await ctx.openLab();
    const watch = watchRuns(lab, ctx.io);
    const offInterrupt = ctx.onInterrupt(() => {
      ctx.io.err('\ncancelling...\n');
      void lab.cancelRun({ runId }).catch(() => undefined);
    });
    try {
      await lab.resumeRun({ runId });
      const run = await lab.getRun({ runId });
      const [detail] = await watch.follow([run]);
      if (!detail) return EXIT_FAILED;
      if (json) printJson(ctx, detail);
      else ctx.io.out(`${resultTable(resultRows([detail]))}\n`);
      return detail.status === 'completed' ? EXIT_OK : EXIT_FAILED;
    } finally {
      offInterrupt();
      watch.stop();
      await lab.close();
    }
  },
};
