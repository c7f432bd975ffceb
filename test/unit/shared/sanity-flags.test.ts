// Sanity checks over one model's attack results: each check fires on the pattern it names and on nothing else.
import { describe, expect, it } from 'vitest';
import { flagSummary, sanityFlags, type SanityInput } from '../../../src/shared/sanity-flags';

const base: SanityInput = { attack: 'pgd', norm: 'infinity', epsilon: 0.1, steps: 20, stepSize: 0.0125, restarts: 1, randomStart: true, sourceRunId: null, accuracy: 0.5, count: 1000, zeroGradFraction: 0 };
const clean: SanityInput = { ...base, attack: 'clean', epsilon: 0, steps: 0, stepSize: null, randomStart: false, accuracy: 0.99 };
const at = (over: Partial<SanityInput>): SanityInput => ({ ...base, ...over });
const checks = (results: SanityInput[]): string[][] => sanityFlags(results).map((f) => f.map((x) => x.check));

describe('sanityFlags', () => {
  it('passes a consistent suite', () => {
    const suite = [
      clean,
      at({ epsilon: 0.1, accuracy: 0.6 }),
      at({ epsilon: 0.2, stepSize: 0.025, accuracy: 0.3 }),
      at({ epsilon: 0.2, stepSize: 0.025, restarts: 10, accuracy: 0.28 }),
      at({ epsilon: 0.2, steps: 100, stepSize: 0.005, accuracy: 0.29 }),
      at({ attack: 'square', epsilon: 0.2, steps: 0, stepSize: null, queries: 5000, accuracy: 0.3 }),
      at({ attack: 'pgd', epsilon: 0.2, stepSize: 0.025, sourceRunId: 'base', accuracy: 0.7 }),
      at({ attack: 'pgd', norm: 'infinity', epsilon: 1, stepSize: 0.125, accuracy: 0 }),
    ];
    expect(checks(suite)).toEqual(suite.map(() => []));
  });

  it('flags accuracy that rises with ε, or exceeds the clean accuracy', () => {
    const flags = sanityFlags([clean, at({ epsilon: 0.1, accuracy: 0.4 }), at({ epsilon: 0.2, stepSize: 0.025, accuracy: 0.45 }), at({ epsilon: 0.3, attack: 'fgsm', steps: 1, accuracy: 0.995 })]);
    expect(flags[1]).toEqual([]);
    expect(flags[2]!.map((f) => f.check)).toEqual(['non-monotone-eps']);
    expect(flags[2]![0]!.reason).toMatch(/^possibly overstated: accuracy rises from 40\.0% at ε0\.1 to 45\.0% at ε0\.2/);
    expect(flags[3]!.map((f) => f.check)).toEqual(['above-clean']);
  });

  it('flags a white-box ∞ attack that leaves anything correct at ε = 1', () => {
    expect(checks([at({ epsilon: 1, accuracy: 0.02 }), at({ epsilon: 1, attack: 'fgsm', accuracy: 0.3 }), at({ epsilon: 1, sourceRunId: 'x', accuracy: 0.3 })])).toEqual([['linf-eps1-not-zero'], [], []]);
  });

  it('flags more steps or restarts on the same schedule reading weaker', () => {
    const few = at({ epsilon: 0.3, stepSize: 0.0375, accuracy: 0.2 });
    const moreRestarts = at({ epsilon: 0.3, stepSize: 0.0375, restarts: 5, accuracy: 0.25 });
    const moreSteps = at({ epsilon: 0.3, steps: 100, stepSize: 0.0075, accuracy: 0.22 });
    const otherSchedule = at({ epsilon: 0.3, steps: 100, stepSize: 0.01, accuracy: 0.3 });
    expect(checks([few, moreRestarts, moreSteps, otherSchedule])).toEqual([[], ['more-iterations-weaker'], ['more-iterations-weaker'], []]);
  });

  it('flags a white-box attack weaker than the same attack transferred', () => {
    expect(checks([at({ accuracy: 0.6 }), at({ sourceRunId: 'base', accuracy: 0.5 }), at({ attack: 'fgsm', sourceRunId: 'base', accuracy: 0.1 })])).toEqual([['whitebox-weaker-than-transfer'], [], []]);
  });

  it('flags gradient attacks that Square beats by more than 0.2 points, also inside AutoAttack', () => {
    const square = at({ attack: 'square', steps: 0, stepSize: null, queries: 5000, accuracy: 0.4 });
    expect(checks([at({ accuracy: 0.401 }), square])).toEqual([[], []]);
    expect(checks([at({ accuracy: 0.45 }), square])).toEqual([['square-beats-gradient'], []]);
    const aa = at({ attack: 'autoattack', steps: 100, stepSize: 0.2, accuracy: 0.3, components: [{ attack: 'apgd-ce', accuracy: 0.36 }, { attack: 'apgd-t', accuracy: 0.35 }, { attack: 'square', accuracy: 0.3 }] });
    expect(checks([at({ accuracy: 0.36 }), aa])).toEqual([['square-beats-gradient'], ['square-beats-gradient']]);
  });

  it('flags gradient attacks when too many examples have a zero input gradient', () => {
    const flags = sanityFlags([at({ zeroGradFraction: 0.2 }), at({ attack: 'square', zeroGradFraction: 0.2 }), at({ zeroGradFraction: 0.005 })]);
    expect(flags.map((f) => f.map((x) => x.check))).toEqual([['zero-gradients'], [], []]);
    expect(flags[0]![0]!.reason).toContain('20.0% of the examples');
    expect(sanityFlags([at({ zeroGradFraction: 0.005 })], { zeroGradThreshold: 0.001 })[0]!.map((f) => f.check)).toEqual(['zero-gradients']);
  });
});

describe('flagSummary', () => {
  it('calls a model at chance by its name and anything else possibly overstated', () => {
    expect(flagSummary([])).toBe('');
    expect(flagSummary([{ check: 'at-chance' }])).toBe('stayed at chance');
    expect(flagSummary([{ check: 'at-chance' }, { check: 'zero-gradients' }])).toBe('possibly overstated');
    expect(flagSummary([{ check: 'non-monotone-eps' }])).toBe('possibly overstated');
  });
});
