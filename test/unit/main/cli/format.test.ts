import { describe, expect, it } from 'vitest';
import { duration, percent, table } from '../../../../src/main/cli/format';
import { resultRows, resultTable } from '../../../../src/main/cli/results-table';
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
