// A run's defence and its parameters in one line of text: the export's README and doc string, and `rlab show`.
import { type RunConfig } from './contract';
import { DEFENCE_INFO, fastAtAlpha, runDefence } from './defences';

const normName = (n: 'infinity' | 'l2'): string => (n === 'infinity' ? 'L∞' : 'L2');

/** The defence that trained a run and its parameters, in one line (runs stored before defences: by their role). */
export function defenceLine(t: Pick<RunConfig, 'role' | 'defence' | 'advReg'>): string {
  const d = runDefence(t);
  const title = `${DEFENCE_INFO[d.method].title}${d.label === undefined ? '' : ` "${d.label}"`}`;
  const ramp = (r: number): string => (r > 0 ? `, ε ramped from 0 over ${r} epochs` : '');
  switch (d.method) {
    case 'standard':
      return `${title} (clean cross-entropy, no adversarial term)`;
    case 'nsl': {
      const a = t.advReg;
      return a.multiplier === 0
        ? `${title} adversarial regularization, multiplier 0 (off)`
        : `${title} adversarial regularization: multiplier ${a.multiplier}, step ${a.advStepSize}, norm ${a.advGradNorm}, PGD iterations ${a.pgdIterations}${a.pgdEpsilon === undefined ? '' : `, epsilon ${a.pgdEpsilon}`}${a.randomInit ? ', random start' : ''}`;
    }
    case 'pgd-at':
      return `${title}: ${normName(d.norm)} ε ${d.epsilon}, ${d.steps} steps of ${d.stepSize}${d.randomStart ? ', random start' : ''}${ramp(d.epsilonRampEpochs)}`;
    case 'trades':
    case 'mart':
      return `${title}: β ${d.beta}, ${normName(d.norm)} ε ${d.epsilon}, ${d.steps} steps of ${d.stepSize}${ramp(d.epsilonRampEpochs)}`;
    case 'fast-at':
      return `${title}: ${normName(d.norm)} ε ${d.epsilon}, FGSM step α ${fastAtAlpha(d)} from a random start${d.cyclicLr ? `, cyclic learning rate up to ${d.lrMax}` : ''}${d.overfitGuard ? `, early stop when PGD accuracy drops by ${d.overfitDrop}` : ''}`;
  }
}
