// checkAdvReg: the shared AdvRegConfig rules plus the mask length the model fixes, named under advReg.
import { describe, expect, it } from 'vitest';
import { type RunConfig } from '../../../../../src/shared/contract';
import { checkAdvReg } from '../../../../../src/main/lab/worker/adv-reg-input';
import { ExperimentConfigSchema } from '../../../../../src/shared/schemas';

function runConfig(advReg: Record<string, unknown>, inputShape: [number, number, number] = [28, 28, 1]): RunConfig {
  const c = ExperimentConfigSchema.parse({ hparams: { inputShape } });
  return { role: 'adv', hparams: c.hparams, advReg: { ...c.advReg, ...advReg } as RunConfig['advReg'], data: c.data, seed: 0, attacks: [] };
}

describe('checkAdvReg', () => {
  it('accepts randomInit without pgdEpsilon, as NSL does', () => {
    expect(() => checkAdvReg(runConfig({ randomInit: true }))).not.toThrow();
  });

  it('accepts a mask of one value per input value', () => {
    expect(() => checkAdvReg(runConfig({ featureMask: Array<number>(784).fill(1) }))).not.toThrow();
    expect(() => checkAdvReg(runConfig({ featureMask: Array<number>(12).fill(0.5) }, [2, 2, 3]))).not.toThrow();
  });

  it('refuses a mask of another length, naming advReg.featureMask and the count', () => {
    expect(() => checkAdvReg(runConfig({ featureMask: [1, 0, 1] }))).toThrow(expect.objectContaining({ field: 'advReg.featureMask', message: 'advReg.featureMask must have 784 entries, one per input value of the 28×28×1 input (got 3)' }));
  });

  it("refuses what the shared schema refuses, under advReg (pgdEpsilon with 'l1')", () => {
    expect(() => checkAdvReg(runConfig({ advGradNorm: 'l1', pgdEpsilon: 0.1 }))).toThrow(expect.objectContaining({ field: 'advReg.pgdEpsilon' }));
  });
});
