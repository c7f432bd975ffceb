// A run's defence and training cost as the runs table, the run page and Compare show them, and seed groups that keep
// the defences of one experiment apart.
import { describe, expect, it } from 'vitest';
import { compareEvalCharts } from '../../../src/renderer/src/lib/compare-eval';
import { commonMethod, defenceOfRun, defenceParams, defenceTitle, earlyStopText, meanCost, passesPerStep, rateText, runDefenceText, runShortLabel, trainingCost } from '../../../src/renderer/src/lib/run-defence';
import { compareSeedGroups, groupLabel, seedHeadlines } from '../../../src/renderer/src/lib/seed-view';
import { type BatchMetrics, type EpochMetrics, type EvaluationRecord, type RunDetail, type RunSummary } from '../../../src/shared/contract';
import { DefenceSchema, type Defence } from '../../../src/shared/defences';
import { AdvRegSchema } from '../../../src/shared/schemas';

const advReg = AdvRegSchema.parse({ multiplier: 0.2, advStepSize: 0.2, advGradNorm: 'infinity' });

describe('defenceOfRun', () => {
  it('reads the recorded defence, else what the role meant before defences, and null for an imported model', () => {
    const pgd = DefenceSchema.parse({ method: 'pgd-at' });
    expect(defenceOfRun({ role: 'adv', defence: pgd })).toEqual(pgd);
    expect(defenceOfRun({ role: 'adv', config: { defence: pgd } })).toEqual(pgd);
    expect(defenceOfRun({ role: 'adv' })).toEqual({ method: 'nsl' });
    expect(defenceOfRun({ role: 'base' })).toEqual({ method: 'standard' });
    expect(defenceOfRun({ role: 'base', kind: 'imported' })).toBeNull();
    expect(defenceOfRun({ role: 'base', defence: null })).toBeNull();
  });

  it("gives the method every run shares, 'mixed' when they differ, and none when no run has a defence", () => {
    const pgd = DefenceSchema.parse({ method: 'pgd-at' });
    expect(commonMethod([{ role: 'adv', defence: pgd }, { role: 'adv', config: { defence: pgd } }])).toBe('pgd-at');
    expect(commonMethod([{ role: 'adv', defence: pgd }, { role: 'base', kind: 'imported' }])).toBe('pgd-at');
    expect(commonMethod([{ role: 'adv', defence: pgd }, { role: 'adv' }])).toBe('mixed');
    expect(commonMethod([{ role: 'base', kind: 'imported' }])).toBeUndefined();
    expect(commonMethod([])).toBeUndefined();
  });

  it('names it by label and method', () => {
    expect(defenceTitle({ method: 'pgd-at' })).toBe('PGD-AT');
    expect(defenceTitle({ method: 'nsl' })).toBe('adv · NSL');
    expect(defenceTitle({ method: 'nsl', label: 'nsl-pgd' })).toBe('nsl-pgd · NSL');
    expect(runDefenceText({ role: 'base' })).toBe('Standard');
    expect(runDefenceText({ role: 'base', kind: 'imported' })).toBe('imported');
    expect(runShortLabel({ role: 'base', defence: { method: 'standard' } })).toBe('base');
    expect(runShortLabel({ role: 'adv', defence: { method: 'trades', label: 'trades-b1' } as Defence })).toBe('trades-b1');
  });
});

describe('defenceParams', () => {
  it("lists a method's parameters as recorded, and Fast-AT's α as its rule when not given", () => {
    const lines = defenceParams(DefenceSchema.parse({ method: 'fast-at' }), advReg);
    expect(lines.map((l) => [l.key, l.value])).toEqual([['norm', 'L∞'], ['epsilon', '0.3'], ['alpha', '1.25·ε'], ['cyclicLr', 'on'], ['lrMax', '0.005'], ['overfitGuard', 'on'], ['overfitDrop', '0.2']]);
  });

  it("shows an NSL run's advReg, which holds its overrides", () => {
    const lines = defenceParams({ method: 'nsl', label: 'nsl-pgd' }, { ...advReg, pgdIterations: 40, pgdEpsilon: 0.3 });
    expect(lines.find((l) => l.key === 'advReg.pgdIterations')!.value).toBe('40');
    expect(lines.find((l) => l.key === 'advReg.pgdEpsilon')!.value).toBe('0.3');
    expect(lines.some((l) => l.key === 'advReg.clipValueMin')).toBe(false);
  });

  it('counts gradient passes per step', () => {
    expect(passesPerStep({ method: 'standard' }, advReg)).toBe(1);
    expect(passesPerStep(DefenceSchema.parse({ method: 'pgd-at', steps: 10 }), advReg)).toBe(11);
    expect(passesPerStep({ method: 'nsl' }, { ...advReg, pgdIterations: 3 })).toBe(4);
  });
});

describe('earlyStopText', () => {
  it("says after which of the planned epochs training stopped and whose weights the model is", () => {
    expect(earlyStopText({ afterEpoch: 7, keptEpoch: 5, reason: 'catastrophic overfitting' }, 12)).toBe("Stopped early after epoch 7 of 12, keeping epoch 5's weights");
  });
});

describe('trainingCost', () => {
  const epochs: EpochMetrics[] = [
    { epoch: 1, metrics: {}, durationMs: 3000 },
    { epoch: 2, metrics: {}, durationMs: 2000 },
  ];
  const batch = (epoch: number, step: number): BatchMetrics => ({ epoch, batch: step, step, metrics: {} });

  it('sums the epochs and divides the steps taken in them by that time', () => {
    const c = trainingCost(epochs, [batch(1, 1), batch(1, 25), batch(2, 26), batch(2, 50), batch(3, 51)]);
    expect(c).toEqual({ trainingMs: 5000, steps: 50, stepsPerSecond: 10 });
    expect(rateText(c.stepsPerSecond)).toBe('10 steps/s');
  });

  it('has no numbers before an epoch finished, and no rate without batch points', () => {
    expect(trainingCost([], [batch(1, 3)])).toEqual({ trainingMs: null, steps: null, stepsPerSecond: null });
    expect(trainingCost(epochs, [])).toEqual({ trainingMs: 5000, steps: null, stepsPerSecond: null });
    expect(rateText(null)).toBe('—');
  });

  it('averages a seed group over the runs that have each number', () => {
    expect(meanCost([{ trainingMs: 1000, steps: 10, stepsPerSecond: 10 }, { trainingMs: 3000, steps: null, stepsPerSecond: null }])).toEqual({ trainingMs: 2000, steps: 10, stepsPerSecond: 10 });
  });
});

describe('several defences of one experiment', () => {
  const clean = (runId: string, accuracy: number, id: number): EvaluationRecord =>
    ({ id, runId, sourceRunId: null, attack: 'clean', norm: 'infinity', epsilon: 0, steps: 0, restarts: 0, accuracy, spec: null, flags: [] }) as unknown as EvaluationRecord;
  const pgd = (runId: string, accuracy: number, id: number): EvaluationRecord =>
    ({ id, runId, sourceRunId: null, attack: 'pgd', norm: 'infinity', epsilon: 0.3, steps: 20, restarts: 1, accuracy, spec: null, flags: [] }) as unknown as EvaluationRecord;
  let id = 1;
  function run(label: string, defence: Defence, seed: number, robust: number): RunDetail {
    const runId = `run_${label}_${seed}`;
    return {
      id: runId, experimentId: 'exp_1', experimentName: 'mnist-defences', name: `mnist-defences · ${label} · seed ${seed}`, role: 'adv', seed, status: 'completed', kind: 'trained',
      defence, cleanAccuracy: 0.98, robustAccuracy: null, headline: null, epochMetrics: [{ epoch: 1, metrics: { loss: 1 }, durationMs: 10 }],
      evaluations: [clean(runId, 0.98, id++), pgd(runId, robust, id++)], ensembles: [],
    } as unknown as RunDetail;
  }
  const pgdAt = DefenceSchema.parse({ method: 'pgd-at' });
  const trades = DefenceSchema.parse({ method: 'trades' });
  const runs = [run('pgd-at', pgdAt, 0, 0.8), run('pgd-at', pgdAt, 1, 0.9), run('trades', trades, 0, 0.1), run('trades', trades, 1, 0.2)];
  const compared = runs.map((r) => ({ run: r, epochs: r.epochMetrics, evaluations: r.evaluations }));

  it('form one seed group per defence, named by it', () => {
    const groups = compareSeedGroups(compared);
    expect(groups.map((g) => [g.defence, g.members.map((m) => m.runId)])).toEqual([
      ['pgd-at', ['run_pgd-at_0', 'run_pgd-at_1']],
      ['trades', ['run_trades_0', 'run_trades_1']],
    ]);
    expect(groups.map((g) => groupLabel(g, 'mnist-defences'))).toEqual(['mnist-defences · pgd-at, mean of 2 seeds', 'mnist-defences · trades, mean of 2 seeds']);
    // each group's mean is its own defence's: PGD-AT 0.85, TRADES 0.15 (a merged group would say 0.5 for both)
    expect(groups.map((g) => g.evaluations.find((e) => e.attack === 'pgd')!.mean)).toEqual([expect.closeTo(0.85, 9), expect.closeTo(0.15, 9)]);
  });

  it('label their accuracy-vs-ε curves by defence', () => {
    const charts = compareEvalCharts({ runs, groups: [], baseRunIds: new Set(), nameOf: (x) => x, groupName: (g) => groupLabel(g, 'mnist-defences') });
    expect(charts[0]!.series.map((s) => s.label)).toEqual([
      'mnist-defences · pgd-at · seed 0 (PGD-AT) · white-box',
      'mnist-defences · pgd-at · seed 1 (PGD-AT) · white-box',
      'mnist-defences · trades · seed 0 (TRADES) · white-box',
      'mnist-defences · trades · seed 1 (TRADES) · white-box',
    ]);
    const grouped = compareEvalCharts({ runs, groups: compareSeedGroups(compared), baseRunIds: new Set(), nameOf: (x) => x, groupName: (g) => groupLabel(g, 'mnist-defences') });
    expect(grouped[0]!.series.filter((s) => !s.band).map((s) => s.label)).toEqual(['mnist-defences · pgd-at, mean of 2 seeds · white-box', 'mnist-defences · trades, mean of 2 seeds · white-box']);
  });

  it('give the runs list a headline over the seeds of each defence, not of every adv run together', () => {
    const h = (accuracy: number) => ({ accuracy, correct: accuracy * 64, count: 64, interval: { low: 0, high: 1 }, attack: 'PGD-20', norm: 'infinity', epsilon: 0.3, dataset: 'mnist-sample', indicesHash: 'abcdef0123456789', flags: [] });
    const summary = (id: string, defence: Defence, seed: number, accuracy: number) => ({ id, experimentId: 'exp_1', role: 'adv', seed, defence, headline: h(accuracy) }) as unknown as RunSummary;
    const m = seedHeadlines([summary('p0', pgdAt, 0, 0.8), summary('p1', pgdAt, 1, 0.9), summary('t0', trades, 0, 0.1), summary('t1', trades, 1, 0.2)]);
    expect(m.get('p0')!.mean).toBeCloseTo(0.85, 9);
    expect(m.get('t1')!.mean).toBeCloseTo(0.15, 9);
  });
});
