// `rlab` entry point: picks the command, maps errors to exit codes (0 ok, 1 failed, 2 bad input).
import { LabError } from '../../shared/errors';
import { UsageError } from './args';
import { type Command, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './command';
import { doctorCommand } from './commands/doctor';
import { evalCommand } from './commands/eval';
import { exportCommand } from './commands/export';
import { dataCommand } from './commands/data';
import { commandHelp, overview } from './commands/help';
import { importModelCommand } from './commands/import-model';
import { lsCommand } from './commands/ls';
import { reportCommand } from './commands/report';
import { resumeCommand } from './commands/resume';
import { rmCommand } from './commands/rm';
import { runCommand } from './commands/run';
import { serveCommand } from './commands/serve';
import { showCommand } from './commands/show';
import { sweepCommand } from './commands/sweep';
import { watchCommand } from './commands/watch';
import { versionCommand, versionText } from './commands/version';
import { workerCommand } from './commands/worker';
import { type CliContext, processContext, signalExitCode, takeHomeFlag } from './context';
import { FIELD_FLAGS_BY_COMMAND } from './field-flags';
import { withFlagName } from './flag-errors';
import { takeVerboseFlag } from './verbose-flag';

export const COMMANDS: readonly Command[] = [runCommand, sweepCommand, lsCommand, showCommand, evalCommand, importModelCommand, dataCommand, exportCommand, reportCommand, rmCommand, resumeCommand, watchCommand, serveCommand, workerCommand, doctorCommand, versionCommand];

/** Error codes that mean the input was wrong, not that the lab failed. */
const USAGE_CODES = new Set(['invalid_argument', 'not_found']);

export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version') {
    ctx.io.out(`${versionText()}\n`);
    return EXIT_OK;
  }
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic === undefined) {
      ctx.io.out(`${overview(COMMANDS)}\n`);
      return EXIT_OK;
    }
    const cmd = COMMANDS.find((c) => c.name === topic);
    if (!cmd) return unknownCommand(topic, ctx);
    ctx.io.out(`${commandHelp(cmd)}\n`);
    return EXIT_OK;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) return unknownCommand(name, ctx);
  if (rest.includes('--help') || rest.includes('-h')) {
    ctx.io.out(`${commandHelp(cmd)}\n`);
    return EXIT_OK;
  }
  try {
    return await cmd.run(rest, ctx);
  } catch (err) {
    if (err instanceof UsageError) {
      ctx.io.err(`rlab ${cmd.name}: ${err.message}\n`);
      return EXIT_USAGE;
    }
    const e = LabError.wrap(err);
    const message = withFlagName(e.message, e.field, FIELD_FLAGS_BY_COMMAND[cmd.name] ?? {});
    ctx.io.err(`rlab ${cmd.name}: ${message}\n`);
    return USAGE_CODES.has(e.code) ? EXIT_USAGE : EXIT_FAILED;
  }
}

function unknownCommand(name: string, ctx: CliContext): number {
  ctx.io.err(`rlab: unknown command "${name}"; commands: ${[...COMMANDS.map((c) => c.name), 'help'].join(', ')}\n`);
  return EXIT_USAGE;
}

/** Called by bin/rlab.mjs with process.argv.slice(2). */
export async function main(argv: string[]): Promise<number> {
  const split = takeHomeFlag(takeVerboseFlag(argv));
  if ('error' in split) {
    process.stderr.write(`rlab: ${split.error}\n`);
    return EXIT_USAGE;
  }
  const ctx = processContext({ ...(split.home !== undefined ? { home: split.home } : {}), ...(split.rest[0] !== undefined ? { command: split.rest[0] } : {}) });
  const code = await runCli(split.rest, ctx);
  // a command cut short by Ctrl-C / SIGTERM (its runs cancelled) ends as the shell expects: 130 / 143
  const signal = ctx.interruptedBy();
  return signal !== null && code !== EXIT_OK ? signalExitCode(signal) : code;
}
