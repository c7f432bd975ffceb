// Search, status/tag filters and sorting of the Experiments table.
import { describe, expect, it } from 'vitest';
import { type RunSummary } from '../../../src/shared/contract';
import { allTags, filterRuns, isComparable, sortRuns } from '../../../src/renderer/src/lib/runs-table';

function run(id: string, patch: Partial<RunSummary>): RunSummary {
  return {
    id, experimentId: 'exp_1', experimentName: 'mnist', name: `mnist · ${id}`, role: 'base', seed: 0, status: 'completed', createdAt: '2026-01-01T00:00:00Z',
    startedAt: null, finishedAt: null, durationMs: null, epochsDone: 1, epochs: 1, cleanAccuracy: null, robustAccuracy: null, robustLabel: null,
    headline: null, backend: 'tensorflow', tags: [], error: null, ...patch,
  };
}

const runs = [
  run('run_a', { role: 'base', cleanAccuracy: 0.98, robustAccuracy: 0.1, tags: ['tutorial'], durationMs: 3000, createdAt: '2026-01-01T00:00:01Z' }),
  run('run_b', { role: 'adv', cleanAccuracy: 0.97, robustAccuracy: 0.6, tags: ['tutorial', 'l2'], durationMs: 9000, createdAt: '2026-01-01T00:00:02Z' }),
  run('run_c', { role: 'adv', status: 'running', experimentName: 'fashion', tags: ['fashion'], createdAt: '2026-01-01T00:00:03Z' }),
];

describe('filterRuns', () => {
  it('matches every search word against name, experiment, role and tags', () => {
    expect(filterRuns(runs, { search: 'ADV tutorial', statuses: [], tag: null }).map((r) => r.id)).toEqual(['run_b']);
    expect(filterRuns(runs, { search: 'fashion', statuses: [], tag: null }).map((r) => r.id)).toEqual(['run_c']);
    expect(filterRuns(runs, { search: '  ', statuses: [], tag: null })).toHaveLength(3);
  });

  it('filters by any of the chosen statuses and by one tag', () => {
    expect(filterRuns(runs, { search: '', statuses: ['running', 'failed'], tag: null }).map((r) => r.id)).toEqual(['run_c']);
    expect(filterRuns(runs, { search: '', statuses: [], tag: 'l2' }).map((r) => r.id)).toEqual(['run_b']);
  });
});

describe('sortRuns', () => {
  it('ranks robust accuracy only among runs with the reference headline; the others are marked incomparable and go last', () => {
    const h = (accuracy: number, count = 2000): NonNullable<RunSummary['headline']> => ({
      accuracy, correct: Math.round(accuracy * count), count, interval: { low: 0, high: 1 }, attack: 'AutoAttack', norm: 'infinity', epsilon: 0.2, dataset: 'mnist-sample', indicesHash: 'abcdef0123456789', flags: [],
    });
    const mixed = [
      run('run_x', { robustAccuracy: 0.3, headline: h(0.3) }),
      run('run_y', { robustAccuracy: 0.9, headline: h(0.9, 400) }),
      run('run_z', { robustAccuracy: 0.5, headline: h(0.5) }),
    ];
    expect(sortRuns(mixed, 'robustAccuracy', 'desc').map((r) => r.id)).toEqual(['run_z', 'run_x', 'run_y']);
    expect(sortRuns(mixed, 'robustAccuracy', 'asc').map((r) => r.id)).toEqual(['run_x', 'run_z', 'run_y']);
    expect(mixed.map((r) => isComparable(r, mixed))).toEqual([true, false, true]);
  });

  it('sorts numbers both ways and keeps missing values last either way', () => {
    expect(sortRuns(runs, 'robustAccuracy', 'desc').map((r) => r.id)).toEqual(['run_b', 'run_a', 'run_c']);
    expect(sortRuns(runs, 'robustAccuracy', 'asc').map((r) => r.id)).toEqual(['run_a', 'run_b', 'run_c']);
    expect(sortRuns(runs, 'durationMs', 'asc').map((r) => r.id)).toEqual(['run_a', 'run_b', 'run_c']);
  });

  it('sorts text and dates, stable for ties', () => {
    expect(sortRuns(runs, 'createdAt', 'desc').map((r) => r.id)).toEqual(['run_c', 'run_b', 'run_a']);
    expect(sortRuns(runs, 'epochs', 'asc').map((r) => r.id)).toEqual(['run_a', 'run_b', 'run_c']);
  });
});

describe('allTags', () => {
  it('lists each tag once, sorted', () => {
    expect(allTags(runs)).toEqual(['fashion', 'l2', 'tutorial']);
  });
});
