// Experiment reports built from a real store: report.json holds everything, the CSVs read back with a CSV parser and with pandas.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EngineRecord, type ExperimentDetail, type RunConfig } from '../../../../../src/shared/contract';
import { ExperimentConfigSchema, type RunRole } from '../../../../../src/shared/schemas';
import { openStore, type NewEvaluation, type Store } from '../../../../../src/main/lab/store';
import { EVALUATION_COLUMNS, writeReport } from '../../../../../src/main/lab/report/write-report';
import { LabError } from '../../../../../src/shared/errors';
import { csvRecords } from '../../../shared/csv-parse';

const ODD_METRIC = 'top,"k" acc';
let dir: string;
let store: Store;
let detail: ExperimentDetail;

const engine: EngineRecord = {
  backend: 'tensorflow',
  tfjsVersion: '4.22.0',
  tfVersion: '2.21.0',
  libtensorflowSource: 'tensorflow-cpu wheel',
  threads: 2,
  cpu: { model: 'test cpu', cores: 2, features: ['avx'] },
  gpus: [],
  notUsed: [{ option: 'wasm', why: 'native TensorFlow is faster' }],
  warnings: [],
};

function buildExperiment(): ExperimentDetail {
  const config = ExperimentConfigSchema.parse({ name: 'report, "quoted"\nname', attacks: [{ attack: 'pgd', epsilons: [0.1, 0.2], steps: 10 }] });
  const runConfig = (role: RunRole): RunConfig => ({ role, hparams: config.hparams, advReg: role === 'base' ? { ...config.advReg, multiplier: 0 } : config.advReg, data: config.data, seed: config.seed, attacks: config.attacks });
  const { experiment, runs } = store.createExperiment(config, (['base', 'adv'] as const).map((role) => ({ role, name: `run ${role}`, config: runConfig(role) })));
  const [base, adv] = runs.map((r) => r.id) as [string, string];
  store.setRunEngine(adv, engine);
  store.recordEpoch(base, 0, { loss: 0.5, sparse_categorical_crossentropy: 0.5, sparse_categorical_accuracy: 0.85 }, 1200, []);
  store.recordEpoch(base, 1, { loss: 0.25, sparse_categorical_crossentropy: 0.25, sparse_categorical_accuracy: 0.925 }, 1100.5, []);
  store.recordEpoch(adv, 0, { loss: 0.75, sparse_categorical_crossentropy: 0.6, scaled_adversarial_loss: 0.15, sparse_categorical_accuracy: 0.8 }, 2400, []);
  store.recordEpoch(adv, 1, { loss: 0.375, sparse_categorical_crossentropy: 0.3, scaled_adversarial_loss: 0.075, sparse_categorical_accuracy: 0.9, [ODD_METRIC]: 0.99 }, 2300, []);
  const ev = (over: Partial<NewEvaluation>): NewEvaluation => ({ runId: adv, sourceRunId: null, attack: 'pgd', norm: 'infinity', epsilon: 0.2, steps: 10, stepSize: 0.05, restarts: 1, randomStart: true, accuracy: 0.5, perClassAccuracy: [0.5, 0.5], count: 200, ...over });
  for (const runId of [base, adv]) {
    store.recordEvaluation(ev({ runId, attack: 'clean', epsilon: 0, steps: 0, stepSize: null, restarts: 0, randomStart: false, accuracy: 0.95 }));
    store.recordEvaluation(ev({ runId, attack: 'fgsm', epsilon: 0.1, steps: 1, stepSize: null, randomStart: false, accuracy: runId === adv ? 0.7 : 0.4 }));
    store.recordEvaluation(ev({ runId, epsilon: 0.2, accuracy: runId === adv ? 0.55 : 0.1 }));
  }
  store.recordEvaluation(ev({ sourceRunId: base, norm: 'l2', epsilon: 1.5, steps: 20, stepSize: 0.1875, restarts: 3, accuracy: 0.625 }));
  return store.getExperiment(experiment.id);
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rlab-report-'));
  store = openStore(path.join(dir, 'lab.db'));
  detail = buildExperiment();
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const cell = (v: number | string | null | undefined): string => (v === null || v === undefined ? '' : String(v));

describe('writeReport', () => {
  it('writes report.json with configs, engine records, per-epoch metrics and every evaluation', async () => {
    const { files } = await writeReport(detail, path.join(dir, 'out-json'));
    expect(files.map((f) => path.basename(f))).toEqual(['report.json', 'metrics.csv', 'evaluations.csv']);
    const doc = JSON.parse(readFileSync(files[0]!, 'utf8'));
    expect(doc.format).toBe('robustness-lab-report');
    expect(doc.experiment).toEqual(JSON.parse(JSON.stringify(detail)));
    const adv = doc.experiment.runs.find((r: { role: string }) => r.role === 'adv');
    expect(adv.engine).toEqual(engine);
    expect(adv.config.advReg.multiplier).toBe(0.2);
    expect(adv.evaluations).toHaveLength(4);
    expect(adv.evaluations.find((e: { sourceRunId: string | null }) => e.sourceRunId !== null)).toMatchObject({ norm: 'l2', epsilon: 1.5, steps: 20, stepSize: 0.1875, restarts: 3, randomStart: true });
  });

  it('writes metrics.csv with one column per metric name, NSL order first, empty where a run did not log one', async () => {
    const { files } = await writeReport(detail, path.join(dir, 'out-metrics'));
    const text = readFileSync(files[1]!, 'utf8');
    expect(text.split('\n')[0]).toBe('run_id,role,epoch,loss,sparse_categorical_crossentropy,scaled_adversarial_loss,sparse_categorical_accuracy,"top,""k"" acc",duration_ms');
    const { header, records } = csvRecords(text);
    expect(header).toEqual(['run_id', 'role', 'epoch', 'loss', 'sparse_categorical_crossentropy', 'scaled_adversarial_loss', 'sparse_categorical_accuracy', ODD_METRIC, 'duration_ms']);
    const expected = detail.runs.flatMap((run) => run.epochMetrics.map((e) => ({
      run_id: run.id, role: run.role, epoch: String(e.epoch),
      ...Object.fromEntries(header.slice(3, -1).map((n) => [n, cell(e.metrics[n])])),
      duration_ms: String(e.durationMs),
    })));
    expect(records).toEqual(expected);
    expect(records.filter((r) => r.role === 'base').map((r) => r.scaled_adversarial_loss)).toEqual(['', '']);
  });

  it('writes evaluations.csv with one row per run × attack × ε and its attack parameters', async () => {
    const { files } = await writeReport(detail, path.join(dir, 'out-evals'));
    const { header, records } = csvRecords(readFileSync(files[2]!, 'utf8'));
    expect(header).toEqual([...EVALUATION_COLUMNS]);
    const expected = detail.runs.flatMap((run) => run.evaluations.map((e) => ({
      run_id: run.id, role: run.role, attack: e.attack, norm: e.norm, epsilon: String(e.epsilon), steps: String(e.steps),
      step_size: cell(e.stepSize), restarts: String(e.restarts), random_start: String(e.randomStart), source_run_id: e.sourceRunId ?? '',
      accuracy: String(e.accuracy), count: String(e.count),
      loss: cell(e.spec?.loss ?? null), targets: cell(e.spec?.targets ?? null), queries: cell(e.spec?.queries ?? null), p_init: cell(e.spec?.pInit ?? null), attack_seed: cell(e.spec?.seed ?? null),
      correct: String(e.correct), ci_low: String(e.interval.low), ci_high: String(e.interval.high), zero_grad_fraction: cell(e.zeroGradFraction),
      dataset: cell(e.subset?.dataset ?? null), split_seed: cell(e.subset?.splitSeed ?? null), indices_hash: cell(e.subset?.indicesHash ?? null), flags: e.flags.map((f) => f.reason).join(' | '),
      model_epoch: cell(e.modelEpoch),
    })));
    expect(records).toEqual(expected);
    expect(records).toHaveLength(7);
  });

  it('produces CSVs pandas reads without options (or says why that check cannot run here)', async () => {
    const { files } = await writeReport(detail, path.join(dir, 'out-pandas'));
    const python = process.env.RLAB_PYTHON ?? 'python3';
    const probe = spawnSync(python, ['-c', 'import pandas'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      const why = probe.error ? probe.error.message : (probe.stderr.trim().split('\n').pop() ?? `exit ${probe.status}`);
      console.log(`pandas check not run: ${python} cannot import pandas (${why}); set RLAB_PYTHON to a Python with pandas to run it`);
      return;
    }
    const script = [
      'import json, sys, pandas as pd',
      'out = {}',
      'for key, f in (("metrics", sys.argv[1]), ("evaluations", sys.argv[2])):',
      '    df = pd.read_csv(f)',
      '    out[key] = {"columns": list(df.columns), "dtypes": {c: str(t) for c, t in df.dtypes.items()}, "rows": json.loads(df.to_json(orient="records"))}',
      'print(json.dumps(out))',
    ].join('\n');
    const run = spawnSync(python, ['-c', script, files[1]!, files[2]!], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const got = JSON.parse(run.stdout);
    expect(got.metrics.columns).toContain(ODD_METRIC);
    expect(got.metrics.rows).toHaveLength(4);
    const advLast = got.metrics.rows.find((r: Record<string, unknown>) => r.role === 'adv' && r.epoch === 1);
    expect(advLast).toMatchObject({ loss: 0.375, scaled_adversarial_loss: 0.075, [ODD_METRIC]: 0.99, duration_ms: 2300 });
    expect(got.metrics.rows.find((r: Record<string, unknown>) => r.role === 'base').scaled_adversarial_loss).toBeNull();
    expect(got.evaluations.columns).toEqual([...EVALUATION_COLUMNS]);
    expect(got.evaluations.dtypes).toMatchObject({ epsilon: 'float64', steps: 'int64', accuracy: 'float64', count: 'int64', random_start: 'bool' });
    const transfer = got.evaluations.rows.find((r: Record<string, unknown>) => r.source_run_id !== null);
    expect(transfer).toMatchObject({ role: 'adv', attack: 'pgd', norm: 'l2', epsilon: 1.5, step_size: 0.1875, restarts: 3, random_start: true, accuracy: 0.625, count: 200 });
    expect(transfer.source_run_id).toBe(detail.runs.find((r) => r.role === 'base')!.id);
  });

  it('rejects a detail without runs and an empty outDir', async () => {
    await expect(writeReport({ ...detail, runs: undefined } as unknown as ExperimentDetail, dir)).rejects.toThrow(LabError);
    await expect(writeReport(detail, ' ')).rejects.toThrow(/outDir must be a folder path/);
  });
});
