// `rlab eval <id>`: attacks a trained run at one or more ε and prints the accuracy at each; with --checkpoint, runs
// the run's own attack suite on its last finished epoch's checkpoint (a run that has no model).
import { ATTACK_DEFAULTS, ATTACK_KINDS, ATTACK_NORMS, attackSettings, resolveAttack } from '../../../shared/attacks';
import { EvaluateRequestSchema } from '../../../shared/schemas';
import { type FlagSpec, Flags, parseArgs, positionals, UsageError } from '../args';
import { type Command, EXIT_FAILED, EXIT_OK, JSON_FLAG, printJson, withLab } from '../command';
import { signalExitCode } from '../context';
import { EVAL_FIELD_FLAGS } from '../field-flags';
import { checkWithFlags } from '../flag-errors';
import { accuracyTable } from '../evaluations-table';
import { followEvaluationJob } from '../eval-job';
import { datasetFlag } from '../run-flags';
import { evalCheckpoint } from './eval-checkpoint';

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
  {
    name: 'checkpoint',
    type: 'boolean',
    help: "a run with no model (cancelled, interrupted or failed after an epoch): run its own attack suite on its last finished epoch's checkpoint, numbers marked \"epoch N checkpoint\"; takes no attack flags",
  },
  JSON_FLAG,
];

/** The flags that choose an attack: --checkpoint runs the run's own suite instead. */
const ATTACK_FLAGS = FLAGS.map((f) => f.name).filter((n) => n !== 'checkpoint' && n !== 'json');

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
  summary: "attack a trained run (or, with --checkpoint, a stopped run's last checkpoint) and print accuracy per ε with its 95% interval",
  usage: `rlab eval <run_id> --attack ${ATTACK_KINDS.join('|')} --eps 0.05,0.1 [--steps N] [--norm infinity|l2] [--restarts N] [--random-start] [--targets N] [--queries N] [--p-init X] [--source run_ID] [--dataset ID --test-size N] [--json]\n       rlab eval <run_id> --checkpoint [--json]`,
  flags: FLAGS,
  details: attacksHelp(),
  async run(argv, ctx) {
    const parsed = parseArgs(argv, FLAGS, 'eval');
    const [runId] = positionals(parsed, ['run_id'], 'eval') as [string];
    const flags = new Flags(parsed);
    if (flags.bool('checkpoint')) {
      const given = ATTACK_FLAGS.filter((n) => flags.has(n));
      if (given.length) throw new UsageError(`--checkpoint runs the run's own attack suite; leave out ${given.map((n) => `--${n}`).join(', ')}`);
      return evalCheckpoint(runId, flags.bool('json'), ctx);
    }
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

    const { added, errors, interrupted } = await withLab(ctx, (lab) =>
      followEvaluationJob(lab, ctx, { runId, label: `${request.attack} ${runId}`, json, planned: request.epsilons.length, queue: (l) => l.evaluate(request) }),
    );

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
