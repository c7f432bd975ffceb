// The New-experiment form as plain data: presets, conversion of the typed text to an ExperimentConfig, and
// validation with the shared schema so every message matches what main, serve and the CLI would say.
import { type AttackRow, attackInputOf, attackRowOf, newAttackRow } from './attack-rows';
import { type DefenceRow, defenceInputOf, defenceRowOf } from './defence-rows';
import { type PresetName, presetConfig } from '../../../shared/presets';
import { type ExperimentConfig, type ExperimentConfigInput, ExperimentConfigSchema } from '../../../shared/schemas';
import { describeIssue } from '../../../shared/validate';

export type { AttackRow, DefenceRow };

export type MaskChoice = 'all' | 'center';

export interface ExperimentForm {
  name: string;
  tags: string;
  notes: string;
  /** 'mnist-sample' | 'mnist' | 'fashion-mnist' | 'imported:<id>' */
  dataset: string;
  trainSize: string;
  testSize: string;
  /** Comma-separated training seeds; the first also fixes the data split. */
  seeds: string;
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
  /** Comma-separated epochs after which the learning rate is multiplied by lrGamma; empty for a constant rate. */
  lrMilestones: string;
  lrGamma: string;
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
  /** What the adv runs train with: one run per defence and seed. */
  defences: DefenceRow[];
  attacks: AttackRow[];
}

/** The form's preset choice: one of the shared presets (src/shared/presets.ts), or 'custom' once edited. */
export type FormPreset = PresetName | 'custom';

const list = (xs: readonly number[]) => xs.join(', ');
const text = (v: number | undefined) => (v === undefined ? '' : String(v));

export const fgsm = (epsilons: string, source: 'self' | 'base'): AttackRow => newAttackRow('fgsm', epsilons, source);

/** A shared preset as the form shows it: formToInput of the result is the same request the CLI's --preset makes. */
export function presetForm(name: PresetName): ExperimentForm {
  const c = ExperimentConfigSchema.parse(presetConfig(name));
  const { hparams: h, advReg: a, data } = c;
  const dataset = data.dataset.kind === 'imported' ? `imported:${data.dataset.id}` : data.dataset.kind;
  return {
    name: c.name, tags: c.tags.join(', '), notes: c.notes,
    dataset, trainSize: String(data.trainSize), testSize: String(data.testSize), seeds: c.seeds.join(', '),
    runBase: c.runs.includes('base'), runAdv: c.runs.includes('adv'),
    model: h.model, inputShape: list(h.inputShape), numClasses: String(h.numClasses), convFilters: list(h.convFilters),
    kernelSize: String(h.kernelSize), poolSize: String(h.poolSize), numFcUnits: list(h.numFcUnits), batchSize: String(h.batchSize),
    epochs: String(h.epochs), learningRate: String(h.learningRate),
    lrMilestones: list(h.lrMilestones), lrGamma: String(h.lrGamma), optimizer: h.optimizer,
    multiplier: String(a.multiplier), advStepSize: String(a.advStepSize), advGradNorm: a.advGradNorm, clipValueMin: text(a.clipValueMin), clipValueMax: text(a.clipValueMax),
    pgdIterations: String(a.pgdIterations), pgdEpsilon: text(a.pgdEpsilon), randomInit: a.randomInit,
    // the form offers all pixels or the centre mask (the presets test checks a preset round-trips)
    featureMask: a.featureMask === undefined ? 'all' : 'center',
    // as the preset gives them, so fields it leaves to the method's default stay empty (the placeholder shows it)
    defences: (presetConfig(name).defences ?? c.defences).map(defenceRowOf),
    attacks: c.attacks.map(attackRowOf),
  };
}

/** NSL's "Adversarial regularization for image classification" tutorial, exactly (the mnist-tutorial preset). */
export function tutorialForm(): ExperimentForm {
  return presetForm('mnist-tutorial');
}

/** The quick preset: the tutorial for one epoch on a small split. */
export function quickForm(): ExperimentForm {
  return presetForm('quick');
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

/** Seeds as typed; a word or an empty entry becomes NaN so the schema's one seed rule reports the whole list. */
function seedList(text: string): number[] {
  return text.split(',').map((t) => (t.trim() === '' ? NaN : Number(t.trim())));
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
    seeds: seedList(f.seeds),
    runs,
    data: { dataset, trainSize: required(f.trainSize), testSize: required(f.testSize) },
    hparams: {
      model: f.model, inputShape, numClasses: required(f.numClasses), convFilters: numbers(f.convFilters), kernelSize: required(f.kernelSize),
      poolSize: required(f.poolSize), numFcUnits: numbers(f.numFcUnits), batchSize: required(f.batchSize), epochs: required(f.epochs),
      learningRate: required(f.learningRate), lrMilestones: numbers(f.lrMilestones), lrGamma: required(f.lrGamma), optimizer: f.optimizer,
    },
    advReg: {
      multiplier: required(f.multiplier), advStepSize: required(f.advStepSize), advGradNorm: f.advGradNorm,
      clipValueMin: optional(f.clipValueMin), clipValueMax: optional(f.clipValueMax), pgdIterations: required(f.pgdIterations),
      pgdEpsilon: optional(f.pgdEpsilon), randomInit: f.randomInit,
      featureMask: f.featureMask === 'center' && Number.isInteger(h) && Number.isInteger(w) ? centerMask(h!, w!) : undefined,
    },
    // likewise only the fields each defence takes (src/shared/defences.ts)
    defences: f.defences.map(defenceInputOf),
    // only the fields the attack takes; an empty one is left to the attack's default (src/shared/attacks.ts)
    attacks: f.attacks.map((a) => attackInputOf(a, numbers(a.epsilons))),
  };
}

/** Inline messages are shown under the field a path belongs to: list items report on their list. */
export function fieldOf(path: readonly PropertyKey[]): string {
  const parts = path.map(String);
  const listFields = ['inputShape', 'convFilters', 'numFcUnits', 'lrMilestones', 'epsilons', 'featureMask', 'tags', 'runs', 'seeds'];
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
