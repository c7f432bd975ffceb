// The one table from the service's field paths (config.hparams.batchSize, config.defences.0.beta, outDir, ...) to the
// flag or argument of each command that sets them. The service validates every request; a refusal comes back naming
// a field, and the CLI says it in terms of what the user typed. Every command that reports a LabError reads this.
import { type DefenceMethod } from '../../shared/defences';
import { LabError } from '../../shared/errors';
import { UsageError } from './args';
import { DEFENCE_FLAGS, methodsTaking } from './defence-flags';
import { type FieldFlags, withFlagName } from './flag-errors';
import { SWEEP_FIELD_FLAGS } from './sweep-field-flags';

/** `rlab run`: the experiment config (`config.` in front is dropped when looking up; list indices match any entry). */
export const RUN_FIELD_FLAGS: FieldFlags = {
  name: '--name',
  seed: '--seed',
  seeds: '--seeds',
  runs: '--runs',
  tags: '--tags',
  baseModelPath: '--base-model',
  'hparams.model': '--model',
  'hparams.convFilters': '--conv-filters',
  'hparams.kernelSize': '--kernel-size',
  'hparams.poolSize': '--pool-size',
  'hparams.numFcUnits': '--fc-units',
  'hparams.batchSize': '--batch-size',
  'hparams.epochs': '--epochs',
  'hparams.learningRate': '--lr',
  'hparams.lrMilestones': '--lr-milestones',
  'hparams.lrGamma': '--lr-gamma',
  'hparams.optimizer': '--optimizer',
  'advReg.multiplier': '--adv-multiplier',
  'advReg.advStepSize': '--adv-step-size',
  'advReg.advGradNorm': '--adv-grad-norm',
  'advReg.clipValueMin': '--clip-min',
  'advReg.clipValueMax': '--clip-max',
  'advReg.pgdIterations': '--pgd-iterations',
  'advReg.pgdEpsilon': '--pgd-epsilon',
  'advReg.randomInit': '--random-init',
  'data.dataset': '--dataset',
  'data.trainSize': '--train-size',
  'data.testSize': '--test-size',
  defences: '--defence',
  'defences.method': '--defence',
  // a field only one defence flag sets; `beta` (--trades-beta, --mart-beta) depends on the defence: runFieldFlags
  ...Object.fromEntries(
    [...new Set(DEFENCE_FLAGS.map((f) => f.field))]
      .filter((field) => DEFENCE_FLAGS.filter((f) => f.field === field).length === 1)
      .map((field) => [`defences.${field}`, `--${DEFENCE_FLAGS.find((f) => f.field === field)!.name}`]),
  ),
};

/** RUN_FIELD_FLAGS plus, for each defence of this command line, its method's own flag for a shared field name (beta). */
export function runFieldFlags(methods: readonly DefenceMethod[]): FieldFlags {
  const own: Record<string, string> = {};
  methods.forEach((method, i) => {
    for (const f of DEFENCE_FLAGS) if (methodsTaking(f).includes(method)) own[`defences.${i}.${f.field}`] = `--${f.name}`;
  });
  return { ...RUN_FIELD_FLAGS, ...own };
}

export const EVAL_FIELD_FLAGS = {
  runId: '<id>',
  attack: '--attack',
  norm: '--norm',
  epsilons: '--eps',
  epsilon: '--eps',
  steps: '--steps',
  stepSize: '--step-size',
  randomStart: '--random-start',
  restarts: '--restarts',
  targets: '--targets',
  queries: '--queries',
  pInit: '--p-init',
  sourceRunId: '--source',
  dataset: '--dataset',
  testSize: '--test-size',
} as const satisfies FieldFlags;

export const EXPORT_FIELD_FLAGS: FieldFlags = { runId: '<run_id>', format: '--format', outDir: '--out', force: '--force' };

export const REPORT_FIELD_FLAGS: FieldFlags = { experimentId: '<id>', runId: '<id>', outDir: '--out', force: '--force' };

export const LS_FIELD_FLAGS: FieldFlags = { status: '--status', tag: '--tag', search: '--search', experimentId: '--experiment', limit: '--limit' };

export const DATA_FIELD_FLAGS: FieldFlags = {
  kind: '<dataset>',
  id: '<dataset>',
  name: '--name',
  'source.imagesPath': '--idx IMAGES',
  'source.labelsPath': '--idx LABELS',
  'source.path': '--png-folder',
  folder: '--png-folder',
};

export const IMPORT_MODEL_FIELD_FLAGS: FieldFlags = {
  modelPath: '<model.json>',
  name: '--name',
  'data.dataset': '--dataset',
  'data.trainSize': '--train-size',
  'data.testSize': '--test-size',
  trainSize: '--train-size',
  testSize: '--test-size',
  seed: '--seed',
  tags: '--tags',
  numClasses: '<model.json>',
  inputShape: '<model.json>',
};

/** Each command's table; a command without one names only ids. */
export const FIELD_FLAGS_BY_COMMAND: Readonly<Record<string, FieldFlags>> = {
  run: RUN_FIELD_FLAGS,
  eval: EVAL_FIELD_FLAGS,
  export: EXPORT_FIELD_FLAGS,
  report: REPORT_FIELD_FLAGS,
  ls: LS_FIELD_FLAGS,
  show: { runId: '<id>', experimentId: '<id>' },
  rm: { runId: '<id>', experimentId: '<id>' },
  resume: { runId: '<run_id>' },
  watch: { runId: '<run_id>' },
  'import-model': IMPORT_MODEL_FIELD_FLAGS,
  data: DATA_FIELD_FLAGS,
  sweep: SWEEP_FIELD_FLAGS,
};

/** A refused request as bad command-line input: the service's message with its field paths said as `table`'s flags. */
export function inFlagTerms(err: unknown, table: FieldFlags): unknown {
  if (!(err instanceof LabError) || err.code !== 'invalid_argument') return err;
  return new UsageError(withFlagName(err.message, err.field, table));
}
