// openStore: opens (or creates) the lab's SQLite database, checks it, migrates it, and assembles the repositories.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { LabError } from '../../../shared/errors';
import { makeArtifactsRepo, type ArtifactsRepo } from './artifacts';
import { runFolder, type StoreContext } from './context';
import { makeEvaluationsRepo, type EvaluationsRepo } from './evaluations';
import { makeExperimentsRepo, type ExperimentsRepo } from './experiments';
import { checkFileHeader, inspectDatabase } from './integrity';
import { makeJobsRepo, type JobsRepo } from './jobs';
import { makeMetricsRepo, type MetricsRepo } from './metrics';
import { migrate, type MigrationResult } from './migrate';
import { makeRecovery, type RecoveryReport } from './recovery';
import { makeRunQueries, type RunQueries } from './run-queries';
import { makeRunStatusRepo, type RunStatusRepo } from './run-status';
import { makeRunsRepo, type RunsRepo } from './runs';
import { makeSettingsRepo, type SettingsRepo } from './settings';
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
  JobsRepo &
  SettingsRepo;

const DEFAULT_BUSY_TIMEOUT_MS = 5000;

function connect(info: FileInfo, opts: OpenStoreOptions): Database.Database {
  try {
    return new Database(info.file, { nativeBinding: opts.nativeBinding, timeout: opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
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

function assemble(ctx: StoreContext, info: FileInfo, migration: MigrationResult): Store {
  const metrics = makeMetricsRepo(ctx);
  const evaluations = makeEvaluationsRepo(ctx);
  const artifacts = makeArtifactsRepo(ctx);
  const runs = makeRunsRepo(ctx, { metrics, evaluations, artifacts });
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
      ...makeJobsRepo(ctx),
      ...makeSettingsRepo(ctx),
    },
    info,
  );
  return Object.defineProperty(methods, 'isOpen', { get: () => db.open, enumerable: true }) as Store;
}
