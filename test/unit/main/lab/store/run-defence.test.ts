// What trained each run, kept as a column so listing never parses configs: written with every new run, and filled
// in by migration v4 for runs stored before defences (base = standard, adv = NSL; imported models: unknown).
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../../../src/main/lab/store';
import { APPLICATION_ID, LATEST_SCHEMA_VERSION, MIGRATIONS, SCHEMA_LOG_TABLE } from '../../../../../src/main/lab/store/migrations';
import { ExperimentConfigSchema } from '../../../../../src/shared/schemas';
import { plannedRunsOf } from '../../../../../src/main/lab/service/run-config';
import { cleanup, makeTempDir, openTemp } from './helpers';

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

describe('run defence', () => {
  it('is listed with every new run, complete with its defaults', () => {
    const config = ExperimentConfigSchema.parse({ defences: [{ method: 'trades', beta: 1 }, { method: 'fast-at' }] });
    const created = store.createExperiment(config, plannedRunsOf(config).map((p) => ({ role: p.role, name: p.label, config: p.config })));
    const listed = store.listRuns({}).filter((r) => r.experimentId === created.experiment.id);
    const byName = Object.fromEntries(listed.map((r) => [r.name, r.defence]));
    expect(byName).toEqual({
      base: { method: 'standard' },
      trades: { method: 'trades', norm: 'infinity', epsilon: 0.3, steps: 40, stepSize: 0.01, epsilonRampEpochs: 0, beta: 1 },
      'fast-at': { method: 'fast-at', norm: 'infinity', epsilon: 0.3, cyclicLr: true, lrMax: 0.005, overfitGuard: true, overfitDrop: 0.2 },
    });
  });
});

describe('early stop', () => {
  it('is recorded on the run and listed, and a malformed one is refused changing nothing', () => {
    const config = ExperimentConfigSchema.parse({ runs: ['adv'], defences: [{ method: 'fast-at' }] });
    const runId = store.createExperiment(config, plannedRunsOf(config).map((p) => ({ role: p.role, name: p.label, config: p.config }))).runs[0]!.id;
    expect(store.getRunSummary(runId).earlyStop).toBeNull();
    expect(() => store.setRunEarlyStop(runId, { afterEpoch: 2, keptEpoch: 3, reason: 'x' })).toThrow(/keptEpoch ≤ afterEpoch/);
    expect(store.getRunSummary(runId).earlyStop).toBeNull();
    store.setRunEarlyStop(runId, { afterEpoch: 3, keptEpoch: 2, reason: 'PGD-10 accuracy fell' });
    expect(store.listRuns({}).find((r) => r.id === runId)!.earlyStop).toEqual({ afterEpoch: 3, keptEpoch: 2, reason: 'PGD-10 accuracy fell' });
  });
});

describe('migration v3 → v4', () => {
  it('gives runs stored before defences the meaning of their role, and imported models none', () => {
    store.close();
    const file = path.join(dir, 'v3.db');
    const raw = new Database(file);
    raw.pragma('foreign_keys = ON');
    for (const m of MIGRATIONS.slice(0, 3)) raw.exec(m.sql);
    raw.exec(`CREATE TABLE ${SCHEMA_LOG_TABLE} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
    MIGRATIONS.slice(0, 3).forEach((m) => raw.prepare(`INSERT INTO ${SCHEMA_LOG_TABLE} VALUES (?, ?, '2025-01-01T00:00:00.000Z')`).run(m.version, m.name));
    raw.pragma(`application_id = ${APPLICATION_ID}`);
    raw.pragma('user_version = 3');
    raw.prepare(`INSERT INTO experiments (id, name, created_at, config) VALUES ('exp_v3', 'old', '2025-01-01T00:00:00.000Z', '{}')`).run();
    const insert = raw.prepare(`INSERT INTO runs (id, experiment_id, name, role, status, created_at, epochs, config, kind)
      VALUES (?, 'exp_v3', ?, ?, 'completed', '2025-01-01T00:00:00.000Z', 1, ?, ?)`);
    insert.run('run_base', 'base', 'base', JSON.stringify({ role: 'base', seed: 0 }), 'trained');
    insert.run('run_adv', 'adv', 'adv', JSON.stringify({ role: 'adv', seed: 0 }), 'trained');
    insert.run('run_imported', 'imported', 'base', JSON.stringify({ role: 'base', seed: 0 }), 'imported');
    raw.close();

    store = openStore(file);
    expect(store.migration).toMatchObject({ from: 3, to: LATEST_SCHEMA_VERSION });
    expect(['run_base', 'run_adv', 'run_imported'].map((id) => store.getRunSummary(id).defence)).toEqual([{ method: 'standard' }, { method: 'nsl' }, null]);
  });
});
