// The attack editor's rows: empty fields stay empty in the request, fields an attack does not take are never sent,
// and placeholders come from the shared attack table.
import { describe, expect, it } from 'vitest';
import { ATTACK_DEFAULTS, ATTACK_KINDS } from '../../../src/shared/attacks';
import { presetConfig } from '../../../src/shared/presets';
import { ExperimentConfigSchema } from '../../../src/shared/schemas';
import { attackInputOf, newAttackRow, placeholderOf } from '../../../src/renderer/src/lib/attack-rows';
import { checkForm, formToInput, presetForm } from '../../../src/renderer/src/lib/experiment-form';

describe('attack rows', () => {
  it('a preset shown in the form asks for exactly the preset’s attacks, AutoAttack included', () => {
    const form = presetForm('mnist-tutorial');
    expect(formToInput(form).attacks).toEqual(ExperimentConfigSchema.parse(presetConfig('mnist-tutorial')).attacks);
    expect(form.attacks.map((a) => a.attack)).toContain('autoattack');
    expect(checkForm(form).errors).toEqual({});
  });

  it('every kind added with its fields left empty is valid and sends only attack, norm, ε and source', () => {
    for (const kind of ATTACK_KINDS) {
      const row = newAttackRow(kind, '0.1');
      expect(attackInputOf(row, [0.1])).toEqual({ attack: kind, norm: 'infinity', epsilons: [0.1], source: 'self' });
    }
    const form = presetForm('quick');
    form.attacks = ATTACK_KINDS.map((k) => newAttackRow(k, '0.1, 0.2'));
    expect(checkForm(form).errors).toEqual({});
  });

  it('a value typed into a field the attack does not take (left over from another kind) is not sent', () => {
    const row = { ...newAttackRow('pgd', '0.1'), steps: '40', randomStart: false };
    expect(attackInputOf(row, [0.1])).toMatchObject({ steps: 40, randomStart: false });
    expect(attackInputOf({ ...row, attack: 'autoattack' }, [0.1])).toEqual({ attack: 'autoattack', norm: 'infinity', epsilons: [0.1], source: 'self' });
    expect(attackInputOf({ ...row, attack: 'fgsm' }, [0.1])).toEqual({ attack: 'fgsm', norm: 'infinity', epsilons: [0.1], randomStart: false, source: 'self' });
  });

  it('a test size is sent for any attack when typed, left out when empty, and checked by the schema', () => {
    const row = { ...newAttackRow('autoattack', '0.2'), testSize: '500' };
    expect(attackInputOf(row, [0.2])).toEqual({ attack: 'autoattack', norm: 'infinity', epsilons: [0.2], source: 'self', testSize: 500 });
    expect(attackInputOf({ ...row, testSize: ' ' }, [0.2])).not.toHaveProperty('testSize');
    const form = presetForm('quick');
    form.attacks = [{ ...row, testSize: '0' }];
    expect(Object.keys(checkForm(form).errors)).toEqual(['attacks.0.testSize']);
    expect(presetForm('mnist-tutorial').attacks.map((a) => a.testSize)).toEqual(['', '', '', '1000']);
  });

  it('a bad number reaches the schema, which names the field', () => {
    const form = presetForm('quick');
    form.attacks = [{ ...newAttackRow('square', '0.1'), queries: '0' }];
    expect(Object.keys(checkForm(form).errors)).toEqual(['attacks.0.queries']);
  });

  it('placeholders show the shared defaults, fixed ones marked', () => {
    expect(placeholderOf('pgd', 'steps')).toBe(String(ATTACK_DEFAULTS.pgd.steps));
    expect(placeholderOf('pgd', 'stepSize')).toBe('2.5·ε/steps');
    expect(placeholderOf('fgsm', 'steps')).toBe('fixed: 1');
    expect(placeholderOf('square', 'queries')).toBe('5000');
    expect(placeholderOf('apgd-t', 'targets')).toBe('9 (≤ classes − 1)');
    expect(placeholderOf('autoattack', 'restarts')).toBe('fixed: 1');
  });
});
