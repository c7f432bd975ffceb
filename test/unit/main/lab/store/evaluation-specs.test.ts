// What v2 keeps with each evaluation (complete spec, per-example mask, test subset, interval, zero-gradient fraction,
// components, sanity flags), ensembles over masks, and the v1 → v2 migration of a real v1 file.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveAttack } from '../../../../../src/shared/attacks';
import { openStore, type NewEvaluation, type Store } from '../../../../../src/main/lab/store';
import { MIGRATIONS, SCHEMA_LOG_TABLE, APPLICATION_ID } from '../../../../../src/main/lab/store/migrations';
import { cleanup, createExperiment, makeTempDir, openTemp } from './helpers';

let dir: string;
let store: Store;
let base: string;
let adv: string;
beforeEach(() => {
  dir = makeTempDir();
  store = openTemp(dir);
  [base, adv] = createExperiment(store).runIds;
});
afterEach(() => {
  store.close();
  cleanup(dir);
});

const SUBSET = { dataset: 'mnist-sample', splitSeed: 3, size: 8, indicesHash: '0123456789abcdef' };
const bits = (s: string): Uint8Array => Uint8Array.from(s, (c) => Number(c));

function measured(attack: ReturnType<typeof resolveAttack> | null, maskBits: string, over: Partial<NewEvaluation> = {}): NewEvaluation {
  const mask = bits(maskBits);
  const correct = mask.reduce((a, b) => a + b, 0);
  return {
    runId: adv, sourceRunId: null, attack: attack?.attack ?? 'clean', norm: attack?.norm ?? 'infinity', epsilon: attack?.epsilon ?? 0,
    steps: attack?.steps ?? 0, stepSize: attack?.stepSize ?? null, restarts: attack?.restarts ?? 1, randomStart: attack?.randomStart ?? false,
    spec: attack, accuracy: correct / mask.length, perClassAccuracy: [], count: mask.length, mask, subset: SUBSET, ...over,
  };
}

const pgd = (epsilon: number, steps?: number) => resolveAttack({ attack: 'pgd', norm: 'infinity', epsilon, ...(steps ? { steps } : {}) });

describe('evaluation records', () => {
  it('round-trips the complete spec, mask, subset, interval, zero-gradient fraction and components', () => {
    const auto = resolveAttack({ attack: 'autoattack', norm: 'infinity', epsilon: 0.2, seed: 5 }, 784, 10);
    const components = [{ attack: 'apgd-ce' as const, accuracy: 0.5, correct: 4 }, { attack: 'apgd-t' as const, accuracy: 0.375, correct: 3 }, { attack: 'square' as const, accuracy: 0.375, correct: 3 }];
    const stored = store.recordEvaluation(measured(auto, '11100000', { zeroGradFraction: 0.125, components }));
    const [listed] = store.listEvaluations(adv);
    expect(listed).toEqual(stored);
    expect(listed).toMatchObject({ attack: 'autoattack', spec: auto, correct: 3, count: 8, subset: SUBSET, zeroGradFraction: 0.125, components, hasMask: true, steps: 100 });
    // 95% Wilson interval of 3/8
    expect(listed!.interval.low).toBeCloseTo(0.1368, 3);
    expect(listed!.interval.high).toBeCloseTo(0.6943, 3);
    expect(store.getRun(adv).headline).toMatchObject({ attack: 'AutoAttack', correct: 3, count: 8 });
  });

  it('refuses a mask that disagrees with the count or with correct, and a subset of another size, storing nothing', () => {
    expect(() => store.recordEvaluation(measured(pgd(0.1), '1010', { count: 8 }))).toThrow(expect.objectContaining({ code: 'invalid_argument', field: 'mask' }));
    expect(() => store.recordEvaluation(measured(pgd(0.1), '10100000', { correct: 3 }))).toThrow(expect.objectContaining({ field: 'correct' }));
    expect(() => store.recordEvaluation(measured(pgd(0.1), '10100000', { subset: { ...SUBSET, size: 9 } }))).toThrow(expect.objectContaining({ field: 'subset.size' }));
    expect(() => store.recordEvaluation(measured(pgd(0.1), '10100000', { attack: 'fgsm' }))).toThrow(expect.objectContaining({ field: 'spec.attack' }));
    expect(store.listEvaluations(adv)).toEqual([]);
  });

  it('an older caller without a spec gets the spec its flat fields resolve to', () => {
    const e = store.recordEvaluation({ runId: adv, sourceRunId: null, attack: 'pgd', norm: 'infinity', epsilon: 0.3, steps: 20, stepSize: null, restarts: 1, randomStart: false, accuracy: 0.5, perClassAccuracy: [], count: 10 });
    expect(e.spec).toEqual(resolveAttack({ attack: 'pgd', norm: 'infinity', epsilon: 0.3, steps: 20, randomStart: false, restarts: 1 }));
    expect(e).toMatchObject({ correct: 5, hasMask: false, subset: null, flags: [] });
  });
});

describe('sanity flags', () => {
  it('flags a number that rises with ε under the same attack, and clears nothing that is fine', () => {
    store.recordEvaluation(measured(null, '11111110'));
    const low = store.recordEvaluation(measured(pgd(0.1), '11000000'));
    const high = store.recordEvaluation(measured(pgd(0.2), '11110000'));
    const byId = new Map(store.listEvaluations(adv).map((e) => [e.id, e]));
    expect(byId.get(low.id)!.flags).toEqual([]);
    expect(byId.get(high.id)!.flags).toEqual([expect.objectContaining({ check: 'non-monotone-eps', reason: expect.stringMatching(/^possibly overstated: /) })]);
    // the headline built on a flagged number carries the reason
    expect(store.getRunSummary(adv).headline!.flags[0]).toMatch(/possibly overstated/);
  });

  it('checks each test subset on its own: another dataset’s numbers are not compared with the run’s', () => {
    store.recordEvaluation(measured(pgd(0.1), '11000000'));
    store.recordEvaluation(measured(pgd(0.2), '11110000', { subset: { ...SUBSET, dataset: 'mnist', indicesHash: 'ffffffffffffffff' } }));
    expect(store.listEvaluations(adv).every((e) => e.flags.length === 0)).toBe(true);
  });

  it('flags gradient attacks when many examples have a zero input gradient', () => {
    const e = store.recordEvaluation(measured(pgd(0.2), '11110000', { zeroGradFraction: 0.5 }));
    expect(store.listEvaluations(adv).find((x) => x.id === e.id)!.flags.map((f) => f.check)).toEqual(['zero-gradients']);
  });
});

describe('ensembles', () => {
  it('an example is robust only if it survives every attack; getRun lists one ensemble per (norm, ε, subset)', () => {
    const a = store.recordEvaluation(measured(pgd(0.2), '11110000'));
    const b = store.recordEvaluation(measured(resolveAttack({ attack: 'fgsm', norm: 'infinity', epsilon: 0.2 }), '01111100'));
    const c = store.recordEvaluation(measured(resolveAttack({ attack: 'fgsm', norm: 'infinity', epsilon: 0.2 }), '11111111', { sourceRunId: base }));
    store.recordEvaluation(measured(pgd(0.3), '10000000'));
    const ens = store.ensembleOf([a.id, b.id, c.id]);
    expect(ens).toMatchObject({ correct: 3, count: 8, accuracy: 3 / 8, norm: 'infinity', epsilon: 0.2, subset: SUBSET, evaluationIds: [a.id, b.id, c.id] });
    expect(ens.attacks).toEqual(['PGD-10 ∞ ε0.2', 'FGSM ∞ ε0.2', `FGSM ∞ ε0.2 (transfer from ${base})`]);
    expect(store.getRun(adv).ensembles).toEqual([ens]);
  });

  it('refuses evaluations on different subsets or threat models, and those without a mask', () => {
    const a = store.recordEvaluation(measured(pgd(0.2), '11110000'));
    const other = store.recordEvaluation(measured(pgd(0.2), '11110000', { subset: { ...SUBSET, indicesHash: 'ffffffffffffffff' } }));
    const eps = store.recordEvaluation(measured(pgd(0.3), '11110000'));
    const old = store.recordEvaluation({ runId: adv, sourceRunId: null, attack: 'fgsm', norm: 'infinity', epsilon: 0.2, steps: 1, stepSize: null, restarts: 1, randomStart: false, accuracy: 0.5, perClassAccuracy: [], count: 8 });
    expect(() => store.ensembleOf([a.id, other.id])).toThrow(/different test images/);
    expect(() => store.ensembleOf([a.id, eps.id])).toThrow(/different threat models/);
    expect(() => store.ensembleOf([a.id, old.id])).toThrow(/no per-example record/);
    expect(() => store.ensembleOf([a.id, 99_999])).toThrow(expect.objectContaining({ code: 'not_found' }));
  });
});

describe('migration v1 → v2', () => {
  it('keeps every v1 evaluation and gallery, gives each attack its v1 spec, and takes the new attack kinds', () => {
    store.close();
    const file = path.join(dir, 'v1.db');
    const raw = new Database(file);
    raw.pragma('foreign_keys = ON');
    raw.exec(MIGRATIONS[0]!.sql);
    raw.exec(`CREATE TABLE ${SCHEMA_LOG_TABLE} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
    raw.prepare(`INSERT INTO ${SCHEMA_LOG_TABLE} VALUES (1, 'initial schema', '2025-01-01T00:00:00.000Z')`).run();
    raw.pragma(`application_id = ${APPLICATION_ID}`);
    raw.pragma('user_version = 1');
    const config = JSON.stringify({ role: 'adv', seed: 42, hparams: { epochs: 1 }, advReg: {}, data: {}, attacks: [] });
    raw.prepare(`INSERT INTO experiments (id, name, created_at, config) VALUES ('exp_v1', 'old', '2025-01-01T00:00:00.000Z', '{}')`).run();
    raw.prepare(`INSERT INTO runs (id, experiment_id, name, role, status, created_at, epochs, config, clean_accuracy, robust_accuracy, robust_label)
      VALUES ('run_v1', 'exp_v1', 'old adv', 'adv', 'completed', '2025-01-01T00:00:00.000Z', 1, ?, 0.9, 0.4, 'PGD-20 ∞ ε0.2')`).run(config);
    const ins = raw.prepare(`INSERT INTO evaluations (run_id, attack, norm, epsilon, steps, step_size, restarts, random_start, accuracy, per_class, count, created_at, gallery)
      VALUES ('run_v1', ?, 'infinity', ?, ?, ?, 1, ?, ?, '[0.5]', 200, '2025-01-01T00:00:00.000Z', ?)`);
    ins.run('clean', 0, 0, null, 0, 0.9, null);
    ins.run('fgsm', 0.2, 1, null, 0, 0.61, JSON.stringify({ width: 1, height: 1, classNames: ['a'] }));
    ins.run('pgd', 0.2, 20, 0.025, 1, 0.4, null);
    // an evaluation deleted under v1: its id must not be handed out again
    ins.run('pgd', 0.3, 20, null, 1, 0.1, null);
    raw.prepare(`DELETE FROM evaluations WHERE id = 4`).run();
    raw.prepare(`INSERT INTO gallery_samples VALUES (2, 0, 17, 3, x'00', x'ff', '[]')`).run();
    raw.close();

    store = openStore(file);
    const run = store.getRun('run_v1');
    expect(run.evaluations.map((e) => [e.id, e.attack, e.accuracy, e.correct])).toEqual([[1, 'clean', 0.9, 180], [2, 'fgsm', 0.61, 122], [3, 'pgd', 0.4, 80]]);
    expect(run.evaluations[1]!.spec).toEqual({ attack: 'fgsm', norm: 'infinity', epsilon: 0.2, steps: 1, stepSize: 0.2, randomStart: false, restarts: 1, loss: 'ce', targets: 0, queries: 0, pInit: 0, seed: 42 });
    expect(run.evaluations[2]!.spec).toMatchObject({ attack: 'pgd', steps: 20, stepSize: 0.025, randomStart: true, seed: 42 });
    expect(run.evaluations[0]!.spec).toBeNull();
    expect(run.evaluations.every((e) => e.subset === null && !e.hasMask)).toBe(true);
    // the gallery survived the table rebuild (no cascade fired)
    expect(store.getGallery(2).samples).toEqual([expect.objectContaining({ index: 17, label: 3 })]);
    // v1's mixed-attack robust number is cleared: nobody can tell which images it scored
    expect(run).toMatchObject({ cleanAccuracy: 0.9, robustAccuracy: null, robustLabel: null, headline: null, ensembles: [] });
    const next = store.recordEvaluation(measured(resolveAttack({ attack: 'square', norm: 'infinity', epsilon: 0.2 }), '11000000', { runId: 'run_v1' }));
    expect(next.id).toBe(5);
    expect(store.getRunSummary('run_v1').headline).toMatchObject({ attack: 'Square-5000', count: 8 });
  });
});
