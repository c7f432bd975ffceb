// The New-experiment form: presets are valid configs, and every problem is reported under its field with the
// shared schema's own sentence.
import { describe, expect, it } from 'vitest';
import { ExperimentConfigSchema } from '../../../src/shared/schemas';
import { describeIssue } from '../../../src/shared/validate';
import { centerMask, checkForm, fieldOf, formToInput, presetForm, quickForm, tutorialForm } from '../../../src/renderer/src/lib/experiment-form';

function schemaMessage(input: unknown): string {
  return schemaMessages(input)[0]!;
}

function schemaMessages(input: unknown): string[] {
  const r = ExperimentConfigSchema.safeParse(input);
  if (r.success) throw new Error('expected the schema to reject this input');
  return r.error.issues.map((i) => describeIssue(i, input).message);
}

describe('presets', () => {
  it('the tutorial preset is NSL tutorial: CNN [32, 64, 64], dense 64, batch 32, 5 epochs, multiplier 0.2, step 0.2, L∞, no clipping', () => {
    const { config, errors } = checkForm(tutorialForm());
    expect(errors).toEqual({});
    expect(config!.hparams).toMatchObject({ model: 'cnn', convFilters: [32, 64, 64], kernelSize: 3, poolSize: 2, numFcUnits: [64], batchSize: 32, epochs: 5 });
    expect(config!.advReg).toEqual({ multiplier: 0.2, advStepSize: 0.2, advGradNorm: 'infinity', pgdIterations: 1, randomInit: false });
    expect(config!.runs).toEqual(['base', 'adv']);
    expect(config!.attacks.slice(0, 3).map((a) => [a.attack, a.source])).toEqual([['fgsm', 'base'], ['fgsm', 'self'], ['pgd', 'self']]);
  });

  it('the quick preset is valid and smaller than the tutorial', () => {
    const quick = checkForm(quickForm()).config!;
    const tutorial = checkForm(tutorialForm()).config!;
    expect(quick.data.trainSize).toBeLessThan(tutorial.data.trainSize);
    expect(quick.hparams.epochs).toBeLessThan(tutorial.hparams.epochs);
    expect(presetForm('quick')).toEqual(quickForm());
  });
});

describe('checkForm', () => {
  it('puts the schema message under the field it names', () => {
    const form = { ...tutorialForm(), epochs: '0' };
    const { config, errors } = checkForm(form);
    expect(config).toBeNull();
    expect(errors).toEqual({ 'hparams.epochs': schemaMessage(formToInput(form)) });
    expect(errors['hparams.epochs']).toBe('hparams.epochs must be ≥ 1 (got 0)');
  });

  it('reports an emptied required number instead of silently using the default', () => {
    const { errors } = checkForm({ ...tutorialForm(), batchSize: '  ' });
    expect(errors['hparams.batchSize']).toBe('hparams.batchSize must be a finite number (got NaN)');
  });

  it('treats an empty optional number as unset', () => {
    const input = formToInput({ ...tutorialForm(), clipValueMin: '', clipValueMax: '', pgdEpsilon: '' });
    expect(input.advReg).toMatchObject({ clipValueMin: undefined, clipValueMax: undefined, pgdEpsilon: undefined });
    expect(checkForm({ ...tutorialForm(), clipValueMin: '', clipValueMax: '' }).errors).toEqual({});
  });

  it('reports a bad list item under its list, and cross-field rules under the later field', () => {
    const form = tutorialForm();
    form.attacks[1]!.epsilons = '0.1, 1.5';
    const bad = { ...form, clipValueMin: '1', clipValueMax: '0', convFilters: '32, x' };
    const { errors } = checkForm(bad);
    const messages = schemaMessages(formToInput(bad));
    const about = (prefix: string) => messages.filter((m) => m.startsWith(prefix)).join('; ');
    expect(errors['attacks.1.epsilons']).toBe(about('attacks.1.epsilons.1 '));
    expect(errors['attacks.1.epsilons']).toMatch(/\(got 1\.5\)$/);
    expect(errors['hparams.convFilters']).toBe('hparams.convFilters.1 must be a finite number (got NaN)');
    expect(errors['advReg.clipValueMax']).toBe(about('advReg.clipValueMax '));
    expect(Object.keys(errors).sort()).toEqual(['advReg.clipValueMax', 'attacks.1.epsilons', 'hparams.convFilters']);
  });

  it('sends the learning-rate decay as typed, and says a milestone past the epochs under its field', () => {
    const ok = checkForm({ ...tutorialForm(), lrMilestones: '3, 4', lrGamma: '0.5' });
    expect(ok.config!.hparams).toMatchObject({ epochs: 5, lrMilestones: [3, 4], lrGamma: 0.5 });
    expect(checkForm({ ...tutorialForm(), lrMilestones: '' }).config!.hparams.lrMilestones).toEqual([]);
    const bad = { ...tutorialForm(), lrMilestones: '2, 5' };
    expect(checkForm(bad).errors).toEqual({ 'hparams.lrMilestones': schemaMessage(formToInput(bad)) });
    expect(checkForm(bad).errors['hparams.lrMilestones']).toBe('hparams.lrMilestones must each be below epochs (5): after epoch 5 no epoch is left to decay (got [2,5])');
    expect(checkForm({ ...tutorialForm(), lrGamma: '0' }).errors['hparams.lrGamma']).toBe('hparams.lrGamma must be > 0 (got 0)');
  });

  it('needs at least one model to train', () => {
    const { errors } = checkForm({ ...tutorialForm(), runBase: false, runAdv: false });
    expect(errors.runs).toBe('runs must be ≥ 1 items (got [])');
  });

  it('sends an imported dataset by its id', () => {
    expect(formToInput({ ...tutorialForm(), dataset: 'imported:my-digits' }).data).toMatchObject({ dataset: { kind: 'imported', id: 'my-digits' } });
  });

  it('builds a centre mask over the image when asked', () => {
    const input = formToInput({ ...tutorialForm(), featureMask: 'center' });
    expect(input.advReg!.featureMask).toEqual(centerMask(28, 28));
    expect(checkForm({ ...tutorialForm(), featureMask: 'center' }).errors).toEqual({});
  });
});

describe('centerMask', () => {
  it('keeps a border of a seventh of the side unperturbed', () => {
    const m = centerMask(28, 28);
    expect(m).toHaveLength(784);
    expect(m.filter((v) => v === 1)).toHaveLength(20 * 20);
    expect(m[0]).toBe(0);
    expect(m[14 * 28 + 14]).toBe(1);
  });
});

describe('fieldOf', () => {
  it('maps list items to their list and keeps other paths whole', () => {
    expect(fieldOf(['hparams', 'numFcUnits', 2])).toBe('hparams.numFcUnits');
    expect(fieldOf(['attacks', 0, 'epsilons', 3])).toBe('attacks.0.epsilons');
    expect(fieldOf(['advReg', 'multiplier'])).toBe('advReg.multiplier');
    expect(fieldOf([])).toBe('form');
  });
});
