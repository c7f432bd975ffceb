// The at-chance check: a run whose last training epoch or clean test accuracy is within 5 points of 1/classes is
// flagged with what to change for its defence; a run that learned is not.
import { describe, expect, it } from 'vitest';
import { PgdAtDefenceSchema } from '../../../src/shared/defences';
import { CHANCE_MARGIN, chanceFlag, type ChanceInput } from '../../../src/shared/sanity-flags';

const pgdAt = PgdAtDefenceSchema.parse({ method: 'pgd-at', epsilon: 0.3 });
const input = (over: Partial<ChanceInput>): ChanceInput => ({ numClasses: 10, epochs: 5, lastTrainAccuracy: 0.9, cleanAccuracy: 0.9, role: 'adv', defence: pgdAt, ...over });

describe('chanceFlag', () => {
  it('flags a PGD-AT run that never left chance and says to ramp ε', () => {
    const f = chanceFlag(input({ lastTrainAccuracy: 0.102, cleanAccuracy: 0.098 }));
    expect(f?.check).toBe('at-chance');
    expect(f?.reason).toBe(
      'stayed at chance (train accuracy 10.2% after 5 epochs, clean test accuracy 9.8%; chance is 10.0%): for PGD-AT at ε 0.3, ramp ε from 0 (epsilonRampEpochs, e.g. 2) or lower ε; until the model learns, its robust accuracy means nothing.',
    );
  });

  it('uses 1/classes + 5 points as the limit, for training and clean test accuracy alike', () => {
    expect(chanceFlag(input({ lastTrainAccuracy: 0.1 + CHANCE_MARGIN }))).not.toBeNull();
    expect(chanceFlag(input({ lastTrainAccuracy: 0.1 + CHANCE_MARGIN + 0.001 }))).toBeNull();
    expect(chanceFlag(input({ cleanAccuracy: 0.14 }))?.reason).toMatch(/^stayed at chance \(clean test accuracy 14\.0%; chance is 10\.0%\)/);
    expect(chanceFlag(input({ numClasses: 2, lastTrainAccuracy: 0.54, cleanAccuracy: null }))?.reason).toMatch(/train accuracy 54\.0% after 5 epochs; chance is 50\.0%/);
    expect(chanceFlag(input({}))).toBeNull();
  });

  it('ignores training it did not see (an imported model) but still checks its clean accuracy', () => {
    expect(chanceFlag(input({ epochs: 0, lastTrainAccuracy: null, cleanAccuracy: 0.5 }))).toBeNull();
    expect(chanceFlag(input({ epochs: 0, lastTrainAccuracy: null, cleanAccuracy: 0.11 }))).not.toBeNull();
  });

  it('gives advice that fits the defence', () => {
    const at = (over: Partial<ChanceInput>): string => chanceFlag(input({ lastTrainAccuracy: 0.1, ...over }))!.reason;
    expect(at({ defence: { ...pgdAt, epsilonRampEpochs: 2 } })).toContain('ramp ε over more epochs (epsilonRampEpochs, now 2) or lower ε');
    expect(at({ defence: { method: 'trades', epsilon: 0.3, beta: 6, steps: 10, stepSize: 0.03, norm: 'infinity', epsilonRampEpochs: 0 } })).toContain('for TRADES at ε 0.3, ramp ε from 0 (epsilonRampEpochs, e.g. 2), lower β (6) or lower ε');
    expect(at({ defence: { method: 'fast-at', norm: 'infinity', epsilon: 0.3, cyclicLr: true, lrMax: 0.005, overfitGuard: true, overfitDrop: 0.2 } })).toContain('lower α (0.375) or ε, or lrMax (0.005)');
    expect(at({ defence: { method: 'nsl' } })).toContain('lower the multiplier');
    // a run stored before defences: its role says what trained it
    expect(at({ role: 'base', defence: undefined })).toContain('train longer or change the learning rate');
  });
});
