// The presets: one table, the tutorial's recipe exactly, and the same experiment from the CLI and from the form.
import { describe, expect, it } from 'vitest';
import { Flags, parseArgs } from '../../../src/main/cli/args';
import { buildRunConfig, RUN_FLAGS } from '../../../src/main/cli/run-flags';
import { TUTORIAL_HPARAMS as BUILDER_HPARAMS } from '../../../src/main/lab/models/builders';
import { checkForm, formToInput, presetForm } from '../../../src/renderer/src/lib/experiment-form';
import { PRESET_NAMES, PRESETS, TUTORIAL_ADV_REG, TUTORIAL_HPARAMS, presetConfig } from '../../../src/shared/presets';
import { ExperimentConfigSchema } from '../../../src/shared/schemas';

/** The config `rlab run` sends, as the service parses it. */
const cli = (...argv: string[]) => ExperimentConfigSchema.parse(buildRunConfig(new Flags(parseArgs(argv, RUN_FLAGS, 'run'))));

describe('presets', () => {
  it('are valid experiment configs', () => {
    for (const name of PRESET_NAMES) expect(ExperimentConfigSchema.safeParse(PRESETS[name].config).success, name).toBe(true);
  });

  it("mnist-tutorial is the notebook's recipe: its HParams and adv_config, no clipping while training", () => {
    const c = ExperimentConfigSchema.parse(presetConfig('mnist-tutorial'));
    expect(c.hparams).toEqual({ model: 'cnn', inputShape: [28, 28, 1], numClasses: 10, convFilters: [32, 64, 64], kernelSize: 3, poolSize: 2, numFcUnits: [64], batchSize: 32, epochs: 5, learningRate: 0.001, lrMilestones: [], lrGamma: 0.1, optimizer: 'adam' });
    // make_adv_reg_config(multiplier=0.2, adv_step_size=0.2, adv_grad_norm='infinity'), NSL's defaults for the rest
    expect(c.advReg).toEqual({ multiplier: 0.2, advStepSize: 0.2, advGradNorm: 'infinity', pgdIterations: 1, randomInit: false });
    expect(c.advReg).not.toHaveProperty('clipValueMin');
    expect(c.advReg).not.toHaveProperty('clipValueMax');
    expect(c.runs).toEqual(['base', 'adv']);
  });

  it('mnist-tutorial-clipped differs from the tutorial only by clipping neighbours to [0, 1]', () => {
    const tutorial = ExperimentConfigSchema.parse(presetConfig('mnist-tutorial'));
    const clipped = ExperimentConfigSchema.parse(presetConfig('mnist-tutorial-clipped'));
    expect(clipped.advReg).toEqual({ ...tutorial.advReg, clipValueMin: 0, clipValueMax: 1 });
    expect({ ...clipped, name: tutorial.name, advReg: tutorial.advReg }).toEqual(tutorial);
  });

  it('keep their attack suites: FGSM transfer and white-box, and PGD-20 with a random start', () => {
    for (const name of PRESET_NAMES) {
      const attacks = ExperimentConfigSchema.parse(presetConfig(name)).attacks.map((a) => [a.attack, a.source, a.steps, a.randomStart]);
      expect(attacks.slice(0, 3), name).toEqual([['fgsm', 'base', undefined, false], ['fgsm', 'self', undefined, false], ['pgd', 'self', 20, true]]);
    }
  });

  it('quick is one epoch on 1,600 train / 400 test digits of the tutorial model', () => {
    const c = ExperimentConfigSchema.parse(presetConfig('quick'));
    expect(c.hparams).toEqual({ ...TUTORIAL_HPARAMS, epochs: 1 });
    expect(c.data).toEqual({ dataset: { kind: 'mnist-sample' }, trainSize: 1600, testSize: 400 });
    expect(c.advReg).toMatchObject(TUTORIAL_ADV_REG);
  });

  it('are the model builders’ tutorial architecture', () => {
    const { batchSize: _b, epochs: _e, learningRate: _l, lrMilestones: _m, lrGamma: _g, optimizer: _o, ...model } = TUTORIAL_HPARAMS;
    expect(BUILDER_HPARAMS).toEqual(model);
  });

  it('hand out copies: changing one does not change the table', () => {
    const c = presetConfig('quick');
    c.hparams!.epochs = 99;
    expect(presetConfig('quick').hparams!.epochs).toBe(1);
  });
});

describe('one experiment per preset, whichever front end', () => {
  for (const name of PRESET_NAMES) {
    it(`${name}: rlab run --preset and the form resolve the same config`, () => {
      const fromForm = checkForm(presetForm(name));
      expect(fromForm.errors).toEqual({});
      expect(fromForm.config).toEqual(cli('--preset', name));
      expect(ExperimentConfigSchema.parse(formToInput(presetForm(name)))).toEqual(ExperimentConfigSchema.parse(presetConfig(name)));
    });
  }
});

describe('the tutorial headline', () => {
  it('runs AutoAttack ∞ ε0.2 on 1,000 of the 2,000 test images and the cheap attacks on all of them', () => {
    const c = ExperimentConfigSchema.parse(presetConfig('mnist-tutorial'));
    expect(c.attacks.map((a) => [a.attack, a.testSize])).toEqual([['fgsm', undefined], ['fgsm', undefined], ['pgd', undefined], ['autoattack', 1000]]);
    expect(ExperimentConfigSchema.parse(presetConfig('quick')).attacks.every((a) => a.testSize === undefined)).toBe(true);
  });
});

describe('the defence presets', () => {
  it('attack every model on one test subset, so the ensemble per ε (and the headline) includes the strongest attacks', () => {
    for (const name of ['mnist-defences', 'mnist-defences-full'] as const) {
      const c = ExperimentConfigSchema.parse(presetConfig(name));
      expect(new Set(c.attacks.map((a) => a.testSize ?? c.data.testSize)).size, name).toBe(1);
      expect(c.attacks.map((a) => a.attack), name).toEqual(['fgsm', 'fgsm', 'pgd', 'apgd-ce', 'apgd-t']);
      expect(new Set(c.attacks.flatMap((a) => a.epsilons))).toEqual(new Set([0.1, 0.2, 0.3]));
    }
  });
});
