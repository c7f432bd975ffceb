// What the Sweep page's charts draw, from a sweep detail through src/shared/sweep-results.ts: the Pareto front of
// known point sets, the best cell (ties by clean, done cells only), the model a chart reads (each cell's own defence
// on a defence axis), the heatmap's tiles, parallel-coordinate and line-chart positions, and the scales behind them.
import { describe, expect, it } from 'vitest';
import { type RunStatus, type RunSummary } from '../../../src/shared/contract';
import { type Defence } from '../../../src/shared/defences';
import { type SweepDetail } from '../../../src/shared/sweep-contract';
import { sweepResults } from '../../../src/shared/sweep-results';
import { SweepSpecSchema, type AxisValue } from '../../../src/shared/sweep-spec';
import { presetConfig } from '../../../src/shared/presets';
import { heatmapLayout, lineLayout, parallelLayout } from '../../../src/renderer/src/lib/sweep-layouts';
import { bestCell, chartModels, compareRunIds, defaultModel, DEFENDED, modelChoices, robustOf } from '../../../src/renderer/src/lib/sweep-models';
import { paretoFront, tradeoffPoints } from '../../../src/renderer/src/lib/sweep-pareto';
import { accuracyScale, axisScale, colourScale, textOn, viridis } from '../../../src/renderer/src/lib/sweep-scales';

let runSeq = 0;
function run(role: 'base' | 'adv', status: RunStatus, clean: number | null, robust: number | null, defence: Defence | null = role === 'base' ? { method: 'standard' } : { method: 'nsl' }): RunSummary {
  runSeq++;
  return {
    id: `run_${runSeq}`, experimentId: 'exp', experimentName: 'exp', name: `r${runSeq}`, role, seed: 0, status, createdAt: '', startedAt: null, finishedAt: null, durationMs: null,
    epochsDone: 1, epochs: 1, cleanAccuracy: clean, robustAccuracy: robust, robustLabel: robust === null ? null : 'PGD-20 ∞ ε0.2, 64 images', headline: null, backend: null, tags: [], error: null, defence,
  };
}

/** A sweep over `axes` whose cell i has runs(i) (cells in grid order, values from the axes). */
function detail(axes: { path: string; values: AxisValue[] }[], runs: (i: number) => RunSummary[], indices?: number[]): SweepDetail {
  const spec = SweepSpecSchema.parse({ name: 's', base: presetConfig('quick'), axes });
  const grid = axes.reduce((n, a) => n * a.values.length, 1);
  const values = (index: number) => {
    let rest = index;
    const out: Record<string, AxisValue> = {};
    for (let k = axes.length - 1; k >= 0; k--) {
      out[axes[k]!.path] = axes[k]!.values[rest % axes[k]!.values.length]!;
      rest = Math.floor(rest / axes[k]!.values.length);
    }
    return out;
  };
  const cells = (indices ?? Array.from({ length: grid }, (_, i) => i)).map((index) => ({ index, values: values(index), experimentId: `exp_${index}`, name: `cell ${index}`, runs: runs(index) }));
  return { id: 'swp_x', name: 's', createdAt: '', spec, gridSize: grid, cellCount: cells.length, status: 'running', runs: { queued: 0, running: 0, completed: 0, failed: 0, cancelled: 0, interrupted: 0 }, cellsByStatus: { done: 0, running: 0, queued: 0, failed: 0, cancelled: 0, interrupted: 0 }, workers: null, baseExperimentId: null, cancelledAt: null, pausedReason: null, cells, baseRuns: [] };
}

describe('paretoFront', () => {
  it('keeps exactly the points no other beats on both coordinates', () => {
    const pts = [
      { x: 0.6, y: 0.31 }, // best clean: front
      { x: 0.58, y: 0.36 }, // front
      { x: 0.57, y: 0.34 }, // dominated by the one above
      { x: 0.54, y: 0.45 }, // front
      { x: 0.5, y: 0.45 }, // same robust, less clean: dominated
      { x: 0.4, y: 0.2 }, // dominated by everything
    ];
    expect(paretoFront(pts)).toEqual([true, true, false, true, false, false]);
  });

  it('keeps identical points together, drops a tie on x with less y, and handles none', () => {
    expect(paretoFront([{ x: 1, y: 1 }, { x: 1, y: 1 }, { x: 1, y: 0.5 }])).toEqual([true, true, false]);
    expect(paretoFront([{ x: 0.2, y: 0.9 }, { x: 0.9, y: 0.2 }])).toEqual([true, true]);
    expect(paretoFront([])).toEqual([]);
  });
});

describe('best cell and models', () => {
  const axes = [{ path: 'advReg.multiplier', values: [0.1, 0.2, 0.5] }];
  // cell 0: robust 0.4; cell 1: robust 0.5, clean 0.9; cell 2 failed with one adv run at robust 0.9
  const d = detail(axes, (i) =>
    i === 0 ? [run('base', 'completed', 0.98, 0.1), run('adv', 'completed', 0.95, 0.4)]
    : i === 1 ? [run('base', 'completed', 0.98, 0.1), run('adv', 'completed', 0.9, 0.5), run('adv', 'completed', 0.92, 0.5)]
    : [run('base', 'completed', 0.98, 0.1), run('adv', 'completed', 0.8, 0.9), run('adv', 'failed', null, null)],
  );
  const results = sweepResults(d);

  it('is the done cell with the highest robust mean; a failed cell never wins, whatever its numbers', () => {
    expect(results.map((c) => c.status)).toEqual(['done', 'done', 'failed']);
    expect(bestCell(results, 'adv')?.index).toBe(1);
    expect(bestCell(results, 'base')?.index).toBe(0);
    expect(bestCell(results, 'pgd-at')).toBeNull();
  });

  it('breaks a robust tie by the higher clean mean', () => {
    const tie = sweepResults(detail(axes, (i) => [run('adv', 'completed', [0.9, 0.95, 0.93][i]!, 0.5)]));
    expect(bestCell(tie, 'adv')?.index).toBe(1);
  });

  it('reads one label per model, or each cell\'s own defence on a defence axis', () => {
    expect(modelChoices(results).map((c) => c.key)).toEqual(['base', 'adv']);
    expect(defaultModel(results)).toBe('adv');
    expect(chartModels(results)).toEqual(['base', 'adv']);
    const byDefence = sweepResults(detail([{ path: 'defence', values: ['nsl', 'pgd-at'] }], (i) => [run('base', 'completed', 0.98, 0.1), run('adv', 'completed', 0.9, 0.3 + i / 10, i === 0 ? { method: 'nsl' } : ({ method: 'pgd-at' } as Defence))]));
    expect(modelChoices(byDefence).map((c) => c.key)).toEqual(['base', DEFENDED, 'adv', 'pgd-at']);
    expect(defaultModel(byDefence)).toBe(DEFENDED);
    expect(chartModels(byDefence)).toEqual(['base', DEFENDED]);
    expect(byDefence.map((c) => robustOf(c, DEFENDED)?.mean)).toEqual([0.3, 0.4]);
    expect(robustOf(byDefence[0]!, 'pgd-at')).toBeNull();
  });

  it("opens the chosen model's runs first, then base, within Compare's limit", () => {
    const runs = [run('base', 'completed', 1, 0), run('adv', 'completed', 1, 0, { method: 'nsl' }), run('adv', 'completed', 1, 0, { method: 'trades' } as Defence), run('base', 'completed', 1, 0)];
    expect(compareRunIds(runs, 'trades', 10)).toEqual([runs[2]!.id, runs[0]!.id, runs[3]!.id, runs[1]!.id]);
    expect(compareRunIds(runs, DEFENDED, 3)).toEqual([runs[1]!.id, runs[0]!.id, runs[3]!.id]);
  });

  it('reads base numbers from the base runs every cell shares, and opens them in Compare after the cell\'s own', () => {
    const shared = [run('base', 'completed', 0.98, 0.1), run('base', 'completed', 0.96, 0.12)];
    const d = { ...detail(axes, () => [run('adv', 'completed', 0.9, 0.5)]), baseExperimentId: 'exp_base', baseRuns: shared };
    const r = sweepResults(d);
    expect(r.map((c) => c.status)).toEqual(['done', 'done', 'done']);
    expect(r[2]!.groups.map((g) => [g.label, g.robust?.n])).toEqual([['base', 2], ['adv', 1]]);
    expect(compareRunIds([...d.baseRuns, ...d.cells[1]!.runs], 'adv', 10)).toEqual([d.cells[1]!.runs[0]!.id, shared[0]!.id, shared[1]!.id]);
  });

  it('puts done cells on the clean-vs-robust plane with their front', () => {
    const pts = tradeoffPoints(results, 'adv');
    expect(pts.map((p) => [p.cell.index, p.clean.mean, p.robust.mean, p.front])).toEqual([
      [0, 0.95, 0.4, true],
      [1, 0.91, 0.5, true],
    ]);
    expect(pts[1]!.robust.std).toBe(0);
  });
});

describe('layouts', () => {
  it('lays a two-axis sweep out as rows × columns, leaving grid points not drawn blank', () => {
    const axes = [{ path: 'advReg.multiplier', values: [0.1, 0.2] }, { path: 'advReg.advGradNorm', values: ['l2', 'infinity', 'l1'] }];
    const d = detail(axes, (i) => [run('adv', i === 4 ? 'running' : 'completed', 0.9, i === 4 ? null : i / 10)], [0, 1, 2, 4, 5]);
    const h = heatmapLayout([d.spec.axes[0]!, d.spec.axes[1]!], sweepResults(d), 'adv');
    expect(h.rows.map((r) => r.value)).toEqual([0.1, 0.2]);
    expect(h.cols.map((c) => c.value)).toEqual(['l2', 'infinity', 'l1']);
    expect(h.tiles.map((row) => row.map((t) => t.cell?.index ?? null))).toEqual([[0, 1, 2], [null, 4, 5]]);
    expect(h.tiles[0]![2]!.robust?.mean).toBe(0.2);
    expect(h.tiles[1]![1]!.robust).toBeNull();
    expect([h.colours.min, h.colours.max]).toEqual([0, 0.5]);
    expect(h.colours.colour(0)).toBe(viridis(0));
    expect(h.colours.colour(0.5)).toBe(viridis(1));
  });

  it('places parallel coordinates per axis, ending on robust accuracy, unscored cells first (drawn under)', () => {
    const axes = [{ path: 'advReg.multiplier', values: [0.01, 0.1, 1] }, { path: 'advReg.advGradNorm', values: ['l2', 'infinity'] }, { path: 'hparams.epochs', values: [1, 3] }];
    const d = detail(axes, (i) => [run('adv', i === 0 ? 'queued' : 'completed', 0.9, i === 0 ? null : 0.3 + i / 100)]);
    const p = parallelLayout(d.spec.axes, sweepResults(d), 'adv');
    expect(p.dims.map((x) => [x.label, x.kind])).toEqual([['advReg.multiplier', 'axis'], ['advReg.advGradNorm', 'axis'], ['hparams.epochs', 'axis'], ['robust accuracy', 'robust']]);
    expect(p.lines).toHaveLength(12);
    expect(p.lines[0]!.cell.index).toBe(0);
    expect(p.lines[0]!.colour).toBeNull();
    expect(p.lines[0]!.pos.slice(0, 3)).toEqual([0, 0, 0]);
    expect(p.lines[0]!.pos[3]).toBeNaN();
    // cell 11: multiplier 1 (log scale: the top), infinity (the second category), 3 epochs (the top); the best robust
    const last = p.lines.find((l) => l.cell.index === 11)!;
    expect(last.pos.slice(0, 3)).toEqual([1, 1, 1]);
    expect(last.colour).toBe(viridis(1));
    // multiplier 0.1 lies halfway on a log axis from 0.01 to 1
    expect(p.lines.find((l) => l.cell.index === 4)!.pos[0]).toBeCloseTo(0.5, 12);
  });

  it('draws one axis as robust and clean series per model, in x order, with categories evenly apart', () => {
    const axis = { path: 'defence', values: ['trades', 'nsl', 'mart'] };
    const d = detail([axis], (i) => [run('base', 'completed', 0.99, 0.05), run('adv', 'completed', 0.9 - i / 10, 0.3 + i / 10)]);
    const l = lineLayout(d.spec.axes[0]!, sweepResults(d), ['base', 'adv']);
    expect(l.x.kind).toBe('category');
    expect(l.series.map((s) => `${s.key} ${s.metric}`)).toEqual(['base robust', 'base clean', 'adv robust', 'adv clean']);
    expect(l.series[2]!.points.map((p) => [p.value, p.pos, p.stat.mean])).toEqual([['trades', 0, 0.3], ['nsl', 0.5, 0.4], ['mart', 1, 0.5]]);
    expect(l.y.min).toBeLessThanOrEqual(0.05);
    expect(l.y.max).toBeGreaterThanOrEqual(0.99);
  });
});

describe('scales', () => {
  it('spaces numbers linearly, decades logarithmically, words by position', () => {
    const lin = axisScale([0.3, 0.1, 0.2]);
    expect(lin.kind).toBe('linear');
    expect([lin.pos(0.1), lin.pos(0.2), lin.pos(0.3)].map((v) => Number(v.toFixed(9)))).toEqual([0, 0.5, 1]);
    expect(lin.ticks.map((t) => t.label)).toEqual(['0.1', '0.2', '0.3']);
    expect(axisScale([0.001, 0.01, 0.1]).kind).toBe('log');
    expect(axisScale([0, 0.01, 1]).kind).toBe('linear');
    const cat = axisScale(['nsl', 'pgd-at', true]);
    expect([cat.kind, cat.pos('pgd-at'), cat.pos(true), cat.pos('mart')]).toEqual(['category', 0.5, 1, NaN]);
    expect(axisScale([5]).pos(5)).toBe(0.5);
    expect(axisScale(Array.from({ length: 30 }, (_, i) => i), 10).ticks.length).toBeLessThanOrEqual(11);
  });

  it('rounds an accuracy axis out to ticks within [0, 1], with room around a flat set', () => {
    const s = accuracyScale([0.912, 0.987]);
    expect([s.min, s.max]).toEqual([0.9, 1]);
    expect(s.ticks.map((t) => t.label)).toEqual(['90%', '92%', '94%', '96%', '98%', '100%']);
    const flat = accuracyScale([0.5, 0.5]);
    expect(flat.min).toBeLessThan(0.5);
    expect(flat.max).toBeGreaterThan(0.5);
    expect(accuracyScale([]).min).toBe(0);
  });

  it('colours on viridis, with text that reads on it', () => {
    expect(viridis(0)).toBe('#440154');
    expect(viridis(1)).toBe('#fde725');
    expect(viridis(2)).toBe('#fde725');
    expect(textOn(viridis(0))).toBe('#ffffff');
    expect(textOn(viridis(1))).toBe('#000000');
    expect(colourScale([0.4, 0.4]).colour(0.4)).toBe(viridis(0.5));
  });
});
