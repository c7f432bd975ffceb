// A run's defence in one line (the exported model's README and `rlab show`), with its parameters.
import { describe, expect, it } from 'vitest';
import { defenceLine } from '../../../src/shared/defence-line';
import { DefenceSchema, type DefenceInput } from '../../../src/shared/defences';
import { AdvRegSchema } from '../../../src/shared/schemas';

const advReg = AdvRegSchema.parse({ multiplier: 0.2, advStepSize: 0.05, advGradNorm: 'infinity' });
const line = (defence: DefenceInput | undefined, role: 'base' | 'adv' = 'adv', a = advReg): string =>
  defenceLine({ role, advReg: a, ...(defence === undefined ? {} : { defence: DefenceSchema.parse(defence) }) });

describe('defenceLine', () => {
  it('names each defence and its parameters', () => {
    expect(line({ method: 'standard' }, 'base', { ...advReg, multiplier: 0 })).toBe('Standard (clean cross-entropy, no adversarial term)');
    expect(line({ method: 'nsl' })).toBe('NSL adversarial regularization: multiplier 0.2, step 0.05, norm infinity, PGD iterations 1');
    expect(line({ method: 'pgd-at', epsilon: 0.3, steps: 10, stepSize: 0.075, epsilonRampEpochs: 4 })).toBe('PGD-AT: L∞ ε 0.3, 10 steps of 0.075, random start, ε ramped from 0 over 4 epochs');
    expect(line({ method: 'trades', beta: 6, label: 'trades-b6' })).toBe('TRADES "trades-b6": β 6, L∞ ε 0.3, 40 steps of 0.01');
    expect(line({ method: 'mart', norm: 'l2', epsilon: 2, stepSize: 0.1 })).toBe('MART: β 6, L2 ε 2, 40 steps of 0.1');
    expect(line({ method: 'fast-at' })).toBe('Fast-AT: L∞ ε 0.3, FGSM step α 0.375 from a random start, cyclic learning rate up to 0.005, early stop when PGD accuracy drops by 0.2');
  });

  it('reads a run stored before defences by its role', () => {
    expect(line(undefined, 'base', { ...advReg, multiplier: 0 })).toMatch(/^Standard/);
    expect(line(undefined, 'adv')).toMatch(/^NSL adversarial regularization: multiplier 0.2/);
  });
});
