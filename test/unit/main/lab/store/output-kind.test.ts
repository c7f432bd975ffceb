// What a run's model outputs, recorded with the run: set once the worker has classified the trained model, and
// filled in by migration v3 for the runs stored before (all built by the lab's softmax builders).
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../../../src/main/lab/store';
import { APPLICATION_ID, LATEST_SCHEMA_VERSION, MIGRATIONS, SCHEMA_LOG_TABLE } from '../../../../../src/main/lab/store/migrations';
import { cleanup, createExperiment, makeTempDir, openTemp } from './helpers';

let dir: string;
let store: Store;

beforeEach(() => {
  dir = makeTempDir();
  store = openTemp(dir);
});
afterEach(() => {
  store.close();
  cleanup(dir);
});

describe('setRunOutputKind', () => {
  it('records the kind on the run and refuses anything but logits or probabilities, changing nothing', () => {
    const runId = createExperiment(store).runIds[0]!;
    expect(store.getRunSummary(runId).outputKind).toBeNull();
    expect(store.setRunOutputKind(runId, 'logits').outputKind).toBe('logits');
    expect(() => store.setRunOutputKind(runId, 'softmax' as 'logits')).toThrow(/outputKind must be logits or probabilities/);
    expect(store.getRun(runId).outputKind).toBe('logits');
    expect(() => store.setRunOutputKind('run_nope', 'logits')).toThrow(/run_nope/);
  });
});

describe('migration v2 → v3', () => {
  it('marks builder-made trained runs as probabilities and leaves runs that started from a user model unknown', () => {
    store.close();
    const file = path.join(dir, 'v2.db');
    const raw = new Database(file);
    raw.pragma('foreign_keys = ON');
    raw.exec(MIGRATIONS[0]!.sql);
    raw.exec(MIGRATIONS[1]!.sql);
    raw.exec(`CREATE TABLE ${SCHEMA_LOG_TABLE} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
    raw.prepare(`INSERT INTO ${SCHEMA_LOG_TABLE} VALUES (1, ?, '2025-01-01T00:00:00.000Z'), (2, ?, '2025-01-02T00:00:00.000Z')`).run(MIGRATIONS[0]!.name, MIGRATIONS[1]!.name);
    raw.pragma(`application_id = ${APPLICATION_ID}`);
    raw.pragma('user_version = 2');
    raw.prepare(`INSERT INTO experiments (id, name, created_at, config) VALUES ('exp_v2', 'old', '2025-01-01T00:00:00.000Z', '{}')`).run();
    const insert = raw.prepare(`INSERT INTO runs (id, experiment_id, name, role, status, created_at, epochs, config, kind, output_kind)
      VALUES (?, 'exp_v2', ?, 'base', 'completed', '2025-01-01T00:00:00.000Z', 1, ?, ?, ?)`);
    insert.run('run_built', 'built', JSON.stringify({ role: 'base', seed: 0 }), 'trained', null);
    insert.run('run_started', 'from a file', JSON.stringify({ role: 'base', seed: 0, baseModelPath: '/m/model.json' }), 'trained', null);
    insert.run('run_imported', 'imported', JSON.stringify({ role: 'base', seed: 0 }), 'imported', 'logits');
    raw.close();

    store = openStore(file);
    expect(store.migration).toMatchObject({ from: 2, to: LATEST_SCHEMA_VERSION });
    expect(['run_built', 'run_started', 'run_imported'].map((id) => store.getRunSummary(id).outputKind)).toEqual(['probabilities', null, 'logits']);
  });
});
