// Compare page data: the hyperparameter diff, best/last values, and the CSV of everything compared.
import { describe, expect, it } from 'vitest';
import { type RunDetail } from '../../../src/shared/contract';
import { ExperimentConfigSchema } from '../../../src/shared/schemas';
import { bestLast, COMPARE_CSV_HEADER, compareCsv } from '../../../src/renderer/src/lib/compare-data';
import { flattenRun, paramRows } from '../../../src/renderer/src/lib/config-diff';
import { toCsv } from '../../../src/renderer/src/lib/csv';

const config = ExperimentConfigSchema.parse({ attacks: [{ attack: 'fgsm', epsilons: [0.1, 0.2] }] });

function detail(id: string, role: 'base' | 'adv', multiplier: number, extra: Partial<RunDetail> = {}): RunDetail {
  return {
    id, experimentId: 'exp_1', experimentName: 'mnist', name: `mnist, "${role}"`, role, seed: 0, status: 'completed', createdAt: '', startedAt: null, finishedAt: null,
    durationMs: 1, epochsDone: 2, epochs: 2, cleanAccuracy: 0.9, robustAccuracy: 0.2, robustLabel: null, headline: null, backend: 'tensorflow', tags: [], error: null,
    config: { role, hparams: config.hparams, advReg: { ...config.advReg, multiplier }, data: config.data, seed: 0, attacks: config.attacks },
    engine: null, notes: '', epochMetrics: [], evaluations: [], ensembles: [], artifacts: [], attempts: [], ...extra,
  };
}

describe('paramRows', () => {
  it('marks exactly the rows where runs differ', () => {
    const rows = paramRows([detail('run_a', 'base', 0), detail('run_b', 'adv', 0.2)]);
    const differing = rows.filter((r) => r.differs).map((r) => r.key);
    expect(differing).toEqual(['role', 'defence', 'advReg.multiplier']);
    expect(rows.find((r) => r.key === 'hparams.convFilters')!.values).toEqual(['[32, 64, 64]', '[32, 64, 64]']);
  });

  it('summarises a feature mask and lists each attack', () => {
    const masked = detail('run_a', 'adv', 0.2);
    masked.config.advReg.featureMask = [0, 1, 1, 0];
    const flat = flattenRun(masked);
    expect(flat['advReg.featureMask']).toBe('2 of 4 pixels');
    expect(flat['attacks.0']).toBe('fgsm infinity ε=[0.1, 0.2] source=self');
    masked.config.attacks[0] = { ...masked.config.attacks[0]!, testSize: 500 };
    expect(flattenRun(masked)['attacks.0']).toBe('fgsm infinity ε=[0.1, 0.2] source=self testSize=500');
  });

  it('shows a key only some runs have as — for the others', () => {
    const withBase = detail('run_b', 'adv', 0.2);
    withBase.config.baseModelPath = '/models/m.json';
    const row = paramRows([detail('run_a', 'base', 0), withBase]).find((r) => r.key === 'baseModelPath')!;
    expect(row).toEqual({ key: 'baseModelPath', values: ['—', '/models/m.json'], differs: true });
  });
});

describe('bestLast', () => {
  const epochs = [
    { epoch: 1, metrics: { loss: 1.0, sparse_categorical_accuracy: 0.8 }, durationMs: 1 },
    { epoch: 2, metrics: { loss: 0.5, sparse_categorical_accuracy: 0.9 }, durationMs: 1 },
    { epoch: 3, metrics: { loss: 0.7, sparse_categorical_accuracy: 0.85 }, durationMs: 1 },
  ];

  it('takes the minimum of a loss and the maximum of an accuracy, with its epoch', () => {
    expect(bestLast(epochs, 'loss')).toEqual({ best: 0.5, bestEpoch: 2, last: 0.7 });
    expect(bestLast(epochs, 'sparse_categorical_accuracy')).toEqual({ best: 0.9, bestEpoch: 2, last: 0.85 });
    expect(bestLast([], 'loss')).toEqual({ best: null, bestEpoch: null, last: null });
  });
});

describe('compareCsv', () => {
  it('writes one quoted, long-format line per parameter, epoch metric and evaluation', () => {
    const a = detail('run_a', 'base', 0);
    const evaluation = { id: 1, runId: 'run_a', sourceRunId: null, attack: 'fgsm' as const, norm: 'infinity' as const, epsilon: 0.1, steps: 1, stepSize: null, restarts: 1, randomStart: false, spec: null, accuracy: 0.42, perClassAccuracy: [], count: 10, correct: 4, interval: { low: 0.17, high: 0.71 }, zeroGradFraction: null, subset: null, components: [], flags: [], hasMask: false, createdAt: '', hasGallery: false, modelEpoch: null };
    const runs = [{ run: a, epochs: [{ epoch: 1, metrics: { loss: 0.5 }, durationMs: 1 }], evaluations: [evaluation] }];
    const params = paramRows([a]).slice(0, 1);
    const lines = compareCsv(runs, params).trimEnd().split('\r\n');
    expect(lines[0]).toBe(COMPARE_CSV_HEADER.join(','));
    expect(lines[1]).toBe('run_a,"mnist, ""base""",base,param,role,,,,,,,base');
    expect(lines[2]).toBe('run_a,"mnist, ""base""",base,epoch,loss,1,,,,,,0.5');
    expect(lines[3]).toBe('run_a,"mnist, ""base""",base,evaluation,accuracy,,fgsm,infinity,0.1,1,,0.42');
  });

  it('quotes cells with commas, quotes and line breaks only', () => {
    expect(toCsv(['a', 'b'], [['x,y', 'plain'], ['say "hi"', 'two\nlines']])).toBe('a,b\r\n"x,y",plain\r\n"say ""hi""","two\nlines"\r\n');
  });
});
