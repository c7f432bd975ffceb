// Checks an existing database file before the lab writes to it: SQLite at all, intact, ours, and not from a newer build.
// Everything here only reads, so a file that fails a check is left byte-for-byte as it was.
import fs from 'node:fs';
import type Database from 'better-sqlite3';
import { LabError } from '../../../shared/errors';
import { APPLICATION_ID, LATEST_SCHEMA_VERSION, SCHEMA_LOG_TABLE } from './migrations';
import { corruptDataError, type FileInfo } from './sqlite-errors';

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const HEADER_SIZE = 100;
// quick_check stops after this many problems; the first few are enough to tell the user what is wrong.
const MAX_REPORTED_PROBLEMS = 5;

/**
 * Looks at the file before SQLite does. Returns false when there is nothing yet (no file, or an empty one,
 * which SQLite treats as a new database). Throws corrupt_data when the bytes are not an SQLite database:
 * SQLite would otherwise report that only at the first query.
 */
export function checkFileHeader(info: FileInfo): boolean {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(info.file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new LabError('io_error', `cannot read ${info.file}: ${(err as Error).message}`);
  }
  if (!stat.isFile()) throw new LabError('io_error', `${info.file} is not a regular file; the lab needs a database file at that path`);
  if (stat.size === 0) return false;
  if (stat.size < HEADER_SIZE) return fail(info, `only ${stat.size} bytes, shorter than an SQLite header`);
  const header = Buffer.alloc(HEADER_SIZE);
  let fd: number | undefined;
  try {
    fd = fs.openSync(info.file, 'r');
    fs.readSync(fd, header, 0, HEADER_SIZE, 0);
  } catch (err) {
    throw new LabError('io_error', `cannot read ${info.file}: ${(err as Error).message}`);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  if (!header.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) return fail(info, 'the file does not start with the SQLite header');
  return true;
}

function fail(info: FileInfo, detail: string): never {
  throw corruptDataError(info, detail);
}

/** What an intact database says about itself. */
export interface DatabaseIdentity {
  schemaVersion: number;
  applicationId: number;
}

/**
 * Runs PRAGMA quick_check (O(file size): it reads every page but skips the index-content cross-check of
 * integrity_check, so opening stays fast for the sizes a lab reaches), then checks that the file is a
 * Robustness Lab store of a schema version this build knows.
 */
export function inspectDatabase(db: Database.Database, info: FileInfo): DatabaseIdentity {
  const problems = (db.pragma(`quick_check(${MAX_REPORTED_PROBLEMS})`) as { quick_check: string }[]).map((r) => r.quick_check);
  if (problems.length !== 1 || problems[0] !== 'ok') fail(info, `integrity check failed: ${problems.join('; ')}`);

  const schemaVersion = db.pragma('user_version', { simple: true }) as number;
  const applicationId = (db.pragma('application_id', { simple: true }) as number) >>> 0;
  if (applicationId !== 0 && applicationId !== APPLICATION_ID) {
    throw foreign(info, `its application id is 0x${applicationId.toString(16)}`);
  }
  if (applicationId === 0) {
    // A lab store gets its application id in the same transaction as its first table, so a file
    // without one is either brand new (no tables) or belongs to something else.
    const tables = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name LIMIT 5`).pluck().all() as string[];
    if (tables.length > 0 || schemaVersion !== 0) throw foreign(info, `it holds tables ${tables.map((t) => JSON.stringify(t)).join(', ')} but no Robustness Lab schema`);
  }
  if (schemaVersion > LATEST_SCHEMA_VERSION) {
    throw new LabError(
      'unsupported',
      `${info.file} was written by a newer Robustness Lab (schema v${schemaVersion}, this build knows v${LATEST_SCHEMA_VERSION}); ` +
        `upgrade Robustness Lab to open it. The file has not been changed.`,
    );
  }
  if (schemaVersion > 0) checkMigrationLog(db, info, schemaVersion);
  return { schemaVersion, applicationId };
}

// user_version and the log are written in one transaction; disagreement means someone edited the file by hand.
function checkMigrationLog(db: Database.Database, info: FileInfo, schemaVersion: number): void {
  const logged = db.prepare(`SELECT max(version) FROM ${SCHEMA_LOG_TABLE}`).pluck().get() as number | null;
  if (logged !== schemaVersion) fail(info, `schema version ${schemaVersion} but the migration log ends at ${String(logged)}`);
}

function foreign(info: FileInfo, detail: string): LabError {
  return new LabError(
    'failed_precondition',
    `${info.file} is an SQLite database of another program (${detail}); the lab will not change it. ` +
      `Move it aside or point RLAB_HOME at another folder.`,
  );
}
