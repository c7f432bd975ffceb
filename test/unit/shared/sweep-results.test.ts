// A sweep's results per cell: the cell's status from its runs, each model's clean and robust mean ± std over the seeds
// that completed, the shared base runs in every cell, and the CSV of it all.
import { describe, expect, it } from 'vitest';
import { type RunSummary } from '../../../src/shared/contract';
import { type SweepDetail } from '../../../src/shared/sweep-contract';
import { cellCounts, cellStatus, sweepCsv, sweepResults } from '../../../src/shared/sweep-results';
import { SweepSpecSchema } from '../../../src/shared/sweep-spec';
import { parseCsv } from './csv-parse';

let n = 0;
function run(patch: Partial<RunSummary>): RunSummary {
  n += 1;
  return {
    id: `run_${n}`, experimentId: 'exp_1', experimentName: 'x', name: `x ${n}`, role: 'adv', seed: 0, status: 'completed', createdAt: '2026-01-01T00:00:00Z',
    startedAt: null, finishedAt: null, durationMs: null, epochsDone: 1, epochs: 1, cleanAccuracy: 0.9, robustAccuracy: 0.5, robustLabel: 'PGD-20 ∞ ε0.2, 64 images',
    headline: null, backend: 'tensorflow', tags: [], error: null, defence: { method: 'nsl' }, ...patch,
  };
}

const spec = SweepSpecSchema.parse({ base: {}, axes: [{ path: 'advReg.multiplier', values: [0.1, 0.5] }], seeds: [0, 1] });

describe('sweep results', () => {
  it('says done only when every run completed; running beats queued beats failed', () => {
    expect(cellStatus([run({}), run({})])).toBe('done');
    expect(cellStatus([run({}), run({ status: 'running' }), run({ status: 'failed' })])).toBe('running');
    expect(cellStatus([run({ status: 'queued' }), run({ status: 'failed' })])).toBe('queued');
    expect(cellStatus([run({}), run({ status: 'failed' })])).toBe('failed');
    expect(cellStatus([])).toBe('queued');
  });

  it('averages each model over its completed seeds, with the shared base runs in every cell, and writes the CSV', () => {
    const baseRuns = [run({ role: 'base', seed: 0, defence: { method: 'standard' }, cleanAccuracy: 0.98, robustAccuracy: 0.1 }), run({ role: 'base', seed: 1, defence: { method: 'standard' }, cleanAccuracy: 0.96, robustAccuracy: 0.3 })];
    const detail: Pick<SweepDetail, 'cells' | 'spec' | 'baseRuns'> = {
      spec,
      baseRuns,
      cells: [
        { index: 0, name: 'a', experimentId: 'exp_a', values: { 'advReg.multiplier': 0.1 }, runs: [run({ seed: 0, robustAccuracy: 0.4 }), run({ seed: 1, robustAccuracy: 0.6 })] },
        { index: 1, name: 'b', experimentId: 'exp_b', values: { 'advReg.multiplier': 0.5 }, runs: [run({ seed: 0, robustAccuracy: 0.7 }), run({ seed: 1, status: 'running', robustAccuracy: null, cleanAccuracy: null })] },
      ],
    };
    const [a, b] = sweepResults(detail);
    expect(a!.status).toBe('done');
    expect(a!.groups.map((g) => g.label)).toEqual(['base', 'adv']);
    expect(a!.groups[0]!.clean).toEqual({ mean: 0.97, std: expect.closeTo(Math.SQRT2 / 100, 12), n: 2 });
    expect(a!.groups[1]!.robust!.mean).toBeCloseTo(0.5, 12);
    expect(a!.groups[1]!.robust!.std).toBeCloseTo(Math.SQRT2 / 10, 12);
    expect([b!.status, b!.done, b!.total]).toEqual(['running', 1, 2]);
    // only the completed seed counts: one value, no std
    expect(b!.groups[1]!.robust).toEqual({ mean: 0.7, std: null, n: 1 });
    expect(cellCounts([a!, b!])).toEqual({ done: 1, running: 1, queued: 0, failed: 0, cancelled: 0, interrupted: 0 });
    const rows = parseCsv(sweepCsv(detail));
    expect(rows[0]).toEqual(['cell', 'advReg.multiplier', 'experiment_id', 'status', 'model', 'role', 'n', 'clean_mean', 'clean_std', 'robust_mean', 'robust_std', 'robust_label']);
    expect(rows.slice(1).map((r) => [r[0], r[1], r[4], r[6], r[9]])).toEqual([['0', '0.1', 'base', '2', '0.2'], ['0', '0.1', 'adv', '2', '0.5'], ['1', '0.5', 'base', '2', '0.2'], ['1', '0.5', 'adv', '1', '0.7']]);
    expect(rows[4]![10]).toBe('');
  });
});
