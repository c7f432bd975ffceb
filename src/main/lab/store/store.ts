// openStore: opens (or creates) the lab's SQLite database, checks it, migrates it, and assembles the repositories.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { LabError } from '../../../shared/errors';
import { makeArtifactsRepo, type ArtifactsRepo } from './artifacts';
import { makeAttemptsRepo, type AttemptsRepo } from './attempts';
import { runFolder, type StoreContext } from './context';
import { makeEvaluationsRepo, type EvaluationsRepo } from './evaluations';
import { makeExperimentsRepo, type ExperimentsRepo } from './experiments';
import { checkFileHeader, inspectDatabase } from './integrity';
import { makeImportedRunsRepo, type ImportedRunsRepo } from './imported-runs';
import { makeJobsRepo, type JobsRepo } from './jobs';
import { makeMetricsRepo, type MetricsRepo } from './metrics';
import { migrate, type MigrationResult } from './migrate';
import { LATEST_SCHEMA_VERSION } from './migrations';
import { makeRecovery, type RecoveryReport } from './recovery';
import { makeRunQueries, type RunQueries } from './run-queries';
import { makeRunStatusRepo, type RunStatusRepo } from './run-status';
import { makeRunsRepo, type RunsRepo } from './runs';
import { makeSettingsRepo, type SettingsRepo } from './settings';
import { makeSweepsRepo, type SweepsRepo } from './sweeps';
import { guardMethods, toLabError, type FileInfo } from './sqlite-errors';

export interface OpenStoreOptions {
  /** Path of a better_sqlite3.node built for the running runtime (Electron and Node need different builds). */
  nativeBinding?: string;
  /** Folder of the runs' files; default `runs` next to the database file (<home>/runs). */
  runsDir?: string;
  /** How long a write waits for another process's lock before failing with 'conflict'. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** Clock for timestamps; tests pass a fixed one. */
  now?: () => Date;
  /**
   * Open an existing file read-only: no file or folder is created, nothing is migrated or set, every write fails.
   * The file must already be at the newest schema (`readSchemaVersion` tells).
   */
  readonly?: boolean;
}

export interface StoreHandle {
  readonly file: string;
  readonly runsDir: string;
  /** What opening did to the schema (from → to, migrations applied). */
  readonly migration: MigrationResult;
  /** The folder of one run's files on disk. */
  runFolder(runId: string): string;
  /** Runs `fn` in one write transaction (nested store calls join it), so the service can combine changes atomically. */
  transaction<T>(fn: () => T): T;
  /** Marks runs left running as interrupted and repairs the job queue; call once at start-up, before starting jobs. */
  recoverAfterCrash(): RecoveryReport;
  /** Runs PRAGMA quick_check now; true when the file is intact. */
  checkIntegrity(): boolean;
  close(): void;
  readonly isOpen: boolean;
}

export type Store = StoreHandle &
  ExperimentsRepo &
  RunQueries &
  RunsRepo &
  RunStatusRepo &
  MetricsRepo &
  EvaluationsRepo &
  ArtifactsRepo &
  AttemptsRepo &
  JobsRepo &
  ImportedRunsRepo &
  SettingsRepo &
  SweepsRepo;

const DEFAULT_BUSY_TIMEOUT_MS = 5000;

function connect(info: FileInfo, opts: OpenStoreOptions): Database.Database {
  try {
    const readonly = opts.readonly === true ? { readonly: true, fileMustExist: true } : {};
    return new Database(info.file, { nativeBinding: opts.nativeBinding, timeout: opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS, ...readonly });
  } catch (err) {
    if (err instanceof Database.SqliteError) throw toLabError(err, info);
    const message = err instanceof Error ? err.message : String(err);
    throw new LabError(
      'unsupported',
      `cannot load SQLite (better-sqlite3) to open ${info.file}: ${message}. Rebuild it for this runtime (npm rebuild better-sqlite3) or pass the path of a matching build as nativeBinding.`,
    );
  }
}

/**
 * Opens the store at `file`, creating the file and its folder when missing. An existing file is checked
 * first (SQLite header, quick_check, application id, schema version) and refused untouched when it is
 * corrupt ('corrupt_data'), another program's ('failed_precondition') or from a newer build ('unsupported').
 * Then: WAL journal, foreign keys on, synchronous NORMAL (an application crash loses nothing committed;
 * a power cut may lose the last transactions but never corrupts the file), migrations to the newest schema.
 */
export function openStore(file: string, opts: OpenStoreOptions = {}): Store {
  const abs = path.resolve(file);
  const info: FileInfo = { file: abs, runsDir: path.resolve(opts.runsDir ?? path.join(path.dirname(abs), 'runs')) };
  const exists = checkFileHeader(info);
  if (opts.readonly === true) return openReadOnly(info, opts, exists);
  if (!exists) {
    try {
      fs.mkdirSync(path.dirname(abs), { recursive: true });
    } catch (err) {
      throw new LabError('io_error', `cannot create the folder for ${abs}: ${(err as Error).message}`);
    }
  }
  const db = connect(info, opts);
  const clock = opts.now ?? (() => new Date());
  const ctx: StoreContext = { db, file: info.file, runsDir: info.runsDir, now: () => clock().toISOString() };
  try {
    // Checks first and settings after: until every check passed, nothing has been written.
    inspectDatabase(db, info);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    return assemble(ctx, info, migrate(db, info.file, ctx.now));
  } catch (err) {
    db.close();
    throw toLabError(err, info);
  }
}

function openReadOnly(info: FileInfo, opts: OpenStoreOptions, exists: boolean): Store {
  if (!exists) throw new LabError('not_found', `${info.file} does not exist or is empty; there is no lab to read there`);
  const db = connect(info, opts);
  const clock = opts.now ?? (() => new Date());
  const ctx: StoreContext = { db, file: info.file, runsDir: info.runsDir, now: () => clock().toISOString() };
  try {
    const { schemaVersion } = inspectDatabase(db, info);
    if (schemaVersion !== LATEST_SCHEMA_VERSION) {
      throw new LabError('failed_precondition', `${info.file} is at schema v${schemaVersion} and needs an upgrade to v${LATEST_SCHEMA_VERSION}, which a read-only open cannot do`);
    }
    return assemble(ctx, info, { from: schemaVersion, to: schemaVersion, applied: [] });
  } catch (err) {
    db.close();
    throw toLabError(err, info);
  }
}

/** Offset of user_version (the schema version) in SQLite's file header, a big-endian 32-bit integer. */
const USER_VERSION_OFFSET = 60;

/**
 * The schema version in the file's header, read with plain file I/O: SQLite would create -wal/-shm files next to
 * a WAL database even to read it. 0 for a new (absent or empty) file. A migration still in the -wal file only
 * makes this lower than the truth, never higher.
 */
export function readSchemaVersion(file: string): number {
  const info: FileInfo = { file: path.resolve(file), runsDir: '' };
  if (!checkFileHeader(info)) return 0;
  const header = Buffer.alloc(USER_VERSION_OFFSET + 4);
  const fd = fs.openSync(info.file, 'r');
  try {
    fs.readSync(fd, header, 0, header.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  return header.readUInt32BE(USER_VERSION_OFFSET);
}

function assemble(ctx: StoreContext, info: FileInfo, migration: MigrationResult): Store {
  const metrics = makeMetricsRepo(ctx);
  const evaluations = makeEvaluationsRepo(ctx);
  const artifacts = makeArtifactsRepo(ctx);
  const attempts = makeAttemptsRepo(ctx);
  const runs = makeRunsRepo(ctx, { metrics, evaluations, artifacts, attempts });
  const { db } = ctx;
  const handle = {
    file: ctx.file,
    runsDir: ctx.runsDir,
    migration,
    runFolder: (runId: string) => runFolder(ctx, runId),
    transaction: <T>(fn: () => T): T => db.transaction(fn).immediate(),
    checkIntegrity: () => (db.pragma('quick_check', { simple: true }) as string) === 'ok',
    close: () => {
      if (db.open) db.close();
    },
    ...makeRecovery(ctx),
  };
  const methods = guardMethods(
    {
      ...handle,
      ...makeExperimentsRepo(ctx, runs),
      ...makeRunQueries(ctx),
      ...runs,
      ...makeRunStatusRepo(ctx),
      ...metrics,
      ...evaluations,
      ...artifacts,
      ...attempts,
      ...makeJobsRepo(ctx),
      ...makeImportedRunsRepo(ctx),
      ...makeSettingsRepo(ctx),
      ...makeSweepsRepo(ctx),
    },
    info,
  );
  return Object.defineProperty(methods, 'isOpen', { get: () => db.open, enumerable: true }) as Store;
}
