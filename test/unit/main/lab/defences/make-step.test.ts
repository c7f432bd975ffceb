// The factory picks each run's step by its recorded defence; runs stored before defences train by their role; only
// Fast-AT with its guard on asks the worker for a probe.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FastAtStep } from '../../../../../src/main/lab/defences/fast-at';
import { makeTrainingStep, needsGuardProbe } from '../../../../../src/main/lab/defences/make-step';
import { MartStep } from '../../../../../src/main/lab/defences/mart';
import { NslStep } from '../../../../../src/main/lab/defences/nsl';
import { PgdAtStep } from '../../../../../src/main/lab/defences/pgd-at';
import { StandardStep } from '../../../../../src/main/lab/defences/standard';
import { TradesStep } from '../../../../../src/main/lab/defences/trades';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { DefenceSchema, type DefenceInput } from '../../../../../src/shared/defences';
import { AdvRegSchema } from '../../../../../src/shared/schemas';
import { tinyCnn } from './fixtures';

let model: tf.LayersModel;
const optimizer = tf.train.sgd(0.1);
const advReg = AdvRegSchema.parse({ multiplier: 0.2 });
beforeAll(async () => {
  await initEngine();
  model = tinyCnn();
});
afterAll(() => {
  model.dispose();
  optimizer.dispose();
});

const make = (role: 'base' | 'adv', defence?: DefenceInput) => makeTrainingStep({ role, advReg, ...(defence === undefined ? {} : { defence: DefenceSchema.parse(defence) }) }, { model, optimizer, seed: 1 });

describe('makeTrainingStep', () => {
  it.each([
    ['standard', StandardStep],
    ['nsl', NslStep],
    ['pgd-at', PgdAtStep],
    ['trades', TradesStep],
    ['mart', MartStep],
    ['fast-at', FastAtStep],
  ] as const)('builds the %s step from the recorded defence', (method, cls) => {
    const step = make(method === 'standard' ? 'base' : 'adv', { method });
    expect(step).toBeInstanceOf(cls);
    step.dispose();
  });

  it('trains a run stored before defences by its role: base → standard, adv → NSL', () => {
    const base = make('base');
    const adv = make('adv');
    expect(base).toBeInstanceOf(StandardStep);
    expect(adv).toBeInstanceOf(NslStep);
    expect(adv).not.toBeInstanceOf(StandardStep);
    base.dispose();
    adv.dispose();
  });

  it('asks for a guard probe only for Fast-AT with its guard on', () => {
    expect(needsGuardProbe({ role: 'adv', defence: DefenceSchema.parse({ method: 'fast-at' }) })).toBe(true);
    expect(needsGuardProbe({ role: 'adv', defence: DefenceSchema.parse({ method: 'fast-at', overfitGuard: false }) })).toBe(false);
    expect(needsGuardProbe({ role: 'adv', defence: DefenceSchema.parse({ method: 'pgd-at' }) })).toBe(false);
    expect(needsGuardProbe({ role: 'adv' })).toBe(false);
  });
});
