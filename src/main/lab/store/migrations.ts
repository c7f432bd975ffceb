// The store's schema as an ordered list of migrations; a database's version is the number of migrations applied.
//
// Rules for adding one: append, never edit or reorder an entry that has shipped, and keep each
// migration's SQL self-contained (it runs inside one transaction together with the version bump).

export interface Migration {
  /** 1, 2, 3, … in order; equal to the index in MIGRATIONS plus one. */
  version: number;
  name: string;
  sql: string;
}

/** Marks a file as a Robustness Lab store (header offset 68), so another program's SQLite file is never adopted. ASCII "RLab". */
export const APPLICATION_ID = 0x524c6162;

const RUN_STATUSES = `'queued','running','completed','failed','cancelled','interrupted'`;

// STRICT tables make SQLite reject values of the wrong type instead of storing them silently.
// JSON columns are TEXT checked with json_valid; timestamps are ISO-8601 UTC strings, which sort correctly as text.
const V1_INITIAL = `
CREATE TABLE experiments (
  id         TEXT PRIMARY KEY CHECK (id GLOB 'exp_*'),
  name       TEXT NOT NULL,
  created_at TEXT NOT NULL,
  tags       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
  notes      TEXT NOT NULL DEFAULT '',
  config     TEXT NOT NULL CHECK (json_valid(config))
) STRICT;

CREATE TABLE runs (
  id              TEXT PRIMARY KEY CHECK (id GLOB 'run_*'),
  experiment_id   TEXT NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  name            TEXT NOT NULL,
  role            TEXT NOT NULL CHECK (role IN ('base','adv')),
  status          TEXT NOT NULL DEFAULT 'queued' CHECK (status IN (${RUN_STATUSES})),
  created_at      TEXT NOT NULL,
  started_at      TEXT,
  finished_at     TEXT,
  error           TEXT,
  epochs_done     INTEGER NOT NULL DEFAULT 0 CHECK (epochs_done >= 0),
  epochs          INTEGER NOT NULL CHECK (epochs >= 1),
  tags            TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
  clean_accuracy  REAL,
  robust_accuracy REAL,
  robust_label    TEXT,
  -- engine.backend, copied out so listing never parses the engine record.
  backend         TEXT,
  -- Large columns last: listing reads a row only up to the columns it needs.
  notes           TEXT NOT NULL DEFAULT '',
  config          TEXT NOT NULL CHECK (json_valid(config)),
  engine          TEXT CHECK (engine IS NULL OR json_valid(engine))
) STRICT;
CREATE INDEX runs_by_experiment ON runs(experiment_id);
CREATE INDEX runs_by_created ON runs(created_at);
CREATE INDEX runs_by_status ON runs(status);

CREATE TABLE metrics_batch (
  run_id  TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  epoch   INTEGER NOT NULL,
  batch   INTEGER NOT NULL,
  step    INTEGER NOT NULL,
  metrics TEXT NOT NULL CHECK (json_valid(metrics)),
  PRIMARY KEY (run_id, epoch, batch)
) STRICT, WITHOUT ROWID;

CREATE TABLE metrics_epoch (
  run_id      TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  epoch       INTEGER NOT NULL,
  metrics     TEXT NOT NULL CHECK (json_valid(metrics)),
  duration_ms REAL NOT NULL CHECK (duration_ms >= 0),
  PRIMARY KEY (run_id, epoch)
) STRICT, WITHOUT ROWID;

CREATE TABLE evaluations (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id        TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  source_run_id TEXT REFERENCES runs(id) ON DELETE SET NULL,
  attack        TEXT NOT NULL CHECK (attack IN ('fgsm','pgd','clean')),
  norm          TEXT NOT NULL CHECK (norm IN ('infinity','l2')),
  epsilon       REAL NOT NULL CHECK (epsilon >= 0),
  steps         INTEGER NOT NULL CHECK (steps >= 0),
  step_size     REAL,
  restarts      INTEGER NOT NULL CHECK (restarts >= 0),
  random_start  INTEGER NOT NULL CHECK (random_start IN (0, 1)),
  accuracy      REAL NOT NULL CHECK (accuracy >= 0 AND accuracy <= 1),
  per_class     TEXT NOT NULL CHECK (json_valid(per_class)),
  count         INTEGER NOT NULL CHECK (count >= 0),
  created_at    TEXT NOT NULL,
  -- {width, height, classNames} when gallery samples were stored with this evaluation, else NULL.
  gallery       TEXT CHECK (gallery IS NULL OR json_valid(gallery))
) STRICT;
CREATE INDEX evaluations_by_run ON evaluations(run_id);
-- Without it every run deletion would scan the table to apply ON DELETE SET NULL.
CREATE INDEX evaluations_by_source ON evaluations(source_run_id);

CREATE TABLE gallery_samples (
  evaluation_id INTEGER NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
  position      INTEGER NOT NULL,
  idx           INTEGER NOT NULL,
  label         INTEGER NOT NULL,
  clean         BLOB NOT NULL,
  adversarial   BLOB NOT NULL,
  predictions   TEXT NOT NULL CHECK (json_valid(predictions)),
  PRIMARY KEY (evaluation_id, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE artifacts (
  id         INTEGER PRIMARY KEY,
  run_id     TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  kind       TEXT NOT NULL CHECK (kind IN ('model','checkpoint','export','report')),
  path       TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX artifacts_by_run ON artifacts(run_id);

CREATE TABLE jobs (
  id         TEXT PRIMARY KEY CHECK (id GLOB 'job_*'),
  kind       TEXT NOT NULL CHECK (kind IN ('train','evaluate')),
  run_id     TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  payload    TEXT NOT NULL CHECK (json_valid(payload)),
  status     TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','running')),
  created_at TEXT NOT NULL,
  seq        INTEGER NOT NULL UNIQUE
) STRICT;
CREATE INDEX jobs_by_run ON jobs(run_id);

CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL CHECK (json_valid(value)),
  updated_at TEXT NOT NULL
) STRICT;
`;

export const MIGRATIONS: readonly Migration[] = [{ version: 1, name: 'initial schema', sql: V1_INITIAL }];

/** The newest schema this build can read and write. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;

/** Tables of the current schema; a version-0 file holding anything else belongs to another program. */
export const SCHEMA_LOG_TABLE = 'schema_migrations';
