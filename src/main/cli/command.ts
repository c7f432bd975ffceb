// The shape of one `rlab` command, shared by the command table, help and the dispatcher.
import { type FlagSpec } from './args';
import { type CliContext, type LabAccess } from './context';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** e.g. 'rlab show <id> [--json]'. */
  usage: string;
  flags: readonly FlagSpec[];
  /** More help after the flags (e.g. the attacks and their defaults). */
  details?: string;
  run(argv: readonly string[], ctx: CliContext): Promise<number>;
}

export const JSON_FLAG: FlagSpec = { name: 'json', type: 'boolean', help: 'print JSON instead of a table' };

export function printJson(ctx: CliContext, value: unknown): void {
  ctx.io.out(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Runs `body` with the lab open for `access` (default 'jobs', the host) and always closes it, so no worker or
 * database handle outlives the command.
 */
export async function withLab<T>(ctx: CliContext, body: (lab: Awaited<ReturnType<CliContext['openLab']>>) => Promise<T>, access: LabAccess = 'jobs'): Promise<T> {
  const lab = await ctx.openLab(access);
  try {
    return await body(lab);
  } finally {
    await lab.close();
  }
}
