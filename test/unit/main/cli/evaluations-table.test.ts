// How the CLI shows robust numbers: flagged ones as "possibly overstated" with the reason, and headlines that differ
// from the reference marked incomparable in `rlab ls` instead of ranked.
import { describe, expect, it } from 'vitest';
import { resolveAttack } from '../../../../src/shared/attacks';
import { type Headline, type RunSummary } from '../../../../src/shared/contract';
import { runsTable } from '../../../../src/main/cli/commands/ls';
import { evaluationsBlock, flagLines, headlineText } from '../../../../src/main/cli/evaluations-table';
import { evaluation, runDetail } from './fake-cli-lab';

const headline = (over: Partial<Headline> = {}): Headline => ({
  accuracy: 0.4, correct: 800, count: 2000, interval: { low: 0.379, high: 0.422 }, attack: 'AutoAttack', norm: 'infinity', epsilon: 0.2, dataset: 'mnist-sample', indicesHash: 'abcdef0123456789', flags: [], ...over,
});

describe('CLI robustness output', () => {
  it('rlab ls names the reference headline and marks a run measured differently as incomparable', () => {
    const runs: RunSummary[] = [
      runDetail({ id: 'run_a1', robustAccuracy: 0.4, headline: headline() }),
      runDetail({ id: 'run_b1', robustAccuracy: 0.5, headline: headline({ accuracy: 0.5 }) }),
      runDetail({ id: 'run_c1', robustAccuracy: 0.9, headline: headline({ accuracy: 0.9, attack: 'FGSM', count: 400 }) }),
    ];
    const lines = runsTable(runs).split('\n');
    expect(lines[0]).toMatch(/robust \(AutoAttack ∞ ε0\.2, 2,000 images\)/);
    expect(lines[2]).toMatch(/^run_a1 .* 40\.00% /);
    expect(lines[4]).toMatch(/^run_c1 .* 90\.00% \(incomparable: FGSM ∞ ε0\.2, 400 images\)/);
  });

  it('rlab ls marks the clean accuracy of a run measured only at a checkpoint', () => {
    const lines = runsTable([runDetail({ id: 'run_k1', status: 'cancelled', cleanAccuracy: 0.61, measuredEpoch: 1 }), runDetail({ id: 'run_f1', cleanAccuracy: 0.97, measuredEpoch: null })]).split('\n');
    expect(lines[2]).toMatch(/^run_k1 .* 61\.00% \(epoch 1 checkpoint\) /);
    expect(lines[3]).toMatch(/^run_f1 .* 97\.00% /);
    expect(lines[3]).not.toMatch(/checkpoint/);
  });

  it('a flagged number is printed as possibly overstated with its reason', () => {
    const reason = 'possibly overstated: accuracy rises from 10.0% at ε0.1 to 30.0% at ε0.2 under the same attack';
    const spec = resolveAttack({ attack: 'pgd', norm: 'infinity', epsilon: 0.2 });
    const flagged = evaluation({ id: 7, attack: 'pgd', epsilon: 0.2, steps: 10, spec, accuracy: 0.3, flags: [{ check: 'non-monotone-eps', reason }] });
    expect(flagLines([flagged, evaluation({ id: 8 })])).toEqual([`#7 PGD-10 ∞ ε0.2 30.00%: ${reason}`]);
    const block = evaluationsBlock([flagged], []);
    expect(block).toMatch(/7\s+PGD-10 ∞ ε0\.2\s+10 steps of 0\.05, random start, loss ce, seed 0\s+white-box\s+30\.00%.*possibly overstated/);
    expect(headlineText(headline({ flags: [reason] }))).toBe(`40.00% (95% CI 37.9–42.2%) AutoAttack ∞ ε0.2, 2,000 images #abcdef01; ${reason}`);
    expect(headlineText(null)).toMatch(/no attack at the headline ε/);
  });
});
