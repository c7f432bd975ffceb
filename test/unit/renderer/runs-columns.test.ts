// The Experiments table's column model: the picker's stored choice, hyperparameter values per defence, and sorting by them.
import { describe, expect, it } from 'vitest';
import { type RunSummary } from '../../../src/shared/contract';
import { COLUMNS, DEFAULT_COLUMNS, hparamText, hparamValue, parseColumnChoice, toggleColumn, visibleColumns } from '../../../src/renderer/src/lib/runs-columns';
import { defaultSortDir, sortRuns } from '../../../src/renderer/src/lib/runs-table';

function run(id: string, patch: Partial<RunSummary>): RunSummary {
  return {
    id, experimentId: 'exp_1', experimentName: 'mnist', name: `mnist · ${id}`, role: 'adv', seed: 0, status: 'completed', createdAt: '2026-01-01T00:00:00Z',
    startedAt: null, finishedAt: null, durationMs: null, epochsDone: 1, epochs: 1, cleanAccuracy: null, robustAccuracy: null, robustLabel: null,
    headline: null, backend: 'tensorflow', tags: [], error: null, ...patch,
  };
}

const pgd = run('run_pgd', { seed: 2, epochs: 12, defence: { method: 'pgd-at', norm: 'infinity', epsilon: 0.3, steps: 10, stepSize: 0.01, epsilonRampEpochs: 0, randomStart: true } });
const trades = run('run_trades', { seed: 1, epochs: 5, defence: { method: 'trades', norm: 'l2', epsilon: 2, steps: 7, stepSize: 0.5, epsilonRampEpochs: 0, beta: 6 } });
const fast = run('run_fast', { defence: { method: 'fast-at', norm: 'infinity', epsilon: 0.3, cyclicLr: true, lrMax: 0.005, overfitGuard: true, overfitDrop: 0.2 } });
const nslPgd = run('run_nslpgd', { defence: { method: 'nsl', label: 'nsl-pgd', advReg: { pgdIterations: 40, pgdEpsilon: 0.3, advStepSize: 0.01, advGradNorm: 'infinity' } } });
const nsl = run('run_nsl', { defence: { method: 'nsl' } });
const base = run('run_base', { role: 'base', defence: { method: 'standard' } });
const imported = run('run_imp', { kind: 'imported', defence: null });

describe('the column choice', () => {
  it('defaults to the run columns and deltas, no hyperparameters, and no engine column at all', () => {
    expect(parseColumnChoice(null)).toEqual(DEFAULT_COLUMNS);
    expect(DEFAULT_COLUMNS).toEqual(['status', 'cleanAccuracy', 'robustAccuracy', 'deltaClean', 'deltaRobust', 'durationMs', 'createdAt', 'tags']);
    expect(COLUMNS.map((c) => c.key)).not.toContain('backend');
    expect(COLUMNS.map((c) => c.label)).not.toContain('Engine');
  });

  it('keeps what it can of a stored list, in table order, and falls back to the defaults on junk', () => {
    expect(parseColumnChoice(JSON.stringify(['epsilon', 'status', 'backend', 'seed']))).toEqual(['status', 'seed', 'epsilon']);
    expect(parseColumnChoice('[]')).toEqual([]);
    expect(parseColumnChoice('{not json')).toEqual(DEFAULT_COLUMNS);
    expect(parseColumnChoice('{"a":1}')).toEqual(DEFAULT_COLUMNS);
  });

  it('toggles one column in or out and keeps the table order; a round trip through storage is lossless', () => {
    const withSeed = toggleColumn(DEFAULT_COLUMNS, 'seed');
    expect(withSeed.indexOf('seed')).toBe(withSeed.indexOf('deltaRobust') + 1);
    expect(toggleColumn(withSeed, 'seed')).toEqual(DEFAULT_COLUMNS);
    expect(parseColumnChoice(JSON.stringify(withSeed))).toEqual(withSeed);
    expect(visibleColumns(['beta', 'status']).map((c) => c.label)).toEqual(['Status', 'β']);
  });
});

describe('hyperparameter values', () => {
  it('reads seed, epochs and the defence with its ε, steps, step and β off the run list', () => {
    expect(['seed', 'epochs', 'defence', 'norm', 'epsilon', 'steps', 'stepSize', 'beta'].map((k) => hparamValue(pgd, k as never))).toEqual([2, 12, 'PGD-AT', 'infinity', 0.3, 10, 0.01, null]);
    expect(['norm', 'epsilon', 'steps', 'stepSize', 'beta'].map((k) => hparamText(trades, k as never))).toEqual(['L2', '2', '7', '0.5', '6']);
  });

  it('gives Fast-AT one step of α = 1.25ε, NSL what the run replaces of its advReg, and nothing to base or imported runs', () => {
    expect(hparamValue(fast, 'steps')).toBe(1);
    expect(hparamValue(fast, 'stepSize')).toBeCloseTo(0.375);
    expect([hparamValue(nslPgd, 'epsilon'), hparamValue(nslPgd, 'steps'), hparamText(nslPgd, 'norm'), hparamValue(nslPgd, 'defence')]).toEqual([0.3, 40, '∞', 'nsl-pgd · NSL']);
    expect(hparamValue(nsl, 'epsilon')).toBeNull();
    expect(hparamText(nsl, 'epsilon')).toBe('—');
    expect([hparamValue(base, 'epsilon'), hparamValue(base, 'defence'), hparamValue(imported, 'beta'), hparamValue(imported, 'defence')]).toEqual([null, 'Standard', null, 'imported']);
  });

  it('reads the data and optimiser settings off the run list, and nothing where a run list lacks them', () => {
    const training = { dataset: 'mnist-sample', trainSize: 8000, testSize: 2000, batchSize: 50, learningRate: 0.001, optimizer: 'adam' };
    const small = run('run_small', { training: { ...training, trainSize: 1600, batchSize: 32, learningRate: 1e-4 } });
    const big = run('run_big', { training });
    expect(['dataset', 'trainSize', 'testSize', 'batchSize', 'learningRate', 'optimizer'].map((k) => hparamText(big, k as never))).toEqual(['mnist-sample', '8000', '2000', '50', '0.001', 'adam']);
    expect(hparamText(small, 'learningRate')).toBe('1.00e-4');
    expect(hparamValue(nsl, 'batchSize')).toBeNull();
    expect(sortRuns([big, nsl, small], 'trainSize', 'asc').map((r) => r.id)).toEqual(['run_small', 'run_big', 'run_nsl']);
    expect(COLUMNS.filter((c) => c.kind === 'hparam' && !c.shown).map((c) => c.label)).toEqual(expect.arrayContaining(['Dataset', 'Train images', 'Test images', 'Batch', 'LR', 'Optimizer']));
  });

  it('sorts by a hyperparameter like any column: numbers both ways, runs without the value last', () => {
    const runs = [nsl, pgd, trades, fast];
    expect(sortRuns(runs, 'epsilon', 'desc').map((r) => r.id)).toEqual(['run_trades', 'run_pgd', 'run_fast', 'run_nsl']);
    expect(sortRuns(runs, 'epsilon', 'asc').map((r) => r.id)).toEqual(['run_pgd', 'run_fast', 'run_trades', 'run_nsl']);
    expect(sortRuns(runs, 'seed', 'asc').map((r) => r.seed)).toEqual([0, 0, 1, 2]);
    expect(sortRuns(runs, 'defence', defaultSortDir('defence')).map((r) => r.id)).toEqual(['run_nsl', 'run_fast', 'run_pgd', 'run_trades']);
    expect(defaultSortDir('beta')).toBe('desc');
  });
});
