// Seed groups: grouping of an experiment's runs by role and the mean ± sample std of their metrics and evaluations.
import { describe, expect, it } from 'vitest';
import { type EvaluationRecord, type RunDetail } from '../../../src/shared/contract';
import { evaluationKey, hasSeedSpread, meanStd, seedGroups } from '../../../src/shared/seed-stats';

let nextEvalId = 1;
function evaluation(runId: string, over: Partial<EvaluationRecord>): EvaluationRecord {
  return {
    id: nextEvalId++, runId, sourceRunId: null, attack: 'fgsm', norm: 'infinity', epsilon: 0.2, steps: 1, stepSize: 0.2, restarts: 1, randomStart: false,
    spec: null, accuracy: 0.5, perClassAccuracy: [], count: 2000, createdAt: '', hasGallery: false, ...over,
  } as EvaluationRecord;
}

function run(id: string, role: 'base' | 'adv', seed: number, over: Partial<RunDetail> = {}): RunDetail {
  return {
    id, experimentId: 'exp_1', experimentName: 'e', name: `e · ${role} · seed ${seed}`, role, seed, status: 'completed',
    epochMetrics: [], evaluations: [], headline: null, ...over,
  } as unknown as RunDetail;
}

describe('meanStd', () => {
  it('is the mean and the sample (n − 1) standard deviation', () => {
    // PGD-20 accuracies of the seeds 0/1/2: mean 1.621/3; squared deviations sum to 0.00521667, / 2, sqrt
    const r = meanStd([0.577, 0.562, 0.482]);
    expect(r.n).toBe(3);
    expect(r.mean).toBeCloseTo(0.5403333333, 9);
    expect(r.std).toBeCloseTo(0.0510718448, 9);
    // 1..4: mean 2.5, deviations ±0.5 ±1.5, sum of squares 5, / 3
    expect(meanStd([1, 2, 3, 4]).std).toBeCloseTo(Math.sqrt(5 / 3), 12);
  });

  it('has no std for one value and no mean for none', () => {
    expect(meanStd([0.7])).toEqual({ mean: 0.7, std: null, n: 1 });
    const empty = meanStd([]);
    expect(empty.n).toBe(0);
    expect(empty.std).toBeNull();
    expect(Number.isNaN(empty.mean)).toBe(true);
  });
});

describe('seedGroups', () => {
  const epochs = (a: number, b: number) => [
    { epoch: 1, metrics: { loss: a, sparse_categorical_accuracy: 0.8 }, durationMs: 1 },
    { epoch: 2, metrics: { loss: b, sparse_categorical_accuracy: 0.9 }, durationMs: 1 },
  ];
  const base0 = run('run_b0', 'base', 0, { epochMetrics: epochs(1, 0.5), evaluations: [evaluation('run_b0', { attack: 'clean', epsilon: 0, steps: 0, accuracy: 0.9 })] });
  const base1 = run('run_b1', 'base', 1, { epochMetrics: epochs(2, 0.7), evaluations: [evaluation('run_b1', { attack: 'clean', epsilon: 0, steps: 0, accuracy: 0.95 })] });
  const adv0 = run('run_a0', 'adv', 0, {
    epochMetrics: epochs(3, 1),
    evaluations: [
      evaluation('run_a0', { attack: 'clean', epsilon: 0, steps: 0, accuracy: 0.9 }),
      evaluation('run_a0', { sourceRunId: 'run_b0', accuracy: 0.6 }),
      evaluation('run_a0', { attack: 'pgd', steps: 20, accuracy: 0.577 }),
    ],
  });
  const adv1 = run('run_a1', 'adv', 1, {
    epochMetrics: epochs(5, 2),
    evaluations: [
      // transfer from its own seed's base: the same measurement as adv0's transfer from run_b0
      evaluation('run_a1', { sourceRunId: 'run_b1', accuracy: 0.7 }),
      evaluation('run_a1', { attack: 'pgd', steps: 20, accuracy: 0.1 }),
      // a re-evaluation replaces the earlier number
      evaluation('run_a1', { attack: 'pgd', steps: 20, accuracy: 0.562 }),
    ],
  });
  const adv2 = run('run_a2', 'adv', 2, { status: 'failed', epochMetrics: epochs(4, 3).slice(0, 1), evaluations: [evaluation('run_a2', { attack: 'pgd', steps: 20, accuracy: 0.482 })] });
  const groups = seedGroups([base0, adv0, base1, adv1, adv2]);

  it('groups by role with members in the order given', () => {
    expect(groups.map((g) => g.role)).toEqual(['base', 'adv']);
    expect(groups[1]!.members).toEqual([
      { seed: 0, runId: 'run_a0', status: 'completed' },
      { seed: 1, runId: 'run_a1', status: 'completed' },
      { seed: 2, runId: 'run_a2', status: 'failed' },
    ]);
    expect(hasSeedSpread(groups)).toBe(true);
    expect(hasSeedSpread(seedGroups([base0, adv0]))).toBe(false);
  });

  it('aggregates every epoch metric per epoch over the runs that reached it', () => {
    const adv = groups[1]!;
    expect(adv.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    const e1 = adv.epochs[0]!.metrics.loss!;
    expect(e1.n).toBe(3);
    expect(e1.mean).toBeCloseTo(4, 12); // (3 + 5 + 4) / 3
    expect(e1.std).toBeCloseTo(1, 12); // deviations −1, 1, 0: sqrt(2 / 2)
    expect(e1.values).toEqual([{ seed: 0, runId: 'run_a0', value: 3 }, { seed: 1, runId: 'run_a1', value: 5 }, { seed: 2, runId: 'run_a2', value: 4 }]);
    const e2 = adv.epochs[1]!.metrics.loss!;
    expect(e2.n).toBe(2);
    expect(e2.mean).toBeCloseTo(1.5, 12);
    expect(e2.std).toBeCloseTo(Math.SQRT1_2, 12); // deviations ±0.5: sqrt(0.5 / 1)
    // final: each run's last finished epoch (the failed run's is epoch 1)
    expect(adv.final.loss!.values.map((v) => v.value)).toEqual([1, 2, 4]);
    expect(adv.final.loss!.mean).toBeCloseTo(7 / 3, 12);
  });

  it('aggregates evaluations by attack, ε and source, the transfer source read as "its seed\'s base"', () => {
    const adv = groups[1]!;
    expect(adv.evaluations.map((e) => e.label)).toEqual(['clean', 'FGSM ∞ ε0.2 (transfer from base)', 'PGD-20 ∞ ε0.2']);
    const transfer = adv.evaluations[1]!;
    expect(transfer.source).toBe('base');
    expect(transfer.values.map((v) => [v.runId, v.value])).toEqual([['run_a0', 0.6], ['run_a1', 0.7]]);
    expect(transfer.mean).toBeCloseTo(0.65, 12);
    const pgd = adv.evaluations[2]!;
    expect(pgd.values.map((v) => v.value)).toEqual([0.577, 0.562, 0.482]);
    expect(pgd.mean).toBeCloseTo(0.5403333333, 9);
    expect(pgd.std).toBeCloseTo(0.0510718448, 9);
    const clean = adv.evaluations[0]!;
    expect(clean.n).toBe(1);
    expect(clean.std).toBeNull();
    const baseClean = groups[0]!.evaluations[0]!;
    expect(baseClean.mean).toBeCloseTo(0.925, 12);
    expect(baseClean.std).toBeCloseTo(0.0353553391, 9);
  });

  it('keys differ by steps, restarts, norm, ε and a source that is not a base run', () => {
    const bases = new Set(['run_b0']);
    const k = (over: Partial<EvaluationRecord>) => evaluationKey(evaluation('run_x', { attack: 'pgd', steps: 20, ...over }), bases).key;
    const all = [k({}), k({ steps: 40 }), k({ restarts: 5 }), k({ norm: 'l2' }), k({ epsilon: 0.3 }), k({ sourceRunId: 'run_other' }), k({ sourceRunId: 'run_b0' })];
    expect(new Set(all).size).toBe(all.length);
    expect(k({ epsilon: 0.1 + 0.2 })).toBe(k({ epsilon: 0.3 }));
    expect(evaluationKey(evaluation('run_x', { sourceRunId: 'run_other' }), bases).label).toBe('FGSM ∞ ε0.2 (transfer from run_other)');
  });

  it('takes the label from the stored spec when the evaluation has one', () => {
    const e = evaluation('run_x', { attack: 'pgd', steps: 20, restarts: 10, spec: { attack: 'pgd', norm: 'infinity', epsilon: 0.3, steps: 20, stepSize: 0.0375, randomStart: true, restarts: 10, loss: 'ce', targets: 0, queries: 0, pInit: 0, seed: 0 } as EvaluationRecord['spec'] });
    expect(evaluationKey(e, new Set()).label).toBe('PGD-20 ×10 ∞ ε0.3');
  });

  it('aggregates ensembles by the measurements they combine, a transfer from each seed\'s own base alike', () => {
    const ens = (accuracy: number, evaluationIds: number[]) => ({ norm: 'infinity' as const, epsilon: 0.2, subset: { dataset: 'mnist-sample', splitSeed: 0, size: 2000, indicesHash: '0123456789abcdef' }, evaluationIds, attacks: [], accuracy, correct: 0, count: 2000, interval: { low: 0, high: 1 }, flags: [], modelEpoch: null });
    const a0 = [evaluation('run_a0', {}), evaluation('run_a0', { sourceRunId: 'run_b0' })];
    const a1 = [evaluation('run_a1', { sourceRunId: 'run_b1' }), evaluation('run_a1', {}), evaluation('run_a1', { attack: 'pgd', steps: 20 })];
    const groups = seedGroups([
      run('run_b0', 'base', 0),
      run('run_b1', 'base', 1),
      run('run_a0', 'adv', 0, { evaluations: a0, ensembles: [ens(0.4, a0.map((e) => e.id))] }),
      run('run_a1', 'adv', 1, { evaluations: a1, ensembles: [ens(0.5, [a1[1]!.id, a1[0]!.id]), ens(0.3, a1.map((e) => e.id))] }),
    ] as RunDetail[]);
    const ensembles = groups[1]!.evaluations.filter((e) => e.attack === 'ensemble');
    expect(ensembles.map((e) => [e.label, e.n])).toEqual([
      ['ensemble of FGSM ∞ ε0.2 + FGSM ∞ ε0.2 (transfer from base)', 2],
      ['ensemble of FGSM ∞ ε0.2 + FGSM ∞ ε0.2 (transfer from base) + PGD-20 ∞ ε0.2', 1],
    ]);
    expect(ensembles[0]!.mean).toBeCloseTo(0.45, 12);
  });

  it('aggregates comparable headlines and names them with the seed count', () => {
    const h = (accuracy: number, indicesHash = 'abc') => ({ accuracy, correct: 0, count: 2000, interval: { low: 0, high: 1 }, attack: 'AutoAttack', norm: 'infinity' as const, epsilon: 0.2, dataset: 'mnist-sample', indicesHash, flags: [] });
    const [g] = seedGroups([run('run_1', 'adv', 0, { headline: h(0.5) }), run('run_2', 'adv', 1, { headline: h(0.6) }), run('run_3', 'adv', 2, { headline: h(0.7) })]);
    expect(g!.headline!.label).toBe('AutoAttack ∞ ε0.2, 2,000 images, 3 seeds');
    expect(g!.headline!.mean).toBeCloseTo(0.6, 12);
    expect(g!.headline!.std).toBeCloseTo(0.1, 12);
    const [mixed] = seedGroups([run('run_1', 'adv', 0, { headline: h(0.5) }), run('run_2', 'adv', 1, { headline: h(0.6, 'other images') })]);
    expect(mixed!.headline).toBeNull();
  });
});

describe('seed groups and checkpoint evaluations', () => {
  it('average only final models: a run known only at its checkpoint adds nothing to the mean', () => {
    const groups = seedGroups([
      run('run_a0', 'adv', 0, { evaluations: [evaluation('run_a0', { accuracy: 0.6, modelEpoch: null })] }),
      run('run_a1', 'adv', 1, { evaluations: [evaluation('run_a1', { accuracy: 0.1, modelEpoch: 2 })] }),
      run('run_a2', 'adv', 2, { evaluations: [evaluation('run_a2', { accuracy: 0.2, modelEpoch: 1 }), evaluation('run_a2', { accuracy: 0.4, modelEpoch: null })] }),
    ]);
    const fgsm = groups[0]!.evaluations.find((e) => e.attack === 'fgsm')!;
    expect(fgsm.values.map((v) => [v.runId, v.value])).toEqual([['run_a0', 0.6], ['run_a2', 0.4]]);
    expect(fgsm.mean).toBeCloseTo(0.5, 12);
  });
});
