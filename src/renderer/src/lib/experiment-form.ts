// The New-experiment form as plain data: presets, conversion of the typed text to an ExperimentConfig, and
// validation with the shared schema so every message matches what main, serve and the CLI would say.
import { type ExperimentConfig, type ExperimentConfigInput, ExperimentConfigSchema, HParamsSchema } from '../../../shared/schemas';
import { describeIssue } from '../../../shared/validate';

export interface AttackRow {
  attack: 'fgsm' | 'pgd';
  norm: 'infinity' | 'l2';
  epsilons: string;
  steps: string;
  stepSize: string;
  randomStart: boolean;
  restarts: string;
  source: 'self' | 'base';
}

export type MaskChoice = 'all' | 'center';

export interface ExperimentForm {
  name: string;
  tags: string;
  notes: string;
  /** 'mnist-sample' | 'mnist' | 'fashion-mnist' | 'imported:<id>' */
  dataset: string;
  trainSize: string;
  testSize: string;
  seed: string;
  runBase: boolean;
  runAdv: boolean;
  model: 'cnn' | 'mlp';
  inputShape: string;
  numClasses: string;
  convFilters: string;
  kernelSize: string;
  poolSize: string;
  numFcUnits: string;
  batchSize: string;
  epochs: string;
  learningRate: string;
  optimizer: 'adam' | 'sgd';
  multiplier: string;
  advStepSize: string;
  advGradNorm: 'l2' | 'l1' | 'infinity';
  clipValueMin: string;
  clipValueMax: string;
  pgdIterations: string;
  pgdEpsilon: string;
  randomInit: boolean;
  featureMask: MaskChoice;
  attacks: AttackRow[];
}

export type PresetName = 'tutorial' | 'quick' | 'custom';

const list = (xs: readonly number[]) => xs.join(', ');
const H = HParamsSchema.parse({});

export const fgsm = (epsilons: string, source: 'self' | 'base'): AttackRow => ({
  attack: 'fgsm', norm: 'infinity', epsilons, steps: '1', stepSize: '', randomStart: false, restarts: '1', source,
});

/** NSL's "Adversarial regularization for image classification" tutorial: its HParams, multiplier 0.2, step 0.2, L∞. */
export function tutorialForm(): ExperimentForm {
  return {
    name: 'mnist-adv-reg', tags: 'tutorial', notes: '',
    dataset: 'mnist-sample', trainSize: '8000', testSize: '2000', seed: '0',
    runBase: true, runAdv: true,
    model: H.model, inputShape: list(H.inputShape), numClasses: String(H.numClasses), convFilters: list(H.convFilters),
    kernelSize: String(H.kernelSize), poolSize: String(H.poolSize), numFcUnits: list(H.numFcUnits), batchSize: String(H.batchSize),
    epochs: String(H.epochs), learningRate: String(H.learningRate), optimizer: H.optimizer,
    multiplier: '0.2', advStepSize: '0.2', advGradNorm: 'infinity', clipValueMin: '0', clipValueMax: '1',
    pgdIterations: '1', pgdEpsilon: '', randomInit: false, featureMask: 'all',
    attacks: [fgsm('0.05, 0.1, 0.2, 0.3', 'self'), fgsm('0.05, 0.1, 0.2, 0.3', 'base')],
  };
}

/** A small model on a small split: finishes in seconds on a CPU, for trying the lab out. */
export function quickForm(): ExperimentForm {
  return {
    ...tutorialForm(),
    name: 'quick', tags: 'quick',
    trainSize: '1024', testSize: '256', convFilters: '8, 16', numFcUnits: '32', batchSize: '64', epochs: '2', learningRate: '0.003',
    attacks: [fgsm('0.1, 0.2, 0.3', 'self'), fgsm('0.1, 0.2, 0.3', 'base')],
  };
}

export function presetForm(name: Exclude<PresetName, 'custom'>): ExperimentForm {
  return name === 'tutorial' ? tutorialForm() : quickForm();
}

/** Required number: empty or unparsable text becomes NaN so the schema reports it (a default must not hide it). */
function required(text: string): number {
  const t = text.trim();
  return t === '' ? NaN : Number(t);
}

function optional(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text.trim());
}

function numbers(text: string): number[] {
  return text.split(/[\s,;]+/).filter(Boolean).map(Number);
}

function words(text: string): string[] {
  return text.split(',').map((t) => t.trim()).filter(Boolean);
}

/** Perturb only the central region (the digit), leaving a border of `inputShape[0] / 7` pixels untouched. */
export function centerMask(height: number, width: number): number[] {
  const border = Math.max(1, Math.round(Math.min(height, width) / 7));
  const out: number[] = [];
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out.push(y >= border && y < height - border && x >= border && x < width - border ? 1 : 0);
  return out;
}

/** The request exactly as typed: what the schema then checks. */
export function formToInput(f: ExperimentForm): ExperimentConfigInput {
  const inputShape = numbers(f.inputShape) as [number, number, number];
  const dataset = f.dataset.startsWith('imported:')
    ? { kind: 'imported' as const, id: f.dataset.slice('imported:'.length) }
    : { kind: f.dataset as 'mnist-sample' | 'mnist' | 'fashion-mnist' };
  const runs: ('base' | 'adv')[] = [];
  if (f.runBase) runs.push('base');
  if (f.runAdv) runs.push('adv');
  const [h, w] = inputShape;
  return {
    name: f.name,
    tags: words(f.tags),
    notes: f.notes,
    seed: required(f.seed),
    runs,
    data: { dataset, trainSize: required(f.trainSize), testSize: required(f.testSize) },
    hparams: {
      model: f.model, inputShape, numClasses: required(f.numClasses), convFilters: numbers(f.convFilters), kernelSize: required(f.kernelSize),
      poolSize: required(f.poolSize), numFcUnits: numbers(f.numFcUnits), batchSize: required(f.batchSize), epochs: required(f.epochs),
      learningRate: required(f.learningRate), optimizer: f.optimizer,
    },
    advReg: {
      multiplier: required(f.multiplier), advStepSize: required(f.advStepSize), advGradNorm: f.advGradNorm,
      clipValueMin: optional(f.clipValueMin), clipValueMax: optional(f.clipValueMax), pgdIterations: required(f.pgdIterations),
      pgdEpsilon: optional(f.pgdEpsilon), randomInit: f.randomInit,
      featureMask: f.featureMask === 'center' && Number.isInteger(h) && Number.isInteger(w) ? centerMask(h!, w!) : undefined,
    },
    attacks: f.attacks.map((a) => ({
      attack: a.attack, norm: a.norm, epsilons: numbers(a.epsilons), steps: required(a.steps), stepSize: optional(a.stepSize),
      randomStart: a.randomStart, restarts: required(a.restarts), source: a.source,
    })),
  };
}

/** Inline messages are shown under the field a path belongs to: list items report on their list. */
export function fieldOf(path: readonly PropertyKey[]): string {
  const parts = path.map(String);
  const listFields = ['inputShape', 'convFilters', 'numFcUnits', 'epsilons', 'featureMask', 'tags', 'runs'];
  for (let i = 0; i < parts.length; i++) if (listFields.includes(parts[i]!)) return parts.slice(0, i + 1).join('.');
  return parts.join('.') || 'form';
}

export interface FormCheck {
  config: ExperimentConfig | null;
  /** Field path (e.g. "hparams.epochs", "attacks.1.epsilons") → the schema's sentence for it. */
  errors: Record<string, string>;
}

export function checkForm(f: ExperimentForm): FormCheck {
  const input = formToInput(f);
  const r = ExperimentConfigSchema.safeParse(input);
  if (r.success) return { config: r.data, errors: {} };
  const errors: Record<string, string> = {};
  for (const issue of r.error.issues) {
    const key = fieldOf(issue.path);
    const { message } = describeIssue(issue, input);
    errors[key] = errors[key] ? `${errors[key]}; ${message}` : message;
  }
  return { config: null, errors };
}
