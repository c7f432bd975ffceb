// Experiments and runs: creation, reading, editing, listing filters and deletion with its cascades.
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExperimentConfigSchema } from '../../../../../src/shared/schemas';
import { type Store } from '../../../../../src/main/lab/store';
import { cleanup, createExperiment, makeTempDir, openTemp, runConfigFor, steppingClock } from './helpers';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = makeTempDir();
  store = openTemp(dir, { now: steppingClock() });
});
afterEach(() => {
  store.close();
  cleanup(dir);
});

describe('createExperiment', () => {
  it('creates the experiment and one queued run per role with ids of the documented form', () => {
    const { created } = createExperiment(store, { name: 'eps study', tags: ['mnist', 'mnist', 'pgd'], hparams: { epochs: 3 } });
    expect(created.experiment.id).toMatch(/^exp_[0-9A-Za-z]{10}$/);
    expect(created.experiment).toMatchObject({ name: 'eps study', tags: ['mnist', 'pgd'], runIds: created.runs.map((r) => r.id) });
    expect(created.runs.map((r) => [r.role, r.name, r.status, r.epochs, r.epochsDone])).toEqual([
      ['base', 'eps study base', 'queued', 3, 0],
      ['adv', 'eps study adv', 'queued', 3, 0],
    ]);
    for (const run of created.runs) {
      expect(run.id).toMatch(/^run_[0-9A-Za-z]{10}$/);
      expect(run).toMatchObject({ experimentId: created.experiment.id, experimentName: 'eps study', tags: ['mnist', 'pgd'], cleanAccuracy: null, robustAccuracy: null, backend: null, durationMs: null });
    }
  });

  it('refuses an empty run list and creates nothing', () => {
    const config = ExperimentConfigSchema.parse({ name: 'empty' });
    expect(() => store.createExperiment(config, [])).toThrow(expect.objectContaining({ code: 'invalid_argument', field: 'runs' }));
    expect(store.listExperiments()).toEqual([]);
  });

  it('rolls the experiment back when a later run is invalid', () => {
    const config = ExperimentConfigSchema.parse({ name: 'half' });
    const good = { role: 'base' as const, name: 'ok', config: runConfigFor({}, 'base') };
    const bad = { role: 'adv' as const, name: '  ', config: runConfigFor({}, 'adv') };
    expect(() => store.createExperiment(config, [good, bad])).toThrow(expect.objectContaining({ code: 'invalid_argument', field: 'runs[1].name' }));
    expect(store.listExperiments()).toEqual([]);
    expect(store.listRuns()).toEqual([]);
  });
});

describe('reading', () => {
  it('getRun returns the stored config, empty engine and empty histories', () => {
    const input = { name: 'detail', seed: 7, advReg: { multiplier: 0.5, advStepSize: 0.05 } };
    const { runIds } = createExperiment(store, input);
    const adv = store.getRun(runIds[1]);
    expect(adv.config).toEqual(runConfigFor(input, 'adv'));
    expect(adv.config.advReg.multiplier).toBe(0.5);
    expect(store.getRun(runIds[0]).config.advReg.multiplier).toBe(0);
    expect(adv).toMatchObject({ engine: null, notes: '', epochMetrics: [], evaluations: [], artifacts: [] });
  });

  it('getExperiment returns every run in detail; unknown ids are not_found naming the id', () => {
    const { experimentId, runIds } = createExperiment(store, { name: 'x' });
    expect(store.getExperiment(experimentId).runs.map((r) => r.id)).toEqual(runIds);
    expect(() => store.getExperiment('exp_missing')).toThrow(expect.objectContaining({ code: 'not_found', field: 'experimentId', message: expect.stringContaining('exp_missing') }));
    expect(() => store.getRun('run_missing')).toThrow(expect.objectContaining({ code: 'not_found', field: 'runId', message: expect.stringContaining('run_missing') }));
  });

  it('lists experiments newest first', () => {
    const a = createExperiment(store, { name: 'first' });
    const b = createExperiment(store, { name: 'second' });
    expect(store.listExperiments().map((e) => e.id)).toEqual([b.experimentId, a.experimentId]);
  });

  it('setRunEngine stores the record and the summary shows its backend', () => {
    const { runIds } = createExperiment(store);
    const engine = { backend: 'tensorflow' as const, tfjsVersion: '4.22.0', tfVersion: '2.21.0', libtensorflowSource: 'wheel', threads: 2, cpu: { model: 'x', cores: 2, features: ['avx2'] }, gpus: [], notUsed: [{ option: 'gpu', why: 'none found' }], warnings: [] };
    expect(store.setRunEngine(runIds[0], engine).backend).toBe('tensorflow');
    expect(store.getRun(runIds[0]).engine).toEqual(engine);
  });
});

describe('updateRun', () => {
  it('changes name, tags and notes and leaves the rest', () => {
    const { runIds } = createExperiment(store, { tags: ['a'] });
    const updated = store.updateRun({ runId: runIds[0], name: ' renamed ', tags: ['b', ' c '], notes: 'looks good' });
    expect(updated).toMatchObject({ name: 'renamed', tags: ['b', 'c'], status: 'queued' });
    expect(store.getRun(runIds[0]).notes).toBe('looks good');
    expect(store.updateRun({ runId: runIds[0], notes: 'again' }).name).toBe('renamed');
  });

  it('refuses an empty name', () => {
    const { runIds } = createExperiment(store);
    expect(() => store.updateRun({ runId: runIds[0], name: ' ' })).toThrow(expect.objectContaining({ code: 'invalid_argument', field: 'name' }));
  });
});

describe('run summaries', () => {
  it('carry the data and optimiser settings of each run config, as the runs table shows them', () => {
    const { runIds } = createExperiment(store, { hparams: { batchSize: 50, learningRate: 0.0005, optimizer: 'sgd' }, data: { trainSize: 1600, testSize: 400 } });
    const expected = { dataset: 'mnist-sample', trainSize: 1600, testSize: 400, batchSize: 50, learningRate: 0.0005, optimizer: 'sgd' };
    expect(store.listRuns().map((r) => r.training)).toEqual([expected, expected]);
    expect(store.getRun(runIds[0]!).training).toEqual(expected);
    const imported = createExperiment(store, { data: { dataset: { kind: 'imported', id: 'ds_digits' }, trainSize: 10, testSize: 5 } }, ['base']);
    expect(store.getRun(imported.runIds[0]!).training?.dataset).toBe('imported:ds_digits');
  });
});

describe('listRuns filters', () => {
  it('filters by status, tag, search text and experiment, and honours the limit', () => {
    const cats = createExperiment(store, { name: 'Cats 100%', tags: ['vision'] });
    const dogs = createExperiment(store, { name: 'dogs_l2', tags: ['l2'] });
    store.setRunStatus(dogs.runIds[0], 'running');
    store.updateRun({ runId: cats.runIds[1], notes: 'the Special one' });

    const ids = (runs: { id: string }[]) => runs.map((r) => r.id).sort();
    expect(store.listRuns()).toHaveLength(4);
    // Newest first: the dogs experiment was created after the cats one.
    expect(store.listRuns().slice(0, 2).map((r) => r.experimentId)).toEqual([dogs.experimentId, dogs.experimentId]);
    expect(ids(store.listRuns({ status: ['running'] }))).toEqual([dogs.runIds[0]]);
    expect(ids(store.listRuns({ status: 'queued' }))).toEqual(ids([...cats.runIds, dogs.runIds[1]].map((id) => ({ id }))));
    expect(store.listRuns({ status: [] })).toEqual([]);
    expect(ids(store.listRuns({ tag: 'vision' }))).toEqual([...cats.runIds].sort());
    expect(ids(store.listRuns({ search: 'special' }))).toEqual([cats.runIds[1]]);
    expect(ids(store.listRuns({ search: '100%' }))).toEqual([...cats.runIds].sort());
    // '_' and '%' match literally, not as LIKE wildcards.
    expect(ids(store.listRuns({ search: 's_l' }))).toEqual([...dogs.runIds].sort());
    expect(store.listRuns({ search: '1_0' })).toEqual([]);
    expect(ids(store.listRuns({ search: cats.runIds[0] }))).toEqual([cats.runIds[0]]);
    expect(ids(store.listRuns({ experimentId: dogs.experimentId, status: ['queued'] }))).toEqual([dogs.runIds[1]]);
    expect(store.listRuns({ limit: 3 })).toHaveLength(3);
    expect(() => store.listRuns({ limit: 0 })).toThrow(expect.objectContaining({ code: 'invalid_argument', field: 'limit' }));
  });
});

describe('deletion', () => {
  it('deleteRun refuses a running run and says why', () => {
    const { runIds } = createExperiment(store);
    store.setRunStatus(runIds[0], 'running');
    expect(() => store.deleteRun(runIds[0])).toThrow(expect.objectContaining({ code: 'failed_precondition', message: expect.stringMatching(/is running; cancel it/) }));
    expect(store.getRun(runIds[0]).status).toBe('running');
  });

  it('deleteRun removes metrics, evaluations, galleries, artifacts and jobs; transfer results elsewhere keep their rows', () => {
    const { runIds } = createExperiment(store);
    const [base, adv] = runIds;
    store.recordEpoch(base, 0, { loss: 1 }, 10, [{ epoch: 0, batch: 0, step: 0, metrics: { loss: 1 } }]);
    const pixels = new Array(4).fill(0);
    store.recordEvaluation(
      { runId: base, sourceRunId: null, attack: 'fgsm', norm: 'infinity', epsilon: 0.1, steps: 1, stepSize: 0.1, restarts: 1, randomStart: false, accuracy: 0.5, perClassAccuracy: [0.5], count: 10 },
      { width: 2, height: 2, classNames: ['0'], samples: [{ index: 3, label: 0, clean: pixels, adversarial: pixels, predictions: [] }] },
    );
    const transfer = store.recordEvaluation({ runId: adv, sourceRunId: base, attack: 'pgd', norm: 'infinity', epsilon: 0.2, steps: 10, stepSize: 0.05, restarts: 1, randomStart: true, accuracy: 0.7, perClassAccuracy: [], count: 10 });
    store.addArtifact(base, { kind: 'model', path: '/x/model.json' });
    store.enqueueJob({ kind: 'evaluate', runId: base, payload: {} });

    expect(store.deleteRun(base)).toEqual({ runId: base, folder: path.join(dir, 'runs', base) });
    expect(() => store.getRun(base)).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(store.listJobs()).toEqual([]);
    const after = store.listEvaluations(adv);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: transfer.id, sourceRunId: null, accuracy: 0.7 });

    const raw = new Database(store.file, { readonly: true });
    for (const table of ['metrics_epoch', 'metrics_batch', 'gallery_samples', 'artifacts']) {
      expect(raw.prepare(`SELECT count(*) FROM ${table}`).pluck().get(), table).toBe(0);
    }
    expect(raw.prepare(`SELECT count(*) FROM evaluations`).pluck().get()).toBe(1);
    raw.close();
  });

  it('deleteExperiment removes its runs and returns their folders; refuses while one runs', () => {
    const keep = createExperiment(store, { name: 'keep' });
    const gone = createExperiment(store, { name: 'gone' });
    store.recordEpoch(gone.runIds[0], 0, { loss: 1 }, 10, [{ epoch: 0, batch: 0, step: 0, metrics: { loss: 1 } }]);
    store.enqueueJob({ kind: 'train', runId: gone.runIds[0] });
    store.setRunStatus(gone.runIds[1], 'running');
    expect(() => store.deleteExperiment(gone.experimentId)).toThrow(expect.objectContaining({ code: 'failed_precondition', message: expect.stringContaining(gone.runIds[1]) }));
    store.setRunStatus(gone.runIds[1], 'cancelled');

    const result = store.deleteExperiment(gone.experimentId);
    expect(result).toEqual({ experimentId: gone.experimentId, runIds: gone.runIds, folders: gone.runIds.map((id) => path.join(dir, 'runs', id)) });
    expect(store.listExperiments().map((e) => e.id)).toEqual([keep.experimentId]);
    expect(store.listRuns().map((r) => r.id).sort()).toEqual([...keep.runIds].sort());
    expect(store.listJobs()).toEqual([]);
    const raw = new Database(store.file, { readonly: true });
    expect(raw.prepare('SELECT count(*) FROM metrics_epoch').pluck().get()).toBe(0);
    raw.close();
    expect(() => store.deleteExperiment(gone.experimentId)).toThrow(expect.objectContaining({ code: 'not_found' }));
  });
});

describe('settings', () => {
  it('stores JSON values by key and survives reopening', () => {
    expect(store.getSetting('ui')).toBeUndefined();
    store.setSetting('ui', { theme: 'dark', columns: ['name', 'status'] });
    store.setSetting('ui', { theme: 'light' });
    store.close();
    store = openTemp(dir);
    expect(store.getSetting('ui')).toEqual({ theme: 'light' });
    expect(store.deleteSetting('ui')).toBe(true);
    expect(store.getSetting('ui')).toBeUndefined();
  });
});
