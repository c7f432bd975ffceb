import { describe, expect, it } from 'vitest';
import { AdvRegSchema, AttackSpecSchema, EvaluateRequestSchema, ExperimentConfigSchema, HParamsSchema } from '../../../src/shared/schemas';

describe('ExperimentConfigSchema', () => {
  it('defaults to the NSL tutorial model with both runs and the offline sample', () => {
    const c = ExperimentConfigSchema.parse({});
    expect(c.hparams).toMatchObject({ model: 'cnn', inputShape: [28, 28, 1], numClasses: 10, convFilters: [32, 64, 64], kernelSize: 3, poolSize: 2, numFcUnits: [64], batchSize: 32, epochs: 5 });
    expect(c.runs).toEqual(['base', 'adv']);
    expect(c.data).toEqual({ dataset: { kind: 'mnist-sample' }, trainSize: 8000, testSize: 2000 });
  });

  it('refuses a repeated run role', () => {
    expect(ExperimentConfigSchema.safeParse({ runs: ['adv', 'adv'] }).success).toBe(false);
  });

  it('refuses epochs over 1000 and a batch size of 0', () => {
    expect(HParamsSchema.safeParse({ epochs: 1001 }).success).toBe(false);
    expect(HParamsSchema.safeParse({ batchSize: 0 }).success).toBe(false);
  });
});

describe('AdvRegSchema', () => {
  it("has NSL 1.4's defaults", () => {
    expect(AdvRegSchema.parse({})).toEqual({ multiplier: 0.2, advStepSize: 0.001, advGradNorm: 'l2', pgdIterations: 1, randomInit: false });
  });

  it('refuses pgdEpsilon with the l1 norm, which NSL cannot project onto', () => {
    const r = AdvRegSchema.safeParse({ advGradNorm: 'l1', pgdEpsilon: 0.1 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['pgdEpsilon']);
  });

  it('refuses clipValueMin above clipValueMax', () => {
    expect(AdvRegSchema.safeParse({ clipValueMin: 1, clipValueMax: 0 }).success).toBe(false);
  });
});

describe('attack epsilons', () => {
  it('keeps infinity-norm epsilons in [0, 1]', () => {
    expect(AttackSpecSchema.safeParse({ attack: 'fgsm', epsilons: [1.5] }).success).toBe(false);
    expect(AttackSpecSchema.safeParse({ attack: 'fgsm', epsilons: [-0.1] }).success).toBe(false);
    expect(AttackSpecSchema.safeParse({ attack: 'fgsm', epsilons: [0, 0.3, 1] }).success).toBe(true);
  });

  it('allows L2 radii up to √784 = 28, the L2 size of an all-white MNIST image', () => {
    expect(EvaluateRequestSchema.safeParse({ runId: 'run_x1', attack: 'pgd', norm: 'l2', epsilons: [1.5, 3] }).success).toBe(true);
    expect(EvaluateRequestSchema.safeParse({ runId: 'run_x1', attack: 'pgd', norm: 'l2', epsilons: [29] }).success).toBe(false);
  });
});
