// The named starting points of a new experiment, in one table: `rlab run --preset`, the New-experiment form, the
// model builders and the bench all read them from here, so a preset is the same experiment everywhere.
import { type ExperimentConfigInput, type HParams } from './schemas';

export const PRESET_NAMES = ['mnist-tutorial', 'mnist-tutorial-clipped', 'quick'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** The HParams of NSL's "Adversarial regularization for image classification" tutorial (93,322 parameters). */
export const TUTORIAL_HPARAMS: Readonly<HParams> = Object.freeze({
  model: 'cnn',
  inputShape: [28, 28, 1],
  numClasses: 10,
  convFilters: [32, 64, 64],
  kernelSize: 3,
  poolSize: 2,
  numFcUnits: [64],
  batchSize: 32,
  epochs: 5,
  learningRate: 0.001,
  optimizer: 'adam',
} satisfies HParams);

/**
 * The tutorial's adv_config exactly: make_adv_reg_config(multiplier=0.2, adv_step_size=0.2, adv_grad_norm='infinity').
 * No clipping while training: the notebook clips the perturbed images to [0, 1] only when it evaluates (the lab's
 * attacks always clip to [0, 1]).
 */
export const TUTORIAL_ADV_REG = Object.freeze({ multiplier: 0.2, advStepSize: 0.2, advGradNorm: 'infinity' } as const);

type AttackSuite = NonNullable<ExperimentConfigInput['attacks']>;

/**
 * Only fields the attack takes (ATTACK_DEFAULTS' editable ones), with randomStart always given where it is one: the
 * form shows exactly those fields (a checkbox cannot be left unset), so it then asks for the same attacks as the CLI.
 */
function suite(fgsmEpsilons: number[], autoattackImages?: number): AttackSuite {
  const fgsm = { attack: 'fgsm', norm: 'infinity', epsilons: fgsmEpsilons, randomStart: false } as const;
  return [
    { ...fgsm, source: 'base' },
    { ...fgsm, source: 'self' },
    { attack: 'pgd', norm: 'infinity', epsilons: [0.2], steps: 20, randomStart: true, restarts: 1, source: 'self' },
    // the headline: APGD-CE → APGD-T → Square, per-example worst case (settings fixed by src/shared/attacks.ts); on a
    // fixed part of a large test split it costs minutes instead of most of an hour on two cores
    { attack: 'autoattack', norm: 'infinity', epsilons: [0.2], source: 'self', ...(autoattackImages === undefined ? {} : { testSize: autoattackImages }) },
  ];
}

export interface Preset {
  /** Short label for buttons. */
  title: string;
  /** One sentence for help texts. */
  description: string;
  config: ExperimentConfigInput;
}

const TUTORIAL: ExperimentConfigInput = {
  name: 'mnist-tutorial',
  tags: ['tutorial'],
  hparams: { ...TUTORIAL_HPARAMS, inputShape: [...TUTORIAL_HPARAMS.inputShape], convFilters: [...TUTORIAL_HPARAMS.convFilters], numFcUnits: [...TUTORIAL_HPARAMS.numFcUnits] },
  advReg: { ...TUTORIAL_ADV_REG },
  data: { dataset: { kind: 'mnist-sample' }, trainSize: 8000, testSize: 2000 },
  seed: 0,
  runs: ['base', 'adv'],
  // transfer FGSM from the base model, white-box FGSM and PGD-20 on all 2,000 test images, AutoAttack on 1,000 of them
  attacks: suite([0.05, 0.1, 0.2, 0.3], 1000),
};

export const PRESETS: Readonly<Record<PresetName, Preset>> = Object.freeze({
  'mnist-tutorial': {
    title: 'Tutorial',
    description: "NSL's MNIST tutorial exactly: its CNN and HParams, multiplier 0.2, step 0.2, L∞, no clipping in training",
    config: TUTORIAL,
  },
  'mnist-tutorial-clipped': {
    title: 'Tutorial, clipped',
    description: 'the tutorial with adversarial neighbours clipped to [0, 1] while training',
    config: { ...TUTORIAL, name: 'mnist-tutorial-clipped', advReg: { ...TUTORIAL_ADV_REG, clipValueMin: 0, clipValueMax: 1 } },
  },
  quick: {
    title: 'Quick',
    description: 'the tutorial for one epoch on 1,600 training and 400 test digits, to try the lab out',
    config: {
      ...TUTORIAL,
      name: 'quick',
      tags: ['quick'],
      hparams: { ...TUTORIAL.hparams, epochs: 1 },
      data: { dataset: { kind: 'mnist-sample' }, trainSize: 1600, testSize: 400 },
      attacks: suite([0.1, 0.2, 0.3]),
    },
  },
});

/** A fresh copy of a preset's config (callers may change it). */
export function presetConfig(name: PresetName): ExperimentConfigInput {
  return structuredClone(PRESETS[name].config);
}
