// Evaluations of an epoch checkpoint's weights (schema v6, model_epoch): stored and listed with their epoch, never
// mixed with the final model's in a run's clean accuracy, headline, ensembles or sanity checks (real SQLite).
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveAttack } from '../../../../../src/shared/attacks';
import { openStore, type NewEvaluation, type Store } from '../../../../../src/main/lab/store';
import { APPLICATION_ID, LATEST_SCHEMA_VERSION, MIGRATIONS, SCHEMA_LOG_TABLE } from '../../../../../src/main/lab/store/migrations';
import { cleanup, createExperiment, makeTempDir, openTemp } from './helpers';

let dir: string;
let store: Store;
let adv: string;
beforeEach(() => {
  dir = makeTempDir();
  store = openTemp(dir);
  [, adv] = createExperiment(store, { hparams: { epochs: 4 } }).runIds;
});
afterEach(() => {
  store.close();
  cleanup(dir);
});

const SUBSET = { dataset: 'mnist-sample', splitSeed: 3, size: 8, indicesHash: '0123456789abcdef' };
const bits = (s: string): Uint8Array => Uint8Array.from(s, (c) => Number(c));
const fgsm = resolveAttack({ attack: 'fgsm', norm: 'infinity', epsilon: 0.2 });
const pgd = resolveAttack({ attack: 'pgd', norm: 'infinity', epsilon: 0.2, steps: 20 });

/** One evaluation of `maskBits` (1 = still right) on the 8-image subset; `modelEpoch` as given (absent: the saved model). */
function measured(attack: ReturnType<typeof resolveAttack> | null, maskBits: string, over: Partial<NewEvaluation> = {}): NewEvaluation {
  const mask = bits(maskBits);
  const correct = mask.reduce((a, b) => a + b, 0);
  return {
    runId: adv, sourceRunId: null, attack: attack?.attack ?? 'clean', norm: attack?.norm ?? 'infinity', epsilon: attack?.epsilon ?? 0,
    steps: attack?.steps ?? 0, stepSize: attack?.stepSize ?? null, restarts: attack?.restarts ?? 1, randomStart: attack?.randomStart ?? false,
    spec: attack, accuracy: correct / mask.length, perClassAccuracy: [], count: mask.length, mask, subset: SUBSET, ...over,
  };
}

describe('checkpoint evaluations', () => {
  it('keep the epoch whose checkpoint was evaluated; the saved model\'s are null', () => {
    const checkpoint = store.recordEvaluation(measured(fgsm, '11110000', { modelEpoch: 3 }));
    const final = store.recordEvaluation(measured(fgsm, '11000000'));
    expect(checkpoint.modelEpoch).toBe(3);
    expect(final.modelEpoch).toBeNull();
    expect(store.listEvaluations(adv).map((e) => [e.id, e.modelEpoch])).toEqual([[checkpoint.id, 3], [final.id, null]]);
  });

  it('refuses a model epoch that is not one of the run\'s epochs, naming the field and storing nothing', () => {
    for (const modelEpoch of [0, -1, 1.5, 5]) {
      expect(() => store.recordEvaluation(measured(fgsm, '11110000', { modelEpoch })), String(modelEpoch)).toThrow(expect.objectContaining({ code: 'invalid_argument', field: 'modelEpoch' }));
    }
    expect(() => store.recordEvaluation(measured(fgsm, '11110000', { modelEpoch: 5 }))).toThrow(/must be one of the run's 4 epochs \(got 5\)/);
    expect(store.listEvaluations(adv)).toEqual([]);
  });

  it('give a run known only at its checkpoints the latest epoch\'s clean accuracy and headline, named as a checkpoint\'s', () => {
    store.recordEvaluation(measured(null, '11111110', { modelEpoch: 1 }));
    store.recordEvaluation(measured(pgd, '11100000', { modelEpoch: 1 }));
    store.recordEvaluation(measured(null, '11111100', { modelEpoch: 2 }));
    store.recordEvaluation(measured(fgsm, '11110000', { modelEpoch: 2 }));
    const run = store.getRunSummary(adv);
    expect(run.cleanAccuracy).toBe(6 / 8);
    // the run list says which weights these numbers are of
    expect([run.measuredEpoch, store.listRuns().find((r) => r.id === adv)!.measuredEpoch]).toEqual([2, 2]);
    // epoch 2 has only FGSM: its number, not epoch 1's PGD, and named for its checkpoint
    expect(run.headline).toMatchObject({ attack: 'FGSM', accuracy: 4 / 8, modelEpoch: 2 });
    expect(run.robustLabel).toBe('FGSM ∞ ε0.2, 8 images (epoch 2 checkpoint)');
  });

  it('count only the final model once it has evaluations, whatever order they come in', () => {
    store.recordEvaluation(measured(null, '11111111', { modelEpoch: 2 }));
    store.recordEvaluation(measured(pgd, '11111100', { modelEpoch: 2 }));
    store.recordEvaluation(measured(null, '11110000'));
    store.recordEvaluation(measured(fgsm, '11000000'));
    // a later checkpoint evaluation changes nothing the final model's numbers say
    store.recordEvaluation(measured(null, '11111111', { modelEpoch: 3 }));
    store.recordEvaluation(measured(pgd, '11111111', { modelEpoch: 3 }));
    const run = store.getRunSummary(adv);
    expect(run.cleanAccuracy).toBe(4 / 8);
    expect(run.measuredEpoch).toBeNull();
    expect(run.headline).toMatchObject({ attack: 'FGSM', accuracy: 2 / 8 });
    expect(run.headline!.modelEpoch).toBeUndefined();
    expect(run.robustLabel).toBe('FGSM ∞ ε0.2, 8 images');
  });

  it('make one ensemble per model, and an ensemble of two models is refused naming the field', () => {
    const c1 = store.recordEvaluation(measured(fgsm, '11110000', { modelEpoch: 2 }));
    const c2 = store.recordEvaluation(measured(pgd, '11100001', { modelEpoch: 2 }));
    const f1 = store.recordEvaluation(measured(fgsm, '11000011'));
    const f2 = store.recordEvaluation(measured(pgd, '10000011'));
    const ensembles = store.runEnsembles(adv);
    expect(ensembles.map((x) => [x.modelEpoch, x.evaluationIds, x.correct])).toEqual([[null, [f1.id, f2.id], 3], [2, [c1.id, c2.id], 3]]);
    expect(store.ensembleOf([c1.id, c2.id]).modelEpoch).toBe(2);
    let refusal: unknown;
    try {
      store.ensembleOf([f1.id, c2.id]);
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toMatchObject({ code: 'invalid_argument', field: 'evaluationIds' });
    expect((refusal as Error).message).toBe(`evaluations ${f1.id} and ${c2.id} measured different models (the final model of ${adv} vs the epoch 2 checkpoint of ${adv}); combine evaluations of one model`);
  });

  it('run the sanity checks per model: the final model\'s attack is not "above clean" against a checkpoint\'s clean accuracy', () => {
    store.recordEvaluation(measured(null, '11000000', { modelEpoch: 1 }));
    store.recordEvaluation(measured(fgsm, '10000000', { modelEpoch: 1 }));
    store.recordEvaluation(measured(null, '11111110'));
    store.recordEvaluation(measured(fgsm, '11111100'));
    expect(store.listEvaluations(adv).map((e) => e.flags)).toEqual([[], [], [], []]);
    // within one model the check still fires
    const above = store.recordEvaluation(measured(pgd, '11111111', { modelEpoch: 1 }));
    expect(store.listEvaluations(adv).find((e) => e.id === above.id)!.flags.map((f) => f.check)).toContain('above-clean');
  });
});

describe('migration v5 → v6', () => {
  it('keeps every evaluation, each of the saved model, and takes checkpoint evaluations after', () => {
    store.close();
    const file = path.join(dir, 'v5.db');
    const raw = new Database(file);
    raw.pragma('foreign_keys = ON');
    for (const m of MIGRATIONS.slice(0, 5)) raw.exec(m.sql);
    raw.exec(`CREATE TABLE ${SCHEMA_LOG_TABLE} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
    MIGRATIONS.slice(0, 5).forEach((m) => raw.prepare(`INSERT INTO ${SCHEMA_LOG_TABLE} VALUES (?, ?, '2025-01-01T00:00:00.000Z')`).run(m.version, m.name));
    raw.pragma(`application_id = ${APPLICATION_ID}`);
    raw.pragma('user_version = 5');
    const config = JSON.stringify({ role: 'adv', seed: 3, hparams: { epochs: 2, numClasses: 10 }, advReg: {}, data: {}, attacks: [] });
    raw.prepare(`INSERT INTO experiments (id, name, created_at, config) VALUES ('exp_v5', 'old', '2025-01-01T00:00:00.000Z', '{}')`).run();
    raw.prepare(`INSERT INTO runs (id, experiment_id, name, role, status, created_at, epochs, epochs_done, config, clean_accuracy)
      VALUES ('run_v5', 'exp_v5', 'old adv', 'adv', 'cancelled', '2025-01-01T00:00:00.000Z', 2, 1, ?, 0.875)`).run(config);
    const ins = raw.prepare(`INSERT INTO evaluations (run_id, attack, norm, epsilon, steps, step_size, restarts, random_start, accuracy, per_class, count, correct, created_at, spec, subset, mask)
      VALUES ('run_v5', ?, 'infinity', ?, ?, NULL, 1, 0, ?, '[]', 8, ?, '2025-01-01T00:00:00.000Z', ?, ?, ?)`);
    ins.run('clean', 0, 0, 0.875, 7, null, JSON.stringify(SUBSET), Buffer.from(bits('11111110')));
    ins.run('fgsm', 0.2, 1, 0.5, 4, JSON.stringify(fgsm), JSON.stringify(SUBSET), Buffer.from(bits('11110000')));
    raw.close();

    store = openStore(file);
    expect(store.migration).toMatchObject({ from: 5, to: LATEST_SCHEMA_VERSION });
    expect(store.migration.applied).toContain('v6 model epoch of checkpoint evaluations');
    const run = store.getRun('run_v5');
    expect(run.evaluations.map((e) => [e.id, e.attack, e.accuracy, e.correct, e.modelEpoch, e.hasMask])).toEqual([[1, 'clean', 0.875, 7, null, true], [2, 'fgsm', 0.5, 4, null, true]]);
    expect(run.cleanAccuracy).toBe(0.875);
    const next = store.recordEvaluation(measured(fgsm, '11000000', { runId: 'run_v5', modelEpoch: 1 }));
    expect(next).toMatchObject({ id: 3, modelEpoch: 1 });
    // the migrated evaluations are the saved model's: they still speak for the run
    expect(store.getRunSummary('run_v5').headline).toMatchObject({ accuracy: 0.5 });
    expect(store.getRunSummary('run_v5').headline!.modelEpoch).toBeUndefined();
  });
});
