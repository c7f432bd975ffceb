// The New-sweep form as plain data: its text fields turned into the planSweep / createSweep request, and the host's
// refusals (a LabError `field` such as `spec.axes.1.values.2`) mapped back onto the row or input they name. The form
// checks no rule itself: every rule is the shared schema's and planner's, answered by the host.
import { NormSchema } from '../../../shared/adv-reg-schema';
import { DEFENCE_INFO } from '../../../shared/defences';
import { type ExperimentConfigInput } from '../../../shared/schemas';
import { axisValueOf, DEFENCE_AXIS, isNumberText, SWEEP_DEFENCE_METHODS, type AxisValue, type SweepSpecInput } from '../../../shared/sweep-spec';

export interface AxisRow {
  /** Stable key of the row in the editor (rows are added and removed). */
  key: number;
  path: string;
  /** Comma-separated values as typed. */
  values: string;
}

export interface SweepForm {
  name: string;
  axes: AxisRow[];
  /** Comma-separated seeds of every cell; empty: the base config's own. */
  seeds: string;
  /** Cells drawn at random from the grid; empty: every cell. */
  random: string;
  randomSeed: string;
  /** Engine workers; empty: the host's default. */
  workers: string;
}

/** A field people often sweep: its path, what it is, example values and, for an enum, every value it takes. */
export interface CommonAxis {
  path: string;
  label: string;
  example: string;
  choices?: readonly { value: string; label: string }[];
}

export const COMMON_AXES: readonly CommonAxis[] = [
  { path: DEFENCE_AXIS, label: 'defence method (of the adv model)', example: 'nsl, pgd-at, trades', choices: SWEEP_DEFENCE_METHODS.map((m) => ({ value: m, label: DEFENCE_INFO[m].title })) },
  { path: 'advReg.multiplier', label: 'NSL multiplier', example: '0.05, 0.2, 0.5' },
  { path: 'advReg.advStepSize', label: 'NSL neighbour step size', example: '0.05, 0.1, 0.2' },
  { path: 'advReg.advGradNorm', label: 'NSL neighbour norm', example: 'l2, infinity', choices: NormSchema.options.map((n) => ({ value: n, label: n })) },
  { path: 'advReg.pgdIterations', label: 'NSL neighbour PGD iterations', example: '1, 3, 5' },
  { path: 'advReg.pgdEpsilon', label: 'NSL neighbour PGD ε', example: '0.1, 0.2' },
  { path: 'defences.0.epsilon', label: 'ε of the first defence', example: '0.1, 0.2, 0.3' },
  { path: 'defences.0.steps', label: 'inner steps of the first defence', example: '5, 10' },
  { path: 'defences.0.beta', label: 'β of TRADES / MART', example: '1, 6' },
  { path: 'hparams.learningRate', label: 'learning rate', example: '0.0005, 0.001, 0.002' },
  { path: 'hparams.epochs', label: 'epochs', example: '1, 3, 5' },
  { path: 'hparams.batchSize', label: 'batch size', example: '32, 64' },
  { path: 'data.trainSize', label: 'training images', example: '1600, 4000, 8000' },
];

export const commonAxis = (path: string): CommonAxis | undefined => COMMON_AXES.find((a) => a.path === path.trim());

let nextKey = 1;
export const newAxisRow = (path = '', values = ''): AxisRow => ({ key: nextKey++, path, values });

export function newSweepForm(): SweepForm {
  return { name: '', axes: [newAxisRow('advReg.multiplier', '0.05, 0.2, 0.5')], seeds: '', random: '', randomSeed: '', workers: '' };
}

/** `0.05, 0.2` → [0.05, 0.2]; an empty entry stays (as '') so the host names it; nothing typed is no values. */
export function axisValues(text: string): AxisValue[] {
  return text.trim() === '' ? [] : text.split(',').map(axisValueOf);
}

/** The values of an enum axis as a comma list with `value` added or taken out (chips under the values input). */
export function toggleValue(text: string, value: string): string {
  const now = axisValues(text).map(String);
  const next = now.includes(value) ? now.filter((v) => v !== value) : [...now, value];
  return next.join(', ');
}

/** Numbers as typed; a word becomes NaN (sent as null), which the schema refuses naming the field. */
function optionalNumber(text: string): number | undefined {
  const t = text.trim();
  return t === '' ? undefined : isNumberText(t) ? Number(t) : NaN;
}

function seedList(text: string): number[] | undefined {
  if (text.trim() === '') return undefined;
  return text.split(',').map((t) => (isNumberText(t) ? Number(t.trim()) : NaN));
}

/** The name a sweep gets when none is typed. */
export const defaultSweepName = (base: Pick<ExperimentConfigInput, 'name'> | null): string => `${base?.name ?? 'sweep'} sweep`;

/** The sweep as typed over `base`: the spec planSweep and createSweep take, and the worker count. */
export function sweepRequest(form: SweepForm, base: ExperimentConfigInput): { spec: SweepSpecInput; workers: number | undefined } {
  const seeds = seedList(form.seeds);
  const random = optionalNumber(form.random);
  const randomSeed = optionalNumber(form.randomSeed);
  const spec: SweepSpecInput = {
    name: form.name.trim() || defaultSweepName(base),
    base,
    axes: form.axes.map((a) => ({ path: a.path.trim(), values: axisValues(a.values) })),
    ...(seeds === undefined ? {} : { seeds }),
    ...(random === undefined ? {} : { random }),
    ...(randomSeed === undefined ? {} : { randomSeed }),
  };
  return { spec, workers: optionalNumber(form.workers) };
}

/**
 * Where the form shows a refusal: `axes.<row>.path`, `axes.<row>.values`, `axes` (the axes as a whole), `seeds`,
 * `random`, `randomSeed`, `name`, `base`, `yes` (the confirmation), `workers`, else `form` (above the form).
 */
export function errorKey(field: string | undefined): string {
  if (field === undefined) return 'form';
  const axis = /^spec\.axes\.(\d+)(?:\.(path|values)(?:\.\d+)?)?$/.exec(field);
  if (axis) return `axes.${axis[1]}.${axis[2] ?? 'path'}`;
  if (field === 'spec.axes') return 'axes';
  const own = /^spec\.(seeds|random|randomSeed|name)(?:\.\d+)?$/.exec(field);
  if (own) return own[1]!;
  if (field === 'spec.base' || field.startsWith('spec.base.')) return 'base';
  if (field === 'yes' || field === 'workers') return field;
  return 'form';
}

/** The refusal as the form shows it: one message under its key. */
export function errorsOf(err: { message: string; field?: string | undefined } | null): Record<string, string> {
  return err === null ? {} : { [errorKey(err.field)]: err.message };
}
