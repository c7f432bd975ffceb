// `rlab eval <id>`: attacks a trained run at one or more ε and prints the accuracy at each.
import { type EvaluationRecord, type JobFinishedEvent, type ProgressEvent } from '../../../shared/contract';
import { ATTACK_DEFAULTS, ATTACK_KINDS, ATTACK_NORMS, attackSettings, resolveAttack } from '../../../shared/attacks';
import { type LabError } from '../../../shared/errors';
import { toLabError } from '../../../shared/make-lab-api';
import { EvaluateRequestSchema } from '../../../shared/schemas';
import { type FlagSpec, Flags, parseArgs, positionals, UsageError } from '../args';
import { type Command, EXIT_FAILED, EXIT_OK, JSON_FLAG, printJson, withLab } from '../command';
import { signalExitCode } from '../context';
import { EVAL_FIELD_FLAGS } from '../field-flags';
import { checkWithFlags } from '../flag-errors';
import { componentLines, evaluationsTable, flagLines } from '../evaluations-table';
import { datasetFlag } from '../run-flags';
import { ProgressBar } from '../progress';

const FLAGS: readonly FlagSpec[] = [
  { name: 'attack', type: 'string', value: ATTACK_KINDS.join('|'), help: 'the attack (required); `rlab help eval` lists each one\'s defaults' },
  { name: 'eps', type: 'string', value: 'X,X,..', help: 'radii, e.g. 0.05,0.1,0.2 (required); ∞: [0, 1], L2: [0, 28]' },
  { name: 'norm', type: 'string', value: ATTACK_NORMS.join('|'), help: 'threat model; default infinity' },
  { name: 'steps', type: 'string', value: 'N', help: `gradient steps; default ${defaultsOf('steps')}` },
  { name: 'step-size', type: 'string', value: 'X', help: 'step size; default fgsm ε, pgd 2.5·ε/steps' },
  { name: 'restarts', type: 'string', value: 'N', help: 'independent random starts; the worst case per example is kept (default 1)' },
  { name: 'random-start', type: 'boolean', help: 'start from a random point in the ε-ball (default: on for all but fgsm)' },
  { name: 'targets', type: 'string', value: 'N', help: `apgd-t: target classes (default ${ATTACK_DEFAULTS['apgd-t'].targets}, at most classes − 1)` },
  { name: 'queries', type: 'string', value: 'N', help: `square: queries per image (default ${ATTACK_DEFAULTS.square.queries})` },
  { name: 'p-init', type: 'string', value: 'X', help: `square: initial fraction of pixels changed (default ${ATTACK_DEFAULTS.square.pInit})` },
  { name: 'source', type: 'string', value: 'run_ID', help: 'transfer attack: craft the examples on this run' },
  { name: 'dataset', type: 'string', value: 'mnist-sample|mnist|fashion-mnist|imported:ID', help: "evaluate on this dataset's test split (same image shape and classes as the model)" },
  { name: 'test-size', type: 'string', value: 'N', help: "test images; default the run's test size" },
  JSON_FLAG,
];

/** Every attack with what an empty flag means for it, from the one table (src/shared/attacks.ts). */
function attacksHelp(): string {
  const rows = ATTACK_KINDS.map((k) => {
    const d = ATTACK_DEFAULTS[k];
    const spec = resolveAttack({ attack: k, norm: 'infinity', epsilon: 0.3 }, 784, 10);
    return `  ${k.padEnd(10)}  ${d.summary}\n  ${''.padEnd(10)}  default at ε0.3: ${attackSettings(spec).replace(/, seed \d+$/, '')}; flags it takes: ${d.editable.length ? d.editable.map(flagOf).join(' ') : 'none (fixed settings)'}`;
  });
  return ["attacks (a flag left out takes the attack's own default; random draws are seeded by the run's seed):", ...rows].join('\n');
}

const flagOf = (field: string): string => EVAL_FIELD_FLAGS[field as keyof typeof EVAL_FIELD_FLAGS] ?? field;

function defaultsOf(field: 'steps'): string {
  return ATTACK_KINDS.filter((k) => ATTACK_DEFAULTS[k].editable.includes(field)).map((k) => `${k} ${ATTACK_DEFAULTS[k][field]}`).join(', ');
}

export const evalCommand: Command = {
  name: 'eval',
  summary: 'attack a trained run and print accuracy per ε with its 95% interval',
  usage: `rlab eval <run_id> --attack ${ATTACK_KINDS.join('|')} --eps 0.05,0.1 [--steps N] [--norm infinity|l2] [--restarts N] [--random-start] [--targets N] [--queries N] [--p-init X] [--source run_ID] [--dataset ID --test-size N] [--json]`,
  flags: FLAGS,
  details: attacksHelp(),
  async run(argv, ctx) {
    const parsed = parseArgs(argv, FLAGS, 'eval');
    const [runId] = positionals(parsed, ['run_id'], 'eval') as [string];
    const flags = new Flags(parsed);
    if (!flags.has('attack')) throw new UsageError(`--attack is required: one of ${ATTACK_KINDS.join(', ')}`);
    if (!flags.has('eps')) throw new UsageError('--eps is required: one or more radii in [0, 1], e.g. --eps 0.05,0.1');
    const input = {
      runId,
      attack: flags.string('attack'),
      epsilons: flags.numberList('eps'),
      ...(flags.has('norm') ? { norm: flags.string('norm') } : {}),
      ...(flags.has('steps') ? { steps: flags.int('steps') } : {}),
      ...(flags.has('step-size') ? { stepSize: flags.number('step-size') } : {}),
      ...(flags.has('restarts') ? { restarts: flags.int('restarts') } : {}),
      ...(flags.has('random-start') ? { randomStart: flags.optionalBool('random-start') } : {}),
      ...(flags.has('targets') ? { targets: flags.int('targets') } : {}),
      ...(flags.has('queries') ? { queries: flags.int('queries') } : {}),
      ...(flags.has('p-init') ? { pInit: flags.number('p-init') } : {}),
      ...(flags.has('source') ? { sourceRunId: flags.string('source') } : {}),
      ...(flags.has('dataset') ? { dataset: datasetFlag(flags) } : {}),
      ...(flags.has('test-size') ? { testSize: flags.int('test-size') } : {}),
    };
    const request = checkWithFlags(EvaluateRequestSchema, input, EVAL_FIELD_FLAGS);
    const json = flags.bool('json');

    const { added, errors, interrupted } = await withLab(ctx, async (lab) => {
      const errors: string[] = [];
      // job-finished events by job id: one may arrive before evaluate() has told us our job's id
      const finished = new Map<string, JobFinishedEvent>();
      let wake: (() => void) | null = null;
      const bar = new ProgressBar({ write: (t) => ctx.io.err(t), isTTY: ctx.io.errIsTTY, columns: ctx.io.columns }, `${request.attack} ${runId}`);
      let barUsed = false;
      let interrupted: string | null = null;
      const offs = [
        lab.onProgress((e: ProgressEvent) => {
          if (e.runId !== runId || e.phase !== 'evaluate' || json || interrupted !== null) return;
          barUsed = true;
          bar.update(e);
        }),
        lab.onJobFinished((e) => {
          if (e.runId !== runId) return;
          finished.set(e.jobId, e);
          wake?.();
        }),
        lab.onLog((e) => {
          if (e.runId === runId && e.level === 'error') errors.push(e.message);
        }),
      ];
      let lost: LabError | null = null;
      const offLost = lab.onLost?.((err) => {
        lost = err;
        wake?.();
      });
      // Ctrl-C cancels the job this command queued (unlike `rlab watch`, which only follows a run)
      const offInterrupt = ctx.onInterrupt((signal) => {
        interrupted ??= signal;
        wake?.();
      });
      try {
        const { jobId } = await lab.evaluate(request);
        // the host says when the job ends, successfully or not, and which evaluations it stored: they are the result
        while (!finished.has(jobId)) {
          if (lost) throw lost;
          if (interrupted !== null) break;
          await new Promise<void>((resolve) => (wake = resolve));
        }
        wake = null;
        if (barUsed) bar.done();
        if (interrupted !== null && !finished.has(jobId)) {
          ctx.io.err(`\ncancelling evaluation job ${jobId} of ${runId}${lab.hostedBy ? ` on ${lab.hostedBy}` : ''} (Ctrl-C again is ignored while it stops)...\n`);
          const cancelled = await lab.cancelJob({ jobId }).then(
            (r) => r.job,
            // it ended on its own meanwhile: its job-finished event says how
            (err: unknown) => (toLabError(err).code === 'not_found' ? null : Promise.reject(err)),
          );
          const stored = finished.get(jobId)?.evaluationIds ?? [];
          const ids = new Set(stored);
          const added = (await lab.listEvaluations({ runId })).filter((e) => ids.has(e.id));
          const what = cancelled
            ? `cancelled evaluation job ${jobId} of ${runId} (it was ${cancelled.status}); ${added.length} of ${request.epsilons.length} ε had finished and stay stored`
            : `evaluation job ${jobId} of ${runId} had already ended (${finished.get(jobId)?.outcome ?? 'ended'}) when Ctrl-C came`;
          return { added, errors: [...errors, what], interrupted: interrupted as string };
        }
        const done = finished.get(jobId)!;
        // the host's log line for a failed job already carries its error; say it once
        const why = done.error;
        if (done.outcome !== 'completed' && why !== undefined && !errors.some((e) => e.includes(why))) errors.push(why);
        const ids = new Set(done.evaluationIds);
        const added = (await lab.listEvaluations({ runId })).filter((e) => ids.has(e.id));
        return { added, errors, interrupted: null };
      } finally {
        for (const off of offs) off();
        offLost?.();
        offInterrupt();
      }
    });

    if (interrupted !== null) {
      if (json) printJson(ctx, { runId, request, evaluations: added, ok: false, errors, cancelled: true });
      else {
        if (added.length) ctx.io.out(`${accuracyTable(added)}\n`);
        ctx.io.err(`${errors[errors.length - 1]}\n`);
      }
      return signalExitCode(interrupted);
    }

    const ok = added.length >= request.epsilons.length;
    if (json) printJson(ctx, { runId, request, evaluations: added, ok, errors });
    else {
      if (added.length) ctx.io.out(`${accuracyTable(added)}\n`);
      if (!ok) ctx.io.err(`evaluation of ${runId} failed${errors.length ? `: ${errors.join('; ')}` : ` (${added.length} of ${request.epsilons.length} ε done)`}\n`);
    }
    return ok ? EXIT_OK : EXIT_FAILED;
  },
};

/** The evaluations one `rlab eval` added: each with its complete spec, interval, images and flags. */
export function accuracyTable(evals: readonly EvaluationRecord[]): string {
  const sorted = [...evals].sort((a, b) => a.epsilon - b.epsilon);
  return [evaluationsTable(sorted), ...componentLines(sorted), ...flagLines(sorted)].join('\n');
}
