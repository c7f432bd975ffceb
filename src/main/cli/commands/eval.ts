// `rlab eval <id>`: attacks a trained run at one or more ε and prints the accuracy at each.
import { type EvaluationRecord, type ProgressEvent } from '../../../shared/contract';
import { EvaluateRequestSchema } from '../../../shared/schemas';
import { type FlagSpec, Flags, parseArgs, positionals, UsageError } from '../args';
import { type Command, EXIT_FAILED, EXIT_OK, JSON_FLAG, printJson, withLab } from '../command';
import { checkWithFlags } from '../flag-errors';
import { percent, table } from '../format';
import { ProgressBar } from '../progress';

const FLAGS: readonly FlagSpec[] = [
  { name: 'attack', type: 'string', value: 'fgsm|pgd', help: 'the attack (required)' },
  { name: 'eps', type: 'string', value: 'X,X,..', help: 'radii, e.g. 0.05,0.1,0.2 (required)' },
  { name: 'steps', type: 'string', value: 'N', help: 'PGD steps (fgsm: 1)' },
  { name: 'step-size', type: 'string', value: 'X', help: 'PGD step size; default 2.5·ε/steps' },
  { name: 'norm', type: 'string', value: 'infinity|l2', help: 'threat model; default infinity' },
  { name: 'restarts', type: 'string', value: 'N', help: 'independent random starts' },
  { name: 'random-start', type: 'boolean', help: 'start from a random point in the ε-ball' },
  { name: 'source', type: 'string', value: 'run_ID', help: 'transfer attack: craft the examples on this run' },
  JSON_FLAG,
];

export const EVAL_FIELD_FLAGS = {
  runId: '<id>',
  attack: '--attack',
  norm: '--norm',
  epsilons: '--eps',
  steps: '--steps',
  stepSize: '--step-size',
  randomStart: '--random-start',
  restarts: '--restarts',
  sourceRunId: '--source',
};

const POLL_MS = 500;

export const evalCommand: Command = {
  name: 'eval',
  summary: 'attack a trained run and print accuracy per ε',
  usage: 'rlab eval <run_id> --attack fgsm|pgd --eps 0.05,0.1 [--steps 20] [--norm infinity|l2] [--restarts N] [--random-start] [--source run_ID] [--json]',
  flags: FLAGS,
  async run(argv, ctx) {
    const parsed = parseArgs(argv, FLAGS, 'eval');
    const [runId] = positionals(parsed, ['run_id'], 'eval') as [string];
    const flags = new Flags(parsed);
    if (!flags.has('attack')) throw new UsageError('--attack is required: fgsm or pgd');
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
      ...(flags.has('source') ? { sourceRunId: flags.string('source') } : {}),
    };
    const request = checkWithFlags(EvaluateRequestSchema, input, EVAL_FIELD_FLAGS);
    const json = flags.bool('json');

    const { added, errors } = await withLab(ctx, async (lab) => {
      const errors: string[] = [];
      let wake: (() => void) | null = null;
      const bar = new ProgressBar({ write: (t) => ctx.io.err(t), isTTY: ctx.io.errIsTTY, columns: ctx.io.columns }, `${request.attack} ${runId}`);
      let barUsed = false;
      const offs = [
        lab.onProgress((e: ProgressEvent) => {
          if (e.runId !== runId || e.phase !== 'evaluate' || json) return;
          barUsed = true;
          bar.update(e);
        }),
        lab.onEvaluation((e) => e.runId === runId && wake?.()),
        lab.onLog((e) => {
          if (e.runId === runId && e.level === 'error') errors.push(e.message);
        }),
      ];
      try {
        const before = new Set((await lab.listEvaluations({ runId })).map((e) => e.id));
        const { jobId } = await lab.evaluate(request);
        // The job leaves the queue when it ends, successfully or not; the evaluations it stored are the result.
        while ((await lab.listJobs({})).some((j) => j.id === jobId)) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, POLL_MS);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = null;
        }
        if (barUsed) bar.done();
        const added = (await lab.listEvaluations({ runId })).filter((e) => !before.has(e.id));
        return { added, errors };
      } finally {
        for (const off of offs) off();
      }
    });

    const ok = added.length >= request.epsilons.length;
    if (json) printJson(ctx, { runId, request, evaluations: added, ok, errors });
    else {
      if (added.length) ctx.io.out(`${accuracyTable(added)}\n`);
      if (!ok) ctx.io.err(`evaluation of ${runId} failed${errors.length ? `: ${errors.join('; ')}` : ` (${added.length} of ${request.epsilons.length} ε done)`}\n`);
    }
    return ok ? EXIT_OK : EXIT_FAILED;
  },
};

export function accuracyTable(evals: readonly EvaluationRecord[]): string {
  return table(
    ['ε', 'accuracy', 'attack', 'source'],
    [...evals].sort((a, b) => a.epsilon - b.epsilon).map((e) => [String(e.epsilon), percent(e.accuracy), `${e.attack}${e.steps > 1 ? `-${e.steps}` : ''} ${e.norm}`, e.sourceRunId ?? 'white-box']),
  );
}
