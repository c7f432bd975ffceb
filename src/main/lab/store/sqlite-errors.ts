// Turns SQLite failures into LabErrors a person can act on, and wraps every store method with that translation.
import Database from 'better-sqlite3';
import path from 'node:path';
import { LabError } from '../../../shared/errors';

export interface FileInfo {
  file: string;
  runsDir: string;
}

/** The recovery advice shared by every "this database cannot be used" message. */
export function corruptDataError(info: FileInfo, detail: string): LabError {
  const aside = `${path.basename(info.file)}.corrupt`;
  return new LabError(
    'corrupt_data',
    `${info.file} is not a usable Robustness Lab database (${detail}). It has not been changed. ` +
      `To recover: move it aside (e.g. rename it to ${aside}, together with any -wal and -shm files next to it); ` +
      `the lab will create a new one on its next start; the run folders on disk under ${info.runsDir} remain.`,
  );
}

function sqliteCode(err: unknown): string | null {
  return err instanceof Database.SqliteError ? err.code : null;
}

/** LabErrors pass through; SQLite errors get a code by family; anything else becomes 'internal'. */
export function toLabError(err: unknown, info: FileInfo): LabError {
  if (err instanceof LabError) return err;
  const code = sqliteCode(err);
  const message = err instanceof Error ? err.message : String(err);
  if (code === null) {
    if (err instanceof TypeError && /database connection is not open/.test(message)) {
      return new LabError('failed_precondition', `the store for ${info.file} is closed`);
    }
    return LabError.wrap(err);
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return corruptDataError(info, message);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new LabError('conflict', `${info.file} is locked by another process that did not release it in time (${message}); try again`);
  }
  if (code === 'SQLITE_FULL') return new LabError('io_error', `cannot write ${info.file}: the disk is full (${message})`);
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM') {
    return new LabError('io_error', `cannot access ${info.file}: ${message} (${code})`);
  }
  return new LabError('internal', `database error on ${info.file}: ${message} (${code})`);
}

/** Returns a copy of `methods` in which every function rethrows failures as LabErrors. */
export function guardMethods<T extends object>(methods: T, info: FileInfo): T {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(methods)) {
    if (typeof value !== 'function') {
      out[name] = value;
      continue;
    }
    const fn = value as (...args: unknown[]) => unknown;
    out[name] = (...args: unknown[]) => {
      try {
        return fn(...args);
      } catch (err) {
        throw toLabError(err, info);
      }
    };
  }
  return out as T;
}
