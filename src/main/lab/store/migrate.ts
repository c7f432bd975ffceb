// Brings a database up to the newest schema, one migration per step, each in the same transaction as its version bump.
import type Database from 'better-sqlite3';
import { LabError } from '../../../shared/errors';
import { APPLICATION_ID, LATEST_SCHEMA_VERSION, MIGRATIONS, SCHEMA_LOG_TABLE } from './migrations';

export interface MigrationResult {
  from: number;
  to: number;
  applied: string[];
}

/**
 * Applies every migration above the file's user_version. The version is re-read under the write lock,
 * so two processes opening the same new file do not both run migration 1. A failing migration rolls
 * back alone: the file stays at the last version that completed.
 */
export function migrate(db: Database.Database, file: string, now: () => string): MigrationResult {
  const applied: string[] = [];
  let from = -1;
  const step = db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (from < 0) from = current;
    if (current > LATEST_SCHEMA_VERSION) {
      throw new LabError('unsupported', `${file} was upgraded by a newer Robustness Lab while opening (schema v${current}, this build knows v${LATEST_SCHEMA_VERSION}); upgrade Robustness Lab to open it.`);
    }
    const next = MIGRATIONS[current];
    if (next === undefined) return false;
    if (next.version !== current + 1) throw new LabError('internal', `migration list out of order: entry ${current} is v${next.version}`);
    try {
      db.exec(`CREATE TABLE IF NOT EXISTS ${SCHEMA_LOG_TABLE} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
      db.exec(next.sql);
      db.prepare(`INSERT INTO ${SCHEMA_LOG_TABLE} (version, name, applied_at) VALUES (?, ?, ?)`).run(next.version, next.name, now());
      if (current === 0) db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${next.version}`);
    } catch (err) {
      throw new LabError(
        'internal',
        `migrating ${file} to schema v${next.version} (${next.name}) failed: ${err instanceof Error ? err.message : String(err)}; the file stays at v${current}`,
      );
    }
    applied.push(`v${next.version} ${next.name}`);
    return true;
  });
  while (step.immediate()) {
    // one migration per transaction
  }
  return { from, to: LATEST_SCHEMA_VERSION, applied };
}
