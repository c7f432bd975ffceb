// `rlab sweep`: a grid (or random draw) over config fields and seeds, run as one experiment per cell on this host's
// engine workers; and `rlab sweep ls | show | cancel | resume` for the sweeps of the lab.
import { promises as fs } from 'node:fs';
import { formatDuration } from '../../../shared/cost-estimate';
import { type SweepDetail } from '../../../shared/sweep-contract';
import { sweepCsv } from '../../../shared/sweep-results';
import { SweepIdSchema } from '../../../shared/sweep-spec';
import { type FlagSpec, Flags, parseArgs, positionals, UsageError } from '../args';
import { type Command, EXIT_FAILED, EXIT_OK, JSON_FLAG, printJson, withLab } from '../command';
import { loadConfigFile } from '../config-file';
import { type CliContext, type CliLab } from '../context';
import { buildRunConfig } from '../run-flags';
import { parseRedisUrl } from '../../lab/queue/redis-url';
import { SWEEP_FLAGS, sweepSpec } from '../sweep-flags';
import { progressLine, sweepsTable, sweepTable } from '../sweep-table';

const POLL_MS = 1000;
const FINISHED = new Set(['completed', 'failed', 'cancelled', 'interrupted']);

const SHOW_FLAGS: readonly FlagSpec[] = [JSON_FLAG, { name: 'csv', type: 'string', value: 'FILE', help: 'also write one row per cell and model to FILE (- for standard output)' }];
const ID_FLAGS: readonly FlagSpec[] = [JSON_FLAG];
const RESUME_FLAGS: readonly FlagSpec[] = [JSON_FLAG, SWEEP_FLAGS.find((f) => f.name === 'queue')!];

function sweepId(text: string): string {
  const r = SweepIdSchema.safeParse(text);
  if (!r.success) throw new UsageError(`<sweep_id> must be a sweep id like swp_ab12cd (got "${text}")`);
  return r.data;
}

/** Waits until no run of the sweep is queued or running, printing a line each time the cells' progress changes. */
async function follow(lab: CliLab, ctx: CliContext, id: string): Promise<SweepDetail> {
  let last = '';
  let wake: (() => void) | null = null;
  const offStatus = lab.onRunStatus(() => wake?.());
  // what the host warns of while it runs the sweep (a worker's job handed on, a refused message, the queue away)
  const offLog = lab.onLog((e) => {
    if (e.level !== 'info') ctx.io.err(`rlab host: ${e.message}\n`);
  });
  const off = (): void => {
    offStatus();
    offLog();
  };
  try {
    for (;;) {
      const detail = await lab.getSweep({ sweepId: id });
      const line = progressLine(detail);
      if (line !== last) ctx.io.err(`sweep ${id}: ${line}\n`);
      last = line;
      if (FINISHED.has(detail.status)) return detail;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, POLL_MS);
      });
    }
  } finally {
    off();
  }
}

async function printResult(ctx: CliContext, detail: SweepDetail, json: boolean): Promise<number> {
  if (json) printJson(ctx, detail);
  else ctx.io.out(`${sweepTable(detail)}\n`);
  return detail.status === 'completed' ? EXIT_OK : EXIT_FAILED;
}

/** Runs `body` and cancels the sweep on Ctrl-C (what finished stays; `rlab sweep resume` continues). */
async function followWithInterrupt(lab: CliLab, ctx: CliContext, id: string): Promise<SweepDetail> {
  let cancelling = false;
  const offInterrupt = ctx.onInterrupt(() => {
    if (cancelling) return;
    cancelling = true;
    ctx.io.err(`\ncancelling the sweep (what finished stays; continue with \`rlab sweep resume ${id}\`)...\n`);
    void lab.cancelSweep({ sweepId: id }).catch(() => undefined);
  });
  try {
    return await follow(lab, ctx, id);
  } finally {
    offInterrupt();
  }
}

async function create(argv: readonly string[], ctx: CliContext): Promise<number> {
  const parsed = parseArgs(argv, SWEEP_FLAGS, 'sweep');
  positionals(parsed, [], 'sweep');
  const flags = new Flags(parsed);
  const configFile = flags.has('config') ? await loadConfigFile(flags.string('config')!) : undefined;
  const spec = sweepSpec(flags, buildRunConfig(flags, configFile?.config));
  const workers = flags.int('workers');
  const json = flags.bool('json');
  const queue = flags.string('queue');
  if (queue !== undefined) parseRedisUrl(queue);
  const lab = await ctx.openLab('jobs', queue === undefined ? {} : { queue });
  try {
    const plan = await lab.planSweep({ spec });
    const runs = `${plan.runs} runs${plan.sharedBase ? ' (one base run per seed, shared by every cell)' : ''}`;
    const cost = `training ${formatDuration(plan.estimate.trainingSeconds)}, attacks at most ${formatDuration(plan.estimate.evaluationSecondsAtMost)} on one worker (${plan.estimate.basis === 'measured' ? "this lab's speed" : 'a laptop default'})`;
    if (flags.bool('plan')) {
      if (json) printJson(ctx, plan);
      else ctx.io.out(`${plan.cells.length} cell${plan.cells.length === 1 ? '' : 's'}${plan.cells.length < plan.gridSize ? ` of ${plan.gridSize}` : ''}, ${runs}; ${cost}\n${plan.cells.map((c) => `  ${c.index}  ${c.name}`).join('\n')}\n`);
      return EXIT_OK;
    }
    const sweep = await lab.createSweep({ spec, yes: flags.bool('yes'), ...(workers === undefined ? {} : { workers }) });
    ctx.io.err(`sweep ${sweep.id} "${sweep.name}": ${sweep.cellCount} cells, ${runs}; ${cost}\n`);
    if (flags.bool('detach')) {
      const where = lab.hostedBy === undefined ? `it runs while a lab host is open (rlab serve, the app) or with \`rlab sweep resume ${sweep.id}\`` : `${lab.hostedBy} runs it`;
      if (json) printJson(ctx, sweep);
      else ctx.io.out(`${sweep.id}: queued; ${where}\n`);
      return EXIT_OK;
    }
    return await printResult(ctx, await followWithInterrupt(lab, ctx, sweep.id), json);
  } finally {
    await lab.close();
  }
}

async function show(argv: readonly string[], ctx: CliContext): Promise<number> {
  const parsed = parseArgs(argv, SHOW_FLAGS, 'sweep show');
  const [raw] = positionals(parsed, ['sweep_id'], 'sweep show') as [string];
  const flags = new Flags(parsed);
  const detail = await withLab(ctx, (lab) => lab.getSweep({ sweepId: sweepId(raw) }), 'read');
  const csv = flags.string('csv');
  if (csv === '-') ctx.io.out(sweepCsv(detail));
  else if (csv !== undefined) await fs.writeFile(csv, sweepCsv(detail), { flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(err.code === 'EEXIST' ? `--csv ${csv} exists already; give a new file` : `--csv ${csv}: ${err.message}`);
  });
  if (csv !== '-') {
    if (flags.bool('json')) printJson(ctx, detail);
    else ctx.io.out(`${sweepTable(detail)}\n`);
  }
  return EXIT_OK;
}

async function onOne(argv: readonly string[], ctx: CliContext, verb: 'cancel' | 'resume'): Promise<number> {
  const parsed = parseArgs(argv, verb === 'resume' ? RESUME_FLAGS : ID_FLAGS, `sweep ${verb}`);
  const [raw] = positionals(parsed, ['sweep_id'], `sweep ${verb}`) as [string];
  const id = sweepId(raw);
  const flags = new Flags(parsed);
  const json = flags.bool('json');
  const queue = flags.string('queue');
  if (queue !== undefined) parseRedisUrl(queue);
  const lab = await ctx.openLab('jobs', queue === undefined ? {} : { queue });
  try {
    if (verb === 'cancel') {
      const detail = await lab.cancelSweep({ sweepId: id });
      if (json) printJson(ctx, detail);
      else ctx.io.out(`sweep ${id}: ${detail.status}; ${progressLine(detail)}\n`);
      return EXIT_OK;
    }
    await lab.resumeSweep({ sweepId: id });
    return await printResult(ctx, await followWithInterrupt(lab, ctx, id), json);
  } finally {
    await lab.close();
  }
}

export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'run a grid or random search over config fields and seeds; ls, show, cancel, resume sweeps',
  usage: 'rlab sweep [--preset NAME | --config FILE] --grid PATH=V1,V2 [--grid ..] [--seeds 0,1,2] [--random N] [--workers N] [--queue URL] [--yes] [--plan] [--detach] [flags]\n       rlab sweep ls [--json] · show <sweep_id> [--json] [--csv FILE|-] · cancel <sweep_id> · resume <sweep_id> [--queue URL]',
  flags: SWEEP_FLAGS,
  details: [
    'Axes: any number, text or true/false field of the config by its path (as `rlab show <exp> --json` prints the config),',
    'e.g. advReg.multiplier, advReg.advStepSize, advReg.advGradNorm, hparams.learningRate, defences.0.epsilon; and',
    '`defence=nsl,pgd-at,trades` to sweep the defence itself. Every cell is one experiment with the given seeds; values',
    'are checked against the config schema before anything is queued. Ctrl-C cancels the sweep; `resume` continues it.',
  ].join('\n'),
  async run(argv, ctx) {
    const [verb, ...rest] = argv;
    if (verb === 'ls') {
      const parsed = parseArgs(rest, ID_FLAGS, 'sweep ls');
      positionals(parsed, [], 'sweep ls');
      const sweeps = await withLab(ctx, (lab) => lab.listSweeps({}), 'read');
      if (new Flags(parsed).bool('json')) printJson(ctx, sweeps);
      else ctx.io.out(sweeps.length ? `${sweepsTable(sweeps)}\n` : 'no sweeps yet; start one with `rlab sweep --preset quick --grid advReg.multiplier=0.1,0.2`\n');
      return EXIT_OK;
    }
    if (verb === 'show') return show(rest, ctx);
    if (verb === 'cancel' || verb === 'resume') return onOne(rest, ctx, verb);
    return create(argv, ctx);
  },
};
