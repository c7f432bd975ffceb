// What every repository of the store shares: the connection, where things live, the clock, and small SQL helpers.
import path from 'node:path';
import type Database from 'better-sqlite3';
import { LabError } from '../../../shared/errors';

export interface StoreContext {
  readonly db: Database.Database;
  /** Absolute path of the database file. */
  readonly file: string;
  /** Folder holding one sub-folder per run (model files, checkpoints, exports). */
  readonly runsDir: string;
  /** Current time as an ISO-8601 UTC string. */
  now(): string;
}

/** The folder of one run's files on disk. */
export function runFolder(ctx: StoreContext, runId: string): string {
  return path.join(ctx.runsDir, runId);
}

/**
 * Wraps `fn` in a write transaction that takes the write lock up front (BEGIN IMMEDIATE).
 * A deferred transaction that reads and then writes can fail with SQLITE_BUSY at the write
 * without waiting on busy_timeout when another process wrote in between; taking the lock first avoids that.
 * Called inside another transaction it becomes a savepoint, so repository methods compose.
 */
export function writeTx<A extends unknown[], R>(ctx: StoreContext, fn: (...args: A) => R): (...args: A) => R {
  const tx = ctx.db.transaction(fn);
  return (...args: A) => tx.immediate(...args);
}

export function notFound(kind: 'run' | 'experiment' | 'evaluation' | 'job', id: string | number, field: string): LabError {
  return new LabError('not_found', `${kind} ${String(id)} does not exist (it may have been deleted)`, field);
}

/** Escapes % and _ so user text in a LIKE pattern matches literally (used with ESCAPE '\'). */
export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
