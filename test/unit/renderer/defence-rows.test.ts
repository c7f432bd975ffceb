// The New-experiment form's defence picker as data: fields and defaults read off the shared defence schemas, empty
// fields left to the method's default, presets round-tripping, and every bad value reported by the shared schema
// under the field it names.
import { describe, expect, it } from 'vitest';
import { checkForm, formToInput, presetForm, tutorialForm } from '../../../src/renderer/src/lib/experiment-form';
import {
  PGD_NEIGHBOUR,
  PICKER_METHODS,
  defenceInputOf,
  defencePlaceholder,
  defenceRowOf,
  fieldKind,
  newDefenceRow,
  paramFields,
  pgdNeighbourTexts,
} from '../../../src/renderer/src/lib/defence-rows';
import { ATTACK_NORMS } from '../../../src/shared/attacks';
import { DEFENCE_FIELDS, DefenceSchema, FastAtDefenceSchema, PgdAtDefenceSchema, TradesDefenceSchema } from '../../../src/shared/defences';
import { PRESET_NAMES, presetConfig } from '../../../src/shared/presets';
import { ExperimentConfigSchema } from '../../../src/shared/schemas';
import { describeIssue } from '../../../src/shared/validate';

/** The schema's own sentence for the first issue at `path` of this form's request. */
function schemaMessageAt(form: ReturnType<typeof tutorialForm>, path: string): string {
  const input = formToInput(form);
  const r = ExperimentConfigSchema.safeParse(input);
  if (r.success) throw new Error('expected the schema to reject this input');
  return r.error.issues.filter((i) => i.path.join('.') === path).map((i) => describeIssue(i, input).message).join('; ');
}

describe('the picker reads the shared defence table', () => {
  it('offers every method but standard (the base run), with the fields DEFENCE_FIELDS lists', () => {
    expect(PICKER_METHODS).toEqual(['nsl', 'pgd-at', 'trades', 'mart', 'fast-at']);
    expect(paramFields('trades')).toEqual(DEFENCE_FIELDS.trades);
    expect(paramFields('nsl')).toEqual([]);
  });

  it('takes each field kind from the method schema', () => {
    expect(fieldKind('pgd-at', 'randomStart')).toEqual({ kind: 'switch' });
    expect(fieldKind('pgd-at', 'norm')).toEqual({ kind: 'choice', options: ATTACK_NORMS });
    expect(fieldKind('pgd-at', 'steps')).toEqual({ kind: 'number' });
    expect(fieldKind('fast-at', 'alpha')).toEqual({ kind: 'number' });
    expect(fieldKind('fast-at', 'overfitGuard')).toEqual({ kind: 'switch' });
  });

  it('shows the paper defaults of the schema as placeholders', () => {
    const pgd = PgdAtDefenceSchema.parse({ method: 'pgd-at' });
    expect(defencePlaceholder(newDefenceRow('pgd-at'), 'steps')).toBe(String(pgd.steps));
    expect(defencePlaceholder(newDefenceRow('pgd-at'), 'stepSize')).toBe(String(pgd.stepSize));
    expect(defencePlaceholder(newDefenceRow('trades'), 'beta')).toBe(String(TradesDefenceSchema.parse({ method: 'trades' }).beta));
    expect(defencePlaceholder(newDefenceRow('pgd-at'), 'norm')).toBe('L∞');
    expect(defencePlaceholder(newDefenceRow('pgd-at'), 'randomStart')).toBe('on');
    // α has no fixed default: 1.25 · ε, of the ε typed in the row
    expect(FastAtDefenceSchema.parse({ method: 'fast-at' }).alpha).toBeUndefined();
    expect(defencePlaceholder(newDefenceRow('fast-at'), 'alpha')).toBe('1.25·ε = 0.375');
    const row = newDefenceRow('fast-at');
    row.values.epsilon = '0.1';
    expect(defencePlaceholder(row, 'alpha')).toBe('1.25·ε = 0.125');
  });
});

describe('defenceInputOf', () => {
  it('leaves empty fields out so the schema applies the method defaults', () => {
    const input = defenceInputOf(newDefenceRow('trades'));
    expect(input).toEqual({ method: 'trades' });
    expect(DefenceSchema.parse(input)).toEqual(TradesDefenceSchema.parse({ method: 'trades' }));
  });

  it('sends only the fields of the chosen method, as numbers, choices and on/off', () => {
    const row = newDefenceRow('trades');
    row.values.beta = '3';
    row.values.epsilon = ' 0.2 ';
    row.method = 'pgd-at';
    row.values.randomStart = 'off';
    row.values.norm = 'l2';
    row.label = 'pgd-l2';
    expect(defenceInputOf(row)).toEqual({ method: 'pgd-at', label: 'pgd-l2', epsilon: 0.2, randomStart: false, norm: 'l2' });
  });

  it('turns text that is not a number into NaN, which the schema reports (no default hides it)', () => {
    const row = newDefenceRow('pgd-at');
    row.values.steps = 'ten';
    expect(defenceInputOf(row)).toMatchObject({ steps: NaN });
  });

  it('round-trips every preset: the form asks for the defences the preset does', () => {
    for (const name of PRESET_NAMES) {
      const given = presetConfig(name).defences ?? [{ method: 'nsl' as const }];
      expect(given.map((d) => defenceInputOf(defenceRowOf(d))).map((d) => DefenceSchema.parse(d)), name).toEqual(given.map((d) => DefenceSchema.parse(d)));
    }
  });

  it('gives an NSL entry its PGD neighbour as advReg overrides of the experiment', () => {
    const row = newDefenceRow('nsl');
    row.label = 'nsl-pgd';
    row.advReg = pgdNeighbourTexts();
    expect(defenceInputOf(row)).toEqual({ method: 'nsl', label: 'nsl-pgd', advReg: { ...PGD_NEIGHBOUR } });
    expect(PGD_NEIGHBOUR).toMatchObject({ pgdIterations: 40, pgdEpsilon: 0.3, advStepSize: 0.01, randomInit: true, clipValueMin: 0, clipValueMax: 1 });
    const form = { ...tutorialForm(), defences: [newDefenceRow('nsl'), row] };
    const { config, errors } = checkForm(form);
    expect(errors).toEqual({});
    expect(config!.defences[1]).toEqual({ method: 'nsl', label: 'nsl-pgd', advReg: { ...PGD_NEIGHBOUR } });
  });
});

describe('the form with defences', () => {
  it('fills the picker from the mnist-defences preset: NSL, NSL-PGD, PGD-AT, TRADES, MART, Fast-AT', () => {
    const f = presetForm('mnist-defences');
    expect(f.defences.map((d) => [d.method, d.label])).toEqual([['nsl', 'nsl'], ['nsl', 'nsl-pgd'], ['pgd-at', ''], ['trades', ''], ['mart', ''], ['fast-at', '']]);
    expect(f.defences[1]!.advReg).toMatchObject({ pgdIterations: '5', pgdEpsilon: '0.3', randomInit: 'on' });
    expect(checkForm(f).errors).toEqual({});
  });

  it('reports a bad value under defences.<i>.<field> with the schema sentence, and no config', () => {
    const form = { ...tutorialForm(), defences: [newDefenceRow('pgd-at'), newDefenceRow('trades')] };
    form.defences[0]!.values.stepSize = '0.5';
    form.defences[1]!.values.beta = '-1';
    const { config, errors } = checkForm(form);
    expect(config).toBeNull();
    expect(errors['defences.0.stepSize']).toBe(schemaMessageAt(form, 'defences.0.stepSize'));
    expect(errors['defences.0.stepSize']).toMatch(/^defences\.0\.stepSize must be in \(0, epsilon = 0\.3\]/);
    expect(errors['defences.1.beta']).toBe('defences.1.beta must be ≥ 0 (got -1)');
    expect(Object.keys(errors).sort()).toEqual(['defences.0.stepSize', 'defences.1.beta']);
  });

  it('reports two defences with one label under the second one’s label, and an empty list under defences', () => {
    const twice = { ...tutorialForm(), defences: [newDefenceRow('pgd-at'), newDefenceRow('pgd-at')] };
    expect(Object.keys(checkForm(twice).errors)).toEqual(['defences.1.label']);
    twice.defences[1]!.label = 'pgd-at-2';
    expect(checkForm(twice).errors).toEqual({});
    expect(checkForm({ ...tutorialForm(), defences: [] }).errors.defences).toBe('defences must be ≥ 1 items (got [])');
  });

  it('keeps the tutorial: one NSL defence with the experiment’s advReg', () => {
    expect(tutorialForm().defences).toEqual([newDefenceRow('nsl')]);
    expect(checkForm(tutorialForm()).config!.defences).toEqual([{ method: 'nsl' }]);
  });
});
