import { describe, expect, it } from 'vitest';
import { learningRateText, lrMilestonesProblem, scheduledLearningRate } from '../../../src/shared/lr-schedule';
import { ExperimentConfigSchema } from '../../../src/shared/schemas';

describe('the learning-rate step decay', () => {
  it('multiplies the rate by γ from each milestone epoch on, as MultiStepLR (0-based epochs)', () => {
    const h = { learningRate: 0.001, lrMilestones: [3, 5], lrGamma: 0.1 };
    const expected = [1e-3, 1e-3, 1e-3, 1e-4, 1e-4, 1e-5, 1e-5];
    expected.forEach((lr, epoch) => expect(scheduledLearningRate(h, epoch)).toBeCloseTo(lr, 15));
    expect(scheduledLearningRate({ learningRate: 0.01, lrMilestones: [], lrGamma: 0.5 }, 9)).toBe(0.01);
    // a run stored before the schedule existed keeps its constant rate
    expect(scheduledLearningRate({ learningRate: 0.01 }, 9)).toBe(0.01);
  });

  it('refuses milestones out of order or at/after the last epoch, naming the field and the rule', () => {
    expect(lrMilestonesProblem([2, 4], 5)).toBeUndefined();
    expect(lrMilestonesProblem([4, 2], 5)).toBe('must be strictly increasing (got 4, 2)');
    expect(lrMilestonesProblem([3, 3], 5)).toBe('must be strictly increasing (got 3, 3)');
    expect(lrMilestonesProblem([5], 5)).toBe('must each be below epochs (5): after epoch 5 no epoch is left to decay');
    const r = ExperimentConfigSchema.safeParse({ hparams: { epochs: 12, lrMilestones: [10, 12] } });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['hparams.lrMilestones', 'must each be below epochs (12): after epoch 12 no epoch is left to decay']]);
    for (const hparams of [{ lrGamma: 0 }, { lrGamma: 1.5 }, { lrMilestones: [0] }, { lrMilestones: [1.5] }]) {
      const bad = ExperimentConfigSchema.safeParse({ hparams: { epochs: 12, ...hparams } });
      expect(bad.error?.issues[0]?.path.join('.')).toBe(`hparams.${Object.keys(hparams)[0]}${'lrMilestones' in hparams ? '.0' : ''}`);
    }
    expect(ExperimentConfigSchema.parse({}).hparams).toMatchObject({ lrMilestones: [], lrGamma: 0.1 });
  });

  it('reads as the rate and its decay', () => {
    expect(learningRateText({ learningRate: 0.001, lrMilestones: [], lrGamma: 0.1 })).toBe('lr 0.001');
    expect(learningRateText({ learningRate: 0.001, lrMilestones: [10], lrGamma: 0.1 })).toBe('lr 0.001, × 0.1 after epoch 10');
    expect(learningRateText({ learningRate: 0.001, lrMilestones: [8, 11], lrGamma: 0.5 })).toBe('lr 0.001, × 0.5 after epochs 8, 11');
  });
});
