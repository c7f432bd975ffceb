// `rlab import-model <model.json> --name NAME`: a user's TF.js layers classifier becomes a run with no training.
import path from 'node:path';
import { ImportModelRequestSchema } from '../../../shared/schemas';
import { type FlagSpec, Flags, parseArgs, positionals, UsageError } from '../args';
import { type Command, EXIT_OK, JSON_FLAG, printJson, withLab } from '../command';
import { IMPORT_MODEL_FIELD_FLAGS } from '../field-flags';
import { checkWithFlags } from '../flag-errors';
import { datasetFlag } from '../run-flags';

const FLAGS: readonly FlagSpec[] = [
  { name: 'name', type: 'string', value: 'NAME', help: 'name of the new run and its experiment (required)' },
  { name: 'dataset', type: 'string', value: 'mnist-sample|mnist|fashion-mnist|imported:ID', help: 'what the model classifies; default the bundled sample' },
  { name: 'train-size', type: 'string', value: 'N', help: 'training part of the split (kept out of the test images); default 8000' },
  { name: 'test-size', type: 'string', value: 'N', help: 'test images evaluations use; default 2000' },
  { name: 'seed', type: 'string', value: 'N', help: 'split seed (which test images); default 0, the same split as runs with seed 0' },
  { name: 'tags', type: 'string', value: 'a,b', help: 'tags for the run' },
  JSON_FLAG,
];

export const importModelCommand: Command = {
  name: 'import-model',
  summary: 'turn a TF.js layers classifier (logits or softmax) into a run that can be evaluated, compared and exported',
  usage: 'rlab import-model <model.json> --name NAME [--dataset ID] [--test-size N] [--seed N] [--tags a,b] [--json]',
  flags: FLAGS,
  async run(argv, ctx) {
    const parsed = parseArgs(argv, FLAGS, 'import-model');
    const [file] = positionals(parsed, ['model.json'], 'import-model') as [string];
    const flags = new Flags(parsed);
    if (!flags.has('name')) throw new UsageError('--name is required: the name of the new run, e.g. --name my-model');
    const dataset = datasetFlag(flags);
    const trainSize = flags.int('train-size');
    const testSize = flags.int('test-size');
    const request = checkWithFlags(
      ImportModelRequestSchema,
      {
        // resolved against the caller's folder: the lab may run jobs elsewhere
        modelPath: path.resolve(file),
        name: flags.string('name'),
        ...(dataset || trainSize !== undefined || testSize !== undefined
          ? { data: { ...(dataset ? { dataset } : {}), ...(trainSize !== undefined ? { trainSize } : {}), ...(testSize !== undefined ? { testSize } : {}) } }
          : {}),
        ...(flags.has('seed') ? { seed: flags.int('seed') } : {}),
        ...(flags.has('tags') ? { tags: flags.string('tags')!.split(',').map((t) => t.trim()).filter((t) => t !== '') } : {}),
      },
      IMPORT_MODEL_FIELD_FLAGS,
    );
    // 'write': storing a run needs no job queue, so queued runs stay untouched
    const { experiment, run } = await withLab(ctx, (lab) => lab.importModel(request), 'write');
    if (flags.bool('json')) {
      printJson(ctx, { experiment, run });
    } else {
      const detail = `${run.outputKind ?? 'unknown'} output`;
      ctx.io.out(`imported ${request.modelPath} as run ${run.id} "${run.name}" (experiment ${experiment.id}), ${detail}; evaluate it with \`rlab eval ${run.id} --attack pgd --eps 0.1\`\n`);
    }
    return EXIT_OK;
  },
};
