// What the defence bench times: one row per defence on the tutorial CNN, each as the RunConfig the lab would train it
// with (the experiment schema's defaults applied, through the service's runConfigFor), plus PGD-AT at the anchor's recipe.
import { type RunConfig } from '../src/shared/contract';
import { type DefenceInput, gradientPassesPerStep, type Defence } from '../src/shared/defences';
import { presetConfig, type PresetName } from '../src/shared/presets';
import { ExperimentConfigSchema, type ExperimentConfig } from '../src/shared/schemas';
import { runConfigFor } from '../src/main/lab/service/run-config';
import { type TrainProgress } from '../src/main/lab/defences/training-step';

/** Issue 14's TensorFlow anchor: PGD-AT, 10 steps of 2.5ε/10 from a random start, batch 50, Adam, 12 epochs on 8,000 digits. */
export const ANCHOR = { batchSize: 50, steps: 10, epsilon: 0.3, stepSize: 0.075, epochs: 12, trainImages: 8000, trainingSeconds: 264 } as const;

/** The presets whose defences the bench can time (the laptop-sized one by default). */
export const DEFENCE_PRESETS = ['mnist-defences', 'mnist-defences-full'] as const satisfies readonly PresetName[];
export type DefencePreset = (typeof DEFENCE_PRESETS)[number];

export interface DefenceBenchRow {
  /** Row name in the tables (unique). */
  name: string;
  config: RunConfig;
  /** Where the defence parameters come from. */
  source: string;
  /** Inner maximisation steps per batch (0 for standard training). */
  innerSteps: number;
  /** Forward + backward passes per batch (src/shared/defences.ts). */
  gradientPasses: number;
  /** The training progress the step is timed at: past any ε ramp, so the inner loop runs at the full ε. */
  progress: TrainProgress;
}

function isPgdNsl(d: Defence): boolean {
  return d.method === 'nsl' && (d.advReg?.pgdIterations ?? 1) > 1;
}

function innerStepsOf(config: RunConfig, d: Defence): number {
  switch (d.method) {
    case 'standard':
      return 0;
    case 'nsl':
      return config.advReg.pgdIterations;
    case 'fast-at':
      return 1;
    default:
      return d.steps;
  }
}

/** Epoch at which the timed steps run: mid-training (Fast-AT's cyclic rate is 0 at the start) and past any ε ramp. */
function progressFor(d: Defence, epochs: number, batchesPerEpoch: number): TrainProgress {
  const ramp = 'epsilonRampEpochs' in d ? d.epsilonRampEpochs : 0;
  const epoch = Math.min(epochs - 1, Math.max(Math.ceil(ramp), Math.floor(epochs / 2)));
  return { epoch, batch: 0, batchesPerEpoch, epochs, step: epoch * batchesPerEpoch };
}

function experiment(batchSize: number, defences: DefenceInput[], epochs?: number): ExperimentConfig {
  const base = presetConfig('mnist-tutorial');
  return ExperimentConfigSchema.parse({ ...base, hparams: { ...base.hparams, batchSize, ...(epochs === undefined ? {} : { epochs }) }, attacks: [], defences });
}

function row(name: string, exp: ExperimentConfig, d: Defence | undefined, source: string, trainImages: number): DefenceBenchRow {
  const config = d === undefined ? runConfigFor(exp, 'base') : runConfigFor(exp, 'adv', d);
  const defence = config.defence!;
  const perEpoch = Math.ceil(trainImages / exp.hparams.batchSize);
  return {
    name,
    config,
    source,
    innerSteps: innerStepsOf(config, defence),
    gradientPasses: gradientPassesPerStep(defence, config.advReg.pgdIterations),
    progress: progressFor(defence, exp.hparams.epochs, perEpoch),
  };
}

/** Standard training and the preset's defences at `batchSize` on the tutorial CNN (the preset's epochs, 8,000 training images). */
export function defenceRows(batchSize: number, preset: DefencePreset = 'mnist-defences'): DefenceBenchRow[] {
  const presetExp = ExperimentConfigSchema.parse(presetConfig(preset));
  const exp = experiment(batchSize, presetExp.defences, presetExp.hparams.epochs);
  const rows = [row('standard', exp, undefined, 'base run', ANCHOR.trainImages)];
  for (const d of exp.defences) {
    const name = d.method === 'nsl' ? (isPgdNsl(d) ? 'nsl (PGD neighbour)' : 'nsl (tutorial)') : d.method;
    rows.push(row(name, exp, d, `preset ${preset}`, ANCHOR.trainImages));
  }
  return rows;
}

/** PGD-AT at the anchor's recipe (batch 50, 10 steps of 0.075 at ε 0.3, random start, 12 epochs). */
export function anchorRow(): DefenceBenchRow {
  const d: DefenceInput = { method: 'pgd-at', label: 'pgd-at-anchor', epsilon: ANCHOR.epsilon, steps: ANCHOR.steps, stepSize: ANCHOR.stepSize, randomStart: true };
  const exp = experiment(ANCHOR.batchSize, [d], ANCHOR.epochs);
  return row('pgd-at (anchor recipe)', exp, exp.defences[0], 'issue 14 anchor', ANCHOR.trainImages);
}

/** The TF Python graph-mode twin of a PGD-AT row (∞ norm only: the Python step is the ∞ recipe). */
export function pythonTwin(r: DefenceBenchRow): { name: string; batchSize: number; steps: number; epsilon: number; stepSize: number } | { why: string } {
  const d = r.config.defence;
  if (d?.method !== 'pgd-at') return { why: `${r.name} is not PGD-AT` };
  if (d.norm !== 'infinity') return { why: `the TF Python step is the ∞-norm recipe (row uses ${d.norm})` };
  if (!d.randomStart) return { why: 'the TF Python step starts at a random point (row has randomStart off)' };
  return { name: r.name, batchSize: r.config.hparams.batchSize, steps: d.steps, epsilon: d.epsilon, stepSize: d.stepSize };
}
