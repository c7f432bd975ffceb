import { describe, expect, it } from 'vitest';
import { duration, percent, table } from '../../../../src/main/cli/format';
import { resultRows, resultTable } from '../../../../src/main/cli/results-table';
import { robustnessTable, wantsRobustnessTable } from '../../../../src/main/cli/robustness-table';
import { type EnsembleRecord } from '../../../../src/shared/contract';
import { evaluation, runDetail } from './fake-cli-lab';

describe('format', () => {
  it('aligns table columns by characters, ε included', () => {
    expect(table(['a', 'ε0.2'], [['long cell', 'x'], ['b', 'yy']])).toBe(['a          ε0.2', '---------  ----', 'long cell  x', 'b          yy'].join('\n'));
  });

  it('formats percentages and durations', () => {
    expect(percent(0.98765)).toBe('98.77%');
    expect(percent(null)).toBe('—');
    expect(duration(2500)).toBe('2.5s');
    expect(duration(125_000)).toBe('2m05s');
    expect(duration(3_725_000)).toBe('1h02m');
  });
});

describe('results table', () => {
  it('uses the base run white-box FGSM as its transfer-from-base figure and leaves missing numbers blank', () => {
    const base = runDetail({ id: 'run_b1', evaluations: [evaluation({ id: 1, accuracy: 0.9 }), evaluation({ id: 2, attack: 'fgsm', epsilon: 0.2, steps: 1, accuracy: 0.25 })] });
    const adv = runDetail({
      id: 'run_a1',
      role: 'adv',
      cleanAccuracy: 0.93,
      evaluations: [evaluation({ id: 3, runId: 'run_a1', attack: 'fgsm', epsilon: 0.2, steps: 1, sourceRunId: 'run_b1', accuracy: 0.75 }), evaluation({ id: 4, runId: 'run_a1', attack: 'fgsm', epsilon: 0.1, steps: 1, accuracy: 0.5 })],
    });
    const rows = resultRows([base, adv]);
    expect(rows.map((r) => [r.model, r.clean, r.fgsmTransfer, r.fgsmWhiteBox, r.pgdWhiteBox])).toEqual([
      ['base', 0.9, 0.25, 0.25, null],
      ['adv', 0.93, 0.75, null, null],
    ]);
    expect(resultTable(rows).split('\n')[3]).toMatch(/^adv\s+93\.00%\s+75\.00%\s+—\s+—\s+—$/);
  });
});

describe('robustness table', () => {
  const ens = (over: Partial<EnsembleRecord>): EnsembleRecord => ({ norm: 'infinity', epsilon: 0.3, subset: { dataset: 'mnist-sample', splitSeed: 0, size: 500, indicesHash: 'abcdef0123456789' }, evaluationIds: [], attacks: [], accuracy: 0, correct: 0, count: 500, interval: { low: 0, high: 0 }, flags: [], modelEpoch: null, ...over });

  it('shows per ε the worst white-box number or ensemble with its image count, ignoring transfer attacks', () => {
    const base = runDetail({ id: 'run_b1', evaluations: [evaluation({ id: 1, accuracy: 0.99 }), evaluation({ id: 2, attack: 'pgd', epsilon: 0.1, steps: 20, accuracy: 0.2, count: 2000 }), evaluation({ id: 3, attack: 'pgd', epsilon: 0.3, steps: 20, accuracy: 0, count: 2000 })] });
    const pgdAt = runDetail({
      id: 'run_p1',
      role: 'adv',
      evaluations: [
        evaluation({ id: 4, runId: 'run_p1', accuracy: 0.98 }),
        evaluation({ id: 5, runId: 'run_p1', attack: 'pgd', epsilon: 0.3, steps: 20, accuracy: 0.9, count: 2000 }),
        evaluation({ id: 6, runId: 'run_p1', attack: 'fgsm', epsilon: 0.3, steps: 1, accuracy: 0.5, sourceRunId: 'run_b1', count: 2000 }),
      ],
      ensembles: [ens({ accuracy: 0.854, count: 500 })],
    });
    expect(wantsRobustnessTable([base, pgdAt])).toBe(true);
    const lines = robustnessTable([base, pgdAt]).split('\n');
    expect(lines[1]).toMatch(/^model\s+clean\s+worst case ∞ ε0\.1\s+worst case ∞ ε0\.3$/);
    expect(lines[3]).toMatch(/^base\s+99\.00%\s+20\.00% \(2000\)\s+0\.00% \(2000\)$/);
    // the transfer FGSM (50%) is not a white-box worst case; the 500-image ensemble (85.4%) is below PGD's 90%
    expect(lines[4]).toMatch(/^adv\s+98\.00%\s+—\s+85\.40% \(500\)$/);
  });

  it('is left out for one defence attacked at one radius', () => {
    const adv = runDetail({ id: 'run_a1', role: 'adv', evaluations: [evaluation({ id: 7, runId: 'run_a1', attack: 'pgd', epsilon: 0.2, steps: 20, accuracy: 0.5 })] });
    expect(wantsRobustnessTable([runDetail({}), adv])).toBe(false);
  });
});
