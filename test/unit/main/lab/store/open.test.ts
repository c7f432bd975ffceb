// Opening the store: migrations on new and existing files, and refusing corrupt, foreign or newer files untouched.
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LabError } from '../../../../../src/shared/errors';
import { LATEST_SCHEMA_VERSION, openStore } from '../../../../../src/main/lab/store';
import { APPLICATION_ID, MIGRATIONS } from '../../../../../src/main/lab/store/migrations';
import { cleanup, createExperiment, listDir, makeTempDir, sha256 } from './helpers';

let dir: string;
let file: string;
beforeEach(() => {
  dir = makeTempDir();
  file = path.join(dir, 'lab.db');
});
afterEach(() => cleanup(dir));

function catchLabError(fn: () => unknown): LabError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(LabError);
    return err as LabError;
  }
  throw new Error('expected a LabError, nothing was thrown');
}

/** Builds a real store with enough rows to span many pages, then closes it (checkpointing the WAL into the file). */
function makeFilledDatabase(): void {
  const store = openStore(file);
  for (let i = 0; i < 150; i++) createExperiment(store, { name: `experiment ${i}`, notes: 'n'.repeat(500) });
  store.close();
}

describe('openStore on a new file', () => {
  it('creates the schema, marks the file as a lab store and logs the migration', () => {
    const store = openStore(file);
    expect(store.migration).toEqual({ from: 0, to: LATEST_SCHEMA_VERSION, applied: MIGRATIONS.map((m) => `v${m.version} ${m.name}`) });
    store.close();

    const raw = new Database(file, { readonly: true });
    const tables = raw.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name`).pluck().all();
    expect(tables).toEqual(['artifacts', 'evaluations', 'experiments', 'gallery_samples', 'jobs', 'metrics_batch', 'metrics_epoch', 'run_attempts', 'runs', 'schema_migrations', 'settings', 'sweep_cells', 'sweeps']);
    expect(raw.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(raw.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.prepare('SELECT version, name FROM schema_migrations').all()).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    raw.close();
  });

  it('creates missing parent folders and treats an empty file as new', () => {
    const nested = path.join(dir, 'a', 'b', 'lab.db');
    openStore(nested).close();
    expect(fs.existsSync(nested)).toBe(true);

    fs.writeFileSync(file, '');
    const store = openStore(file);
    expect(store.migration.applied).toHaveLength(LATEST_SCHEMA_VERSION);
    store.close();
  });

  it('reopens idempotently: no migration runs again and the data is kept', () => {
    const first = openStore(file);
    const { runIds } = createExperiment(first, { name: 'kept' });
    first.close();

    const second = openStore(file);
    expect(second.migration).toEqual({ from: LATEST_SCHEMA_VERSION, to: LATEST_SCHEMA_VERSION, applied: [] });
    expect(second.listRuns().map((r) => r.id).sort()).toEqual([...runIds].sort());
    expect(second.checkIntegrity()).toBe(true);
    second.close();
    const raw = new Database(file, { readonly: true });
    expect(raw.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(MIGRATIONS.length);
    raw.close();
  });

  it('puts run folders under <home>/runs unless told otherwise', () => {
    const store = openStore(file);
    expect(store.runFolder('run_abc')).toBe(path.join(dir, 'runs', 'run_abc'));
    store.close();
    const other = openStore(file, { runsDir: path.join(dir, 'elsewhere') });
    expect(other.runFolder('run_abc')).toBe(path.join(dir, 'elsewhere', 'run_abc'));
    other.close();
  });
});

describe('openStore refuses unusable files without changing them', () => {
  it('random bytes: corrupt_data naming the file and how to recover', () => {
    fs.writeFileSync(file, randomBytes(64 * 1024));
    const before = sha256(file);
    const err = catchLabError(() => openStore(file));
    expect(err.code).toBe('corrupt_data');
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/move it aside/);
    expect(err.message).toContain(path.join(dir, 'runs'));
    expect(sha256(file)).toBe(before);
    expect(listDir(dir)).toEqual(['lab.db']);
  });

  it('a real database truncated to half its size: corrupt_data, bytes unchanged', () => {
    makeFilledDatabase();
    const full = fs.readFileSync(file);
    expect(full.length).toBeGreaterThan(200_000);
    fs.writeFileSync(file, full.subarray(0, Math.floor(full.length / 2)));
    const before = sha256(file);
    const err = catchLabError(() => openStore(file));
    expect(err.code).toBe('corrupt_data');
    expect(err.message).toContain(file);
    expect(sha256(file)).toBe(before);
    expect(listDir(dir)).toEqual(['lab.db']);
  });

  it('a file shorter than the SQLite header: corrupt_data', () => {
    fs.writeFileSync(file, 'SQLite format 3\0');
    const err = catchLabError(() => openStore(file));
    expect(err.code).toBe('corrupt_data');
    expect(err.message).toMatch(/shorter than an SQLite header/);
    expect(fs.readFileSync(file, 'latin1')).toBe('SQLite format 3\0');
  });

  it('a database from a newer build: unsupported, nothing changed', () => {
    openStore(file).close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    raw.close();
    const before = sha256(file);
    const err = catchLabError(() => openStore(file));
    expect(err.code).toBe('unsupported');
    expect(err.message).toContain(`was written by a newer Robustness Lab (schema v${LATEST_SCHEMA_VERSION + 1}, this build knows v${LATEST_SCHEMA_VERSION})`);
    expect(err.message).toMatch(/upgrade/);
    expect(sha256(file)).toBe(before);
    expect(listDir(dir)).toEqual(['lab.db']);
  });

  it("another program's SQLite database: failed_precondition, not adopted", () => {
    const raw = new Database(file);
    raw.exec('CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT)');
    raw.close();
    const before = sha256(file);
    const err = catchLabError(() => openStore(file));
    expect(err.code).toBe('failed_precondition');
    expect(err.message).toContain('"photos"');
    expect(sha256(file)).toBe(before);
  });

  it('a folder where the file should be: io_error', () => {
    fs.mkdirSync(file);
    expect(catchLabError(() => openStore(file)).code).toBe('io_error');
  });
});

describe('the native module', () => {
  it('a nativeBinding that cannot be loaded is reported as unsupported with what to do', () => {
    const err = catchLabError(() => openStore(file, { nativeBinding: path.join(dir, 'missing', 'better_sqlite3.node') }));
    expect(err.code).toBe('unsupported');
    expect(err.message).toMatch(/npm rebuild better-sqlite3/);
  });
});

describe('a closed store', () => {
  it('answers failed_precondition instead of a raw driver error', () => {
    const store = openStore(file);
    store.close();
    expect(store.isOpen).toBe(false);
    const err = catchLabError(() => store.listRuns());
    expect(err.code).toBe('failed_precondition');
    expect(err.message).toMatch(/closed/);
    store.close();
  });
});
