// `rlab watch <run_id>`: follows a run on the lab's host, progress bar and all, until it ends; Ctrl-C stops watching
// and leaves the run alone.
import { Flags, parseArgs, runIdPositional } from '../args';
import { type Command, EXIT_FAILED, EXIT_OK, JSON_FLAG, printJson } from '../command';
import { signalExitCode } from '../context';
import { resultRows, resultTable } from '../results-table';
import { isFinal, watchRuns } from '../watch';

const FLAGS = [JSON_FLAG];

export const watchCommand: Command = {
  name: 'watch',
  summary: "follow a run's progress until it ends (Ctrl-C stops watching, the run goes on)",
  usage: 'rlab watch <run_id> [--json]',
  flags: FLAGS,
  async run(argv, ctx) {
    const parsed = parseArgs(argv, FLAGS, 'watch');
    const runId = runIdPositional(parsed, 'watch');
    const json = new Flags(parsed).bool('json');
    // reading only: through the host when one runs, else the store read-only (nothing there can move on)
    const lab = await ctx.openLab('read');
    const watch = watchRuns(lab, ctx.io);
    let interrupted: string | null = null;
    const offInterrupt = ctx.onInterrupt((signal) => {
      interrupted = signal;
      watch.stop();
    });
    try {
      const run = await lab.getRun({ runId });
      if (!isFinal(run.status) && lab.hostedBy === undefined) {
        ctx.io.err(`rlab watch: ${runId} is ${run.status}, but no host runs the lab at ${ctx.home()}, so it cannot move on; start one (\`rlab serve\`) and watch again\n`);
        return EXIT_FAILED;
      }
      if (!isFinal(run.status) && !json) ctx.io.err(`following ${runId} (${run.status}) on ${lab.hostedBy ?? 'this lab'}; Ctrl-C stops watching, the run goes on\n`);
      const [detail] = await watch.follow([run]);
      if (interrupted !== null) {
        ctx.io.err(`\nstopped watching; ${runId} goes on (\`rlab watch ${runId}\` to follow it again)\n`);
        return signalExitCode(interrupted);
      }
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
