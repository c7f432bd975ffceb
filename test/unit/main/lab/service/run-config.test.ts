import { describe, expect, it } from 'vitest';
import { ExperimentConfigSchema } from '../../../../../src/shared/schemas';
import { checkAttackSuite, evalTasksFor, runConfigFor, type SourceLookup } from '../../../../../src/main/lab/service/run-config';
import { TUTORIAL_SUITE } from './helpers';

const config = ExperimentConfigSchema.parse({ advReg: { multiplier: 0.2 }, seed: 11, attacks: TUTORIAL_SUITE });

function lookup(models: Record<string, string | null>, warnings: string[] = []): SourceLookup {
  return { baseRunId: 'run_base', modelPathOf: (id) => models[id] ?? null, warn: (m) => warnings.push(m) };
}

describe('runConfigFor', () => {
  it('gives the base run multiplier 0 and both runs the same seed, data and model', () => {
    const base = runConfigFor(config, 'base');
    const adv = runConfigFor(config, 'adv');
    expect(base.advReg.multiplier).toBe(0);
    expect(adv.advReg.multiplier).toBe(0.2);
    expect(base.seed).toBe(adv.seed);
    expect(base.data).toEqual(adv.data);
    expect(base.hparams).toEqual(adv.hparams);
    expect({ ...base.advReg, multiplier: 0.2 }).toEqual(adv.advReg);
  });
});

describe('evalTasksFor', () => {
  it('runs the tutorial suite on the adv run as clean, FGSM transfer from base, FGSM and PGD-20 white-box', () => {
    const tasks = evalTasksFor('run_adv', runConfigFor(config, 'adv'), lookup({ run_base: '/runs/run_base/model/model.json' }));
    expect(tasks.map((t) => [t.attack, t.steps, t.epsilon, t.sourceRunId])).toEqual([
      ['clean', 0, 0, null],
      ['fgsm', 1, 0.2, 'run_base'],
      ['fgsm', 1, 0.2, null],
      ['pgd', 20, 0.2, null],
    ]);
    expect(tasks[1]!.sourceModelPath).toBe('/runs/run_base/model/model.json');
    // PGD's default step size (attack module): 2.5·ε/steps
    expect(tasks[3]!.stepSize).toBeCloseTo((2.5 * 0.2) / 20, 12);
  });

  it('on the base run, "transfer from base" is the white-box attack and is not run twice', () => {
    const tasks = evalTasksFor('run_base', runConfigFor(config, 'base'), lookup({}));
    expect(tasks.map((t) => [t.attack, t.sourceRunId])).toEqual([
      ['clean', null],
      ['fgsm', null],
      ['pgd', null],
    ]);
  });

  it('skips a transfer attack whose source has no model, with a warning', () => {
    const warnings: string[] = [];
    const tasks = evalTasksFor('run_adv', runConfigFor(config, 'adv'), lookup({ run_base: null }, warnings));
    expect(tasks.map((t) => t.sourceRunId)).toEqual([null, null, null]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('run_base');
  });

  it('one task per ε of a spec', () => {
    const cfg = ExperimentConfigSchema.parse({ attacks: [{ attack: 'fgsm', epsilons: [0.1, 0.2, 0.3] }] });
    expect(evalTasksFor('run_x', runConfigFor(cfg, 'adv'), lookup({}), false).map((t) => t.epsilon)).toEqual([0.1, 0.2, 0.3]);
  });
});

describe('checkAttackSuite', () => {
  it('refuses an FGSM with several steps, naming the attack', () => {
    const cfg = ExperimentConfigSchema.parse({ attacks: [{ attack: 'fgsm', steps: 5, epsilons: [0.1] }] });
    expect(() => checkAttackSuite(runConfigFor(cfg, 'adv'))).toThrow(expect.objectContaining({ code: 'invalid_argument', field: 'attacks.0.steps' }));
  });
});
