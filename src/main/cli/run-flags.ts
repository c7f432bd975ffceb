// `rlab run` flags: a preset (src/shared/presets.ts) with flags laid over it. The result is the request the service
// validates (the one place that also knows the dataset); its refusals come back named by flag (field-flags.ts).
import path from 'node:path';
import { PRESET_NAMES, presetConfig } from '../../shared/presets';
import { type ExperimentConfig, type ExperimentConfigInput, SEEDS_RULE } from '../../shared/schemas';
import { type FlagSpec, type Flags, UsageError } from './args';
import { DEFENCE_FLAG_SPECS, defenceChoice } from './defence-flags';

export const RUN_FLAGS: readonly FlagSpec[] = [
  { name: 'preset', type: 'string', value: 'NAME', help: `starting point: ${PRESET_NAMES.join(', ')}; default mnist-tutorial` },
  { name: 'config', type: 'string', value: 'FILE', help: 'starting point instead of a preset: a config JSON, or `rlab show <exp_id> --json` output; flags override its fields' },
  { name: 'name', type: 'string', value: 'TEXT', help: 'experiment name' },
  { name: 'model', type: 'string', value: 'cnn|mlp', help: 'model builder' },
  { name: 'conv-filters', type: 'string', value: 'N,N,..', help: 'filters per conv layer, e.g. 32,64,64' },
  { name: 'kernel-size', type: 'string', value: 'N', help: 'conv kernel size' },
  { name: 'pool-size', type: 'string', value: 'N', help: 'max-pool size' },
  { name: 'fc-units', type: 'string', value: 'N,..', help: 'units per dense hidden layer, e.g. 64' },
  { name: 'batch-size', type: 'string', value: 'N', help: 'examples per batch' },
  { name: 'epochs', type: 'string', value: 'N', help: 'training epochs (1–1000)' },
  { name: 'lr', type: 'string', value: 'X', help: 'learning rate (0, 1]' },
  { name: 'lr-milestones', type: 'string', value: 'N,N,..', help: 'multiply the learning rate by --lr-gamma after each of these epochs (increasing, below --epochs); "" for a constant rate' },
  { name: 'lr-gamma', type: 'string', value: 'X', help: 'factor of each learning-rate decay, (0, 1]; default 0.1' },
  { name: 'optimizer', type: 'string', value: 'adam|sgd', help: 'optimizer' },
  { name: 'adv-multiplier', type: 'string', value: 'X', help: 'weight of the adversarial loss (≥ 0)' },
  { name: 'adv-step-size', type: 'string', value: 'X', help: 'adversarial step size (> 0)' },
  { name: 'adv-grad-norm', type: 'string', value: 'l2|l1|infinity', help: 'norm of the adversarial step' },
  { name: 'clip-min', type: 'string', value: 'X', help: 'lowest pixel value of adversarial neighbours' },
  { name: 'clip-max', type: 'string', value: 'X', help: 'highest pixel value of adversarial neighbours' },
  { name: 'pgd-iterations', type: 'string', value: 'N', help: 'PGD iterations of the adversarial neighbour' },
  { name: 'pgd-epsilon', type: 'string', value: 'X', help: 'PGD radius of the adversarial neighbour (> 0)' },
  { name: 'random-init', type: 'boolean', help: 'start the neighbour search from a random point' },
  { name: 'dataset', type: 'string', value: 'mnist-sample|mnist|fashion-mnist|imported:ID', help: 'dataset; default the bundled sample' },
  { name: 'train-size', type: 'string', value: 'N', help: 'training examples' },
  { name: 'test-size', type: 'string', value: 'N', help: 'test examples' },
  { name: 'seed', type: 'string', value: 'N', help: 'seed for the split, init and shuffling' },
  { name: 'seeds', type: 'string', value: 'N,N,..', help: 'train every model once per seed (the first also fixes the split); results as mean ± std' },
  { name: 'runs', type: 'string', value: 'base,adv', help: 'which models to train: the base model, and adv (one run per defence)' },
  { name: 'tags', type: 'string', value: 'a,b', help: 'tags for the runs' },
  { name: 'base-model', type: 'string', value: 'PATH', help: 'TF.js model.json to start from instead of a builder' },
  ...DEFENCE_FLAG_SPECS,
  { name: 'out', type: 'string', value: 'DIR', help: 'when done, export each trained model as TF.js into DIR/<defence> (DIR/standard for the base run; DIR/<defence>-seed-N with several seeds)' },
  { name: 'json', type: 'boolean', help: 'print the result as JSON' },
];

/** --dataset as a dataset spec (also read by `rlab import-model`). */
export function datasetFlag(flags: Flags): NonNullable<ExperimentConfigInput['data']>['dataset'] | undefined {
  const s = flags.string('dataset');
  if (s === undefined) return undefined;
  if (s === 'mnist-sample' || s === 'mnist' || s === 'fashion-mnist') return { kind: s };
  if (s.startsWith('imported:') && s.length > 'imported:'.length) return { kind: 'imported', id: s.slice('imported:'.length) };
  throw new UsageError(`--dataset must be one of mnist-sample, mnist, fashion-mnist, imported:ID (got "${s}")`);
}

/**
 * --seeds as numbers: the text is only turned into numbers here (a word is refused, naming the rule); the range,
 * distinctness and count are the shared schema's to check.
 */
export function seedsFlag(flags: Flags): number[] | undefined {
  const s = flags.string('seeds');
  if (s === undefined) return undefined;
  const parts = s.split(',').map((p) => p.trim());
  if (parts.some((p) => !/^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(p))) throw new UsageError(`--seeds ${SEEDS_RULE.replace('a list', 'a comma-separated list')} (got "${s}")`);
  return parts.map(Number);
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The preset (or the --config file's config) with every given flag laid over it: the createExperiment request's
 * config, not yet validated (the service does that, once).
 */
export function buildRunConfig(flags: Flags, from?: ExperimentConfig): ExperimentConfigInput {
  if (from !== undefined && flags.has('preset')) throw new UsageError('give either --preset or --config, not both: each is a whole starting config (flags then override its fields)');
  const base: ExperimentConfigInput = from === undefined ? presetConfig(flags.oneOf('preset', PRESET_NAMES) ?? 'mnist-tutorial') : structuredClone(from);
  const list = (name: string) => flags.string(name)?.split(',').map((s) => s.trim()).filter(Boolean);
  const { runs: defenceRuns, defences } = defenceChoice(flags, base.defences);
  const defenceFields = defences === undefined ? {} : { defences };
  const input: ExperimentConfigInput = {
    ...base,
    // a relative path means this shell's folder, wherever the host runs
    ...defined({ name: flags.string('name'), seed: flags.int('seed'), baseModelPath: baseModelFlag(flags), tags: list('tags') }),
    ...defenceFields,
    runs: (list('runs') as ExperimentConfig['runs'] | undefined) ?? defenceRuns ?? base.runs,
    hparams: {
      ...base.hparams,
      ...defined({
        model: flags.string('model') as ExperimentConfig['hparams']['model'] | undefined,
        convFilters: flags.intList('conv-filters'),
        kernelSize: flags.int('kernel-size'),
        poolSize: flags.int('pool-size'),
        numFcUnits: flags.intList('fc-units'),
        batchSize: flags.int('batch-size'),
        epochs: flags.int('epochs'),
        learningRate: flags.number('lr'),
        lrMilestones: flags.intList('lr-milestones'),
        lrGamma: flags.number('lr-gamma'),
        optimizer: flags.string('optimizer') as ExperimentConfig['hparams']['optimizer'] | undefined,
      }),
    },
    advReg: {
      ...base.advReg,
      ...defined({
        multiplier: flags.number('adv-multiplier'),
        advStepSize: flags.number('adv-step-size'),
        advGradNorm: flags.string('adv-grad-norm') as ExperimentConfig['advReg']['advGradNorm'] | undefined,
        clipValueMin: flags.number('clip-min'),
        clipValueMax: flags.number('clip-max'),
        pgdIterations: flags.int('pgd-iterations'),
        pgdEpsilon: flags.number('pgd-epsilon'),
        randomInit: flags.optionalBool('random-init'),
      }),
    },
    data: { ...base.data, ...defined({ dataset: datasetFlag(flags), trainSize: flags.int('train-size'), testSize: flags.int('test-size') }) },
    attacks: base.attacks,
  };
  const seeds = seedsFlag(flags);
  if (seeds !== undefined) {
    input.seeds = seeds;
    // the preset's seed must not contradict --seeds; a --seed given with --seeds is checked by the schema
    if (!flags.has('seed')) delete input.seed;
  } else if (flags.has('seed')) {
    // --seed alone is one training seed: the starting config's seed list gives way to it
    delete input.seeds;
  }
  return input;
}

function baseModelFlag(flags: Flags): string | undefined {
  const p = flags.string('base-model');
  return p === undefined || p.trim() === '' ? p : path.resolve(p);
}
