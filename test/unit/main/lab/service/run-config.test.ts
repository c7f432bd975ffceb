import { describe, expect, it } from 'vitest';
import { ExperimentConfigSchema } from '../../../../../src/shared/schemas';
import { checkAttackSuite, evalTasksFor, plannedRunsOf, runConfigFor, type SourceLookup } from '../../../../../src/main/lab/service/run-config';
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
    expect(tasks.map((t) => [t.attack?.attack ?? 'clean', t.attack?.steps ?? 0, t.attack?.epsilon ?? 0, t.sourceRunId])).toEqual([
      ['clean', 0, 0, null],
      ['fgsm', 1, 0.2, 'run_base'],
      ['fgsm', 1, 0.2, null],
      ['pgd', 20, 0.2, null],
    ]);
    expect(tasks[1]!.sourceModelPath).toBe('/runs/run_base/model/model.json');
    // the complete spec is resolved here, once: PGD's default step 2.5·ε/steps, the run's seed for its random starts
    expect(tasks[3]!.attack).toEqual({ attack: 'pgd', norm: 'infinity', epsilon: 0.2, steps: 20, stepSize: (2.5 * 0.2) / 20, randomStart: true, restarts: 1, loss: 'ce', targets: 0, queries: 0, pInit: 0, seed: 11 });
  });

  it('on the base run, "transfer from base" is the white-box attack and is not run twice', () => {
    const tasks = evalTasksFor('run_base', runConfigFor(config, 'base'), lookup({}));
    expect(tasks.map((t) => [t.attack?.attack ?? 'clean', t.sourceRunId])).toEqual([
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
    expect(evalTasksFor('run_x', runConfigFor(cfg, 'adv'), lookup({}), false).map((t) => t.attack?.epsilon)).toEqual([0.1, 0.2, 0.3]);
  });

  it('fills an attack left empty with its own defaults: PGD without steps is 10 steps from a random start', () => {
    const cfg = ExperimentConfigSchema.parse({ attacks: [{ attack: 'pgd', epsilons: [0.1] }, { attack: 'apgd-t', epsilons: [0.1] }, { attack: 'autoattack', epsilons: [0.3] }] });
    const [pgd, apgdT, auto] = evalTasksFor('run_x', runConfigFor(cfg, 'adv'), lookup({}), false).map((t) => t.attack!);
    expect(pgd).toMatchObject({ attack: 'pgd', steps: 10, randomStart: true, restarts: 1 });
    expect(pgd!.stepSize).toBeCloseTo(0.025, 12);
    expect(apgdT).toMatchObject({ attack: 'apgd-t', steps: 100, targets: 9, loss: 'dlr-targeted', stepSize: 0.2 });
    expect(auto).toMatchObject({ attack: 'autoattack', steps: 100, targets: 9, queries: 5000, pInit: 0.8 });
  });
});

describe('checkAttackSuite', () => {
  it('refuses more APGD-T targets than the model has other classes, naming the field', () => {
    const cfg = ExperimentConfigSchema.parse({ hparams: { numClasses: 4 }, attacks: [{ attack: 'apgd-t', targets: 5, epsilons: [0.1] }] });
    expect(() => checkAttackSuite(runConfigFor(cfg, 'adv'))).toThrow(expect.objectContaining({ code: 'invalid_argument', field: 'attacks.0.targets', message: expect.stringContaining('[1, 3]') }));
  });

  it('refuses an l2 ε beyond the image diameter, naming the ε', () => {
    const cfg = ExperimentConfigSchema.parse({ hparams: { inputShape: [4, 4, 1] }, attacks: [{ attack: 'pgd', norm: 'l2', epsilons: [1, 5] }] });
    expect(() => checkAttackSuite(runConfigFor(cfg, 'adv'))).toThrow(expect.objectContaining({ field: 'attacks.0.epsilons.1', message: expect.stringContaining('[0, 4]') }));
  });

  it('carries a suite entry\'s test size to its task; the same attack on all images and on a part are two tasks', () => {
    const cfg = ExperimentConfigSchema.parse({ attacks: [{ attack: 'autoattack', epsilons: [0.2], testSize: 500 }, { attack: 'autoattack', epsilons: [0.2] }] });
    expect(evalTasksFor('run_x', runConfigFor(cfg, 'adv'), lookup({})).map((t) => [t.attack?.attack ?? 'clean', t.testSize])).toEqual([
      ['clean', null],
      ['autoattack', 500],
      ['autoattack', null],
    ]);
  });
});

describe('plannedRunsOf', () => {
  const defences = ExperimentConfigSchema.parse({
    name: 'd',
    advReg: { multiplier: 0.2, advStepSize: 0.2, advGradNorm: 'infinity' },
    defences: [{ method: 'nsl', label: 'nsl' }, { method: 'nsl', label: 'nsl-pgd', advReg: { pgdIterations: 40, pgdEpsilon: 0.3, advStepSize: 0.01, randomInit: true } }, { method: 'pgd-at', steps: 10, stepSize: 0.075 }],
  });

  it('plans the base run first, then one adv run per defence, each recording what trains it', () => {
    const planned = plannedRunsOf(defences);
    expect(planned.map((p) => [p.role, p.label, p.config.defence?.method])).toEqual([
      ['base', 'base', 'standard'],
      ['adv', 'nsl', 'nsl'],
      ['adv', 'nsl-pgd', 'nsl'],
      ['adv', 'pgd-at', 'pgd-at'],
    ]);
    // an NSL defence's overrides are merged into the run's advReg (and not kept twice)
    expect(planned[2]!.config.advReg).toMatchObject({ multiplier: 0.2, advStepSize: 0.01, advGradNorm: 'infinity', pgdIterations: 40, pgdEpsilon: 0.3, randomInit: true });
    expect(planned[2]!.config.defence).toEqual({ method: 'nsl', label: 'nsl-pgd' });
    expect(planned[1]!.config.advReg).toMatchObject({ advStepSize: 0.2, pgdIterations: 1 });
    // NSL's term does not train the other defences
    expect(planned[3]!.config.advReg.multiplier).toBe(0);
    expect(planned[3]!.config.defence).toEqual({ method: 'pgd-at', norm: 'infinity', epsilon: 0.3, steps: 10, stepSize: 0.075, epsilonRampEpochs: 0, randomStart: true });
    // same model, data and seed for every run
    expect(new Set(planned.map((p) => JSON.stringify([p.config.hparams, p.config.data, p.config.seed]))).size).toBe(1);
  });

  it('plans only the base run without adv, and the tutorial pair by default', () => {
    expect(plannedRunsOf(ExperimentConfigSchema.parse({ runs: ['base'], defences: [{ method: 'trades' }] })).map((p) => p.label)).toEqual(['base']);
    expect(plannedRunsOf(ExperimentConfigSchema.parse({})).map((p) => [p.label, p.config.defence?.method])).toEqual([['base', 'standard'], ['adv', 'nsl']]);
  });

  it('refuses NSL overrides that contradict the merged advReg', () => {
    const bad = ExperimentConfigSchema.parse({ advReg: { clipValueMin: 0, clipValueMax: 1 }, defences: [{ method: 'nsl', advReg: { clipValueMin: 2 } }] });
    expect(() => plannedRunsOf(bad)).toThrow(/clipValueMax/);
  });
});
