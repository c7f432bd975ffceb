import { describe, expect, it } from 'vitest';
import { cyclicLearningRate, DEFENCE_FIELDS, DEFENCE_INFO, DEFENCE_METHODS, DefenceSchema, defenceLabel, fastAtAlpha, gradientPassesPerStep, rampedEpsilon, runDefence } from '../../../src/shared/defences';
import { ExperimentConfigSchema } from '../../../src/shared/schemas';

const issues = (input: unknown): [string, string][] => {
  const r = ExperimentConfigSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => [i.path.join('.'), i.message]);
};

describe('the defence table', () => {
  it('gives each method its paper defaults', () => {
    expect(DefenceSchema.parse({ method: 'pgd-at' })).toEqual({ method: 'pgd-at', norm: 'infinity', epsilon: 0.3, steps: 40, stepSize: 0.01, epsilonRampEpochs: 0, randomStart: true });
    expect(DefenceSchema.parse({ method: 'trades' })).toMatchObject({ beta: 6, epsilon: 0.3, steps: 40, stepSize: 0.01 });
    expect(DefenceSchema.parse({ method: 'mart' })).toMatchObject({ beta: 6, epsilon: 0.3, steps: 40, stepSize: 0.01 });
    const fast = DefenceSchema.parse({ method: 'fast-at' });
    expect(fast).toEqual({ method: 'fast-at', norm: 'infinity', epsilon: 0.3, cyclicLr: true, lrMax: 0.005, overfitGuard: true, overfitDrop: 0.2 });
    expect(fastAtAlpha(fast as { epsilon: number })).toBeCloseTo(0.375, 12);
  });

  it('describes every method with a title, a summary and (but for standard) a reference, and lists its fields', () => {
    for (const m of DEFENCE_METHODS) {
      expect(DEFENCE_INFO[m].title.length).toBeGreaterThan(0);
      expect(DEFENCE_INFO[m].summary.length).toBeGreaterThan(10);
      if (m !== 'standard') expect(DEFENCE_INFO[m].reference).toMatch(/20\d\d/);
      // every listed field is a field of the method's schema
      const parsed = DefenceSchema.parse({ method: m }) as Record<string, unknown>;
      for (const f of DEFENCE_FIELDS[m]) if (f !== 'advReg' && f !== 'alpha') expect(parsed).toHaveProperty(f);
    }
  });

  it('refuses bad parameters naming the field and the allowed range', () => {
    expect(issues({ defences: [{ method: 'trades', beta: -1 }] })).toEqual([['defences.0.beta', expect.stringMatching(/>=\s*0/)]]);
    expect(issues({ defences: [{ method: 'pgd-at', epsilon: 1.5 }] })).toEqual([['defences.0.epsilon', 'must be in (0, 1] for norm infinity']]);
    expect(issues({ defences: [{ method: 'pgd-at', norm: 'l2', epsilon: 2, stepSize: 0.5 }] })).toEqual([]);
    expect(issues({ defences: [{ method: 'pgd-at', steps: 0 }] })[0]![0]).toBe('defences.0.steps');
    expect(issues({ defences: [{ method: 'pgd-at', stepSize: 0 }] })[0]![0]).toBe('defences.0.stepSize');
    expect(issues({ defences: [{ method: 'pgd-at', stepSize: 0.31 }] })).toEqual([['defences.0.stepSize', 'must be in (0, epsilon = 0.3]']]);
    expect(issues({ defences: [{ method: 'fast-at', alpha: 1 }] })).toEqual([['defences.0.alpha', expect.stringContaining('2.5 · epsilon')]]);
  });

  it('refuses a parameter of another defence (strict entries) and an unknown method', () => {
    expect(issues({ defences: [{ method: 'pgd-at', beta: 6 }] })).toEqual([['defences.0', expect.stringMatching(/beta/)]]);
    expect(issues({ defences: [{ method: 'free-at' }] })[0]![0]).toBe('defences.0.method');
  });

  it('keeps standard out of the defences (it is the base run) and labels unique', () => {
    expect(issues({ defences: [{ method: 'standard' }] })).toEqual([['defences.0.method', 'standard is the base run: put "base" in runs instead']]);
    expect(issues({ defences: [{ method: 'nsl' }, { method: 'nsl', advReg: { pgdIterations: 40 } }] })).toEqual([['defences.1.label', expect.stringContaining('"adv"')]]);
    expect(issues({ defences: [{ method: 'nsl' }, { method: 'nsl', label: 'nsl-pgd', advReg: { pgdIterations: 40 } }] })).toEqual([]);
    expect(issues({ defences: [{ method: 'pgd-at', label: 'base' }] })[0]![0]).toBe('defences.0.label');
    expect(issues({ defences: [{ method: 'pgd-at', label: 'Has Spaces' }] })[0]![0]).toBe('defences.0.label');
  });

  it('defaults to NSL with the experiment advReg, the tutorial adv run', () => {
    expect(ExperimentConfigSchema.parse({}).defences).toEqual([{ method: 'nsl' }]);
    expect(defenceLabel({ method: 'nsl' })).toBe('adv');
    expect(defenceLabel({ method: 'pgd-at' })).toBe('pgd-at');
    expect(defenceLabel({ method: 'nsl', label: 'nsl-pgd' })).toBe('nsl-pgd');
  });

  it('reads runs stored before defences by their role', () => {
    expect(runDefence({ role: 'base' })).toEqual({ method: 'standard' });
    expect(runDefence({ role: 'adv' })).toEqual({ method: 'nsl' });
    expect(runDefence({ role: 'adv', defence: { method: 'mart', norm: 'infinity', epsilon: 0.3, steps: 10, stepSize: 0.03, epsilonRampEpochs: 0, beta: 6 } }).method).toBe('mart');
  });
});

describe('schedules', () => {
  it('ramps ε linearly over the ramp epochs, then holds it', () => {
    expect(rampedEpsilon(0.3, 0, 0)).toBe(0.3);
    expect(rampedEpsilon(0.3, 4, 0)).toBe(0);
    expect(rampedEpsilon(0.3, 4, 1)).toBeCloseTo(0.075, 12);
    expect(rampedEpsilon(0.3, 4, 2.5)).toBeCloseTo(0.1875, 12);
    expect(rampedEpsilon(0.3, 4, 4)).toBe(0.3);
    expect(rampedEpsilon(0.3, 4, 11)).toBe(0.3);
  });

  it("cycles the learning rate 0 → lrMax at 2/5 of training → 0 (Wong et al.'s np.interp schedule)", () => {
    const at = (p: number) => cyclicLearningRate(0.005, p, 10);
    expect(at(0)).toBe(0);
    expect(at(2)).toBeCloseTo(0.0025, 12);
    expect(at(4)).toBeCloseTo(0.005, 12);
    expect(at(7)).toBeCloseTo(0.0025, 12);
    expect(at(10)).toBe(0);
  });

  it('counts gradient passes per batch', () => {
    expect(gradientPassesPerStep({ method: 'standard' }, 1)).toBe(1);
    expect(gradientPassesPerStep({ method: 'nsl' }, 1)).toBe(2);
    expect(gradientPassesPerStep(DefenceSchema.parse({ method: 'pgd-at', steps: 10, stepSize: 0.075 }), 1)).toBe(11);
    expect(gradientPassesPerStep(DefenceSchema.parse({ method: 'fast-at' }), 1)).toBe(2);
    expect(gradientPassesPerStep(DefenceSchema.parse({ method: 'trades', steps: 10, stepSize: 0.075 }), 1)).toBe(12);
  });
});
