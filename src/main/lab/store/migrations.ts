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

// v2 is assembled from one part per capability (each part's statements are its own; keep them independent).
/**
 * Complete attack specs, per-example robustness and sanity flags stored with each evaluation. The attack CHECK must
 * take the new kinds, so evaluations is rebuilt (SQLite cannot alter a CHECK): the old table is renamed first, which
 * repoints gallery_samples' foreign key at it; gallery_samples is then rebuilt against the new table before the old
 * one is dropped, so no ON DELETE CASCADE fires (foreign keys stay on inside the migration's transaction).
 * Rows from v1 keep their numbers; their spec is the v1 attack as it ran (loss ce, attack seed = the run's seed), and
 * they have no mask or subset, so they join no ensemble and make no headline. Headlines are recomputed from the new
 * rules as evaluations arrive; v1's mixed-attack robust numbers are cleared.
 */
const V2_EVALUATION_SPECS = `
ALTER TABLE evaluations RENAME TO evaluations_v1;
CREATE TABLE evaluations (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id        TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  source_run_id TEXT REFERENCES runs(id) ON DELETE SET NULL,
  attack        TEXT NOT NULL CHECK (attack IN ('clean','fgsm','pgd','pgd-cw','apgd-ce','apgd-t','square','autoattack')),
  norm          TEXT NOT NULL CHECK (norm IN ('infinity','l2')),
  epsilon       REAL NOT NULL CHECK (epsilon >= 0),
  steps         INTEGER NOT NULL CHECK (steps >= 0),
  step_size     REAL,
  restarts      INTEGER NOT NULL CHECK (restarts >= 0),
  random_start  INTEGER NOT NULL CHECK (random_start IN (0, 1)),
  accuracy      REAL NOT NULL CHECK (accuracy >= 0 AND accuracy <= 1),
  per_class     TEXT NOT NULL CHECK (json_valid(per_class)),
  count         INTEGER NOT NULL CHECK (count >= 0),
  correct       INTEGER NOT NULL CHECK (correct >= 0 AND correct <= count),
  created_at    TEXT NOT NULL,
  -- The ResolvedAttack as run (src/shared/attacks.ts); NULL for clean accuracy.
  spec          TEXT CHECK (spec IS NULL OR json_valid(spec)),
  zero_grad     REAL CHECK (zero_grad IS NULL OR (zero_grad >= 0 AND zero_grad <= 1)),
  -- {dataset, splitSeed, size, indicesHash}; NULL for rows from v1.
  subset        TEXT CHECK (subset IS NULL OR json_valid(subset)),
  components    TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(components)),
  flags         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(flags)),
  -- {width, height, classNames} when gallery samples were stored with this evaluation, else NULL.
  gallery       TEXT CHECK (gallery IS NULL OR json_valid(gallery)),
  -- One byte per test example in subset order, 1 = still classified correctly; NULL for rows from v1.
  mask          BLOB CHECK (mask IS NULL OR length(mask) = count)
) STRICT;
INSERT INTO evaluations (id, run_id, source_run_id, attack, norm, epsilon, steps, step_size, restarts, random_start, accuracy, per_class, count, correct, created_at, spec, gallery)
  SELECT v.id, v.run_id, v.source_run_id, v.attack, v.norm, v.epsilon, v.steps, v.step_size, v.restarts, v.random_start, v.accuracy, v.per_class, v.count,
         min(v.count, max(0, CAST(round(v.accuracy * v.count) AS INTEGER))), v.created_at,
         CASE WHEN v.attack = 'clean' THEN NULL ELSE json_object(
           'attack', v.attack, 'norm', v.norm, 'epsilon', v.epsilon, 'steps', v.steps,
           'stepSize', coalesce(v.step_size, CASE WHEN v.attack = 'fgsm' THEN v.epsilon ELSE 2.5 * v.epsilon / max(v.steps, 1) END),
           'randomStart', json(CASE WHEN v.random_start = 1 THEN 'true' ELSE 'false' END), 'restarts', v.restarts,
           'loss', 'ce', 'targets', 0, 'queries', 0, 'pInit', 0,
           'seed', coalesce((SELECT json_extract(r.config, '$.seed') FROM runs r WHERE r.id = v.run_id), 0)) END,
         v.gallery
  FROM evaluations_v1 v ORDER BY v.id;
CREATE TABLE gallery_samples_v2 (
  evaluation_id INTEGER NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
  position      INTEGER NOT NULL,
  idx           INTEGER NOT NULL,
  label         INTEGER NOT NULL,
  clean         BLOB NOT NULL,
  adversarial   BLOB NOT NULL,
  predictions   TEXT NOT NULL CHECK (json_valid(predictions)),
  PRIMARY KEY (evaluation_id, position)
) STRICT, WITHOUT ROWID;
INSERT INTO gallery_samples_v2 SELECT evaluation_id, position, idx, label, clean, adversarial, predictions FROM gallery_samples;
DROP TABLE gallery_samples;
ALTER TABLE gallery_samples_v2 RENAME TO gallery_samples;
-- keep AUTOINCREMENT's promise: ids of evaluations deleted under v1 are not handed out again
UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'evaluations_v1'), 0)) WHERE name = 'evaluations';
DROP TABLE evaluations_v1;
CREATE INDEX evaluations_by_run ON evaluations(run_id);
CREATE INDEX evaluations_by_source ON evaluations(source_run_id);
ALTER TABLE runs ADD COLUMN headline TEXT CHECK (headline IS NULL OR json_valid(headline));
UPDATE runs SET robust_accuracy = NULL, robust_label = NULL;
`;
/** Seed groups: an experiment repeating its runs over several seeds. */
const V2_SEED_GROUPS = `
-- The run's training seed, copied out of its config so listings can group runs without parsing configs.
ALTER TABLE runs ADD COLUMN seed INTEGER NOT NULL DEFAULT 0 CHECK (seed >= 0);
UPDATE runs SET seed = json_extract(config, '$.seed')
  WHERE json_type(config, '$.seed') = 'integer' AND json_extract(config, '$.seed') >= 0;
CREATE INDEX runs_by_seed_group ON runs(experiment_id, role, seed);
`;
/** Runs made from an imported model (no training) and each run's recorded output kind (logits or probabilities). */
const V2_IMPORTED_MODELS = `
-- 'imported': a user's model stored by import-model as a completed run that was never trained.
ALTER TABLE runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'trained' CHECK (kind IN ('trained','imported'));
-- What the run's model outputs, decided once from its last layer; NULL while not recorded.
ALTER TABLE runs ADD COLUMN output_kind TEXT CHECK (output_kind IS NULL OR output_kind IN ('logits','probabilities'));
`;

/**
 * Trained runs record their model's output kind from now on (the worker reports it with the model). Every run stored
 * before was built by the lab's CNN/MLP builders, whose last layer is a softmax, unless it started from a user's model.
 */
const V3_TRAINED_OUTPUT_KIND = `
UPDATE runs SET output_kind = 'probabilities'
  WHERE kind = 'trained' AND output_kind IS NULL AND json_type(config, '$.baseModelPath') IS NULL;
`;

/**
 * What trained each run, as a column so listing never parses configs (runs stored before defences get their role's
 * meaning), and where training stopped early when a defence's guard ended it.
 */
const V4_RUN_DEFENCE = `
ALTER TABLE runs ADD COLUMN defence TEXT;
ALTER TABLE runs ADD COLUMN early_stop TEXT;
UPDATE runs SET defence = COALESCE(json_extract(config, '$.defence'),
  CASE role WHEN 'base' THEN '{"method":"standard"}' ELSE '{"method":"nsl"}' END)
  WHERE kind = 'trained';
`;

/**
 * Each example's true and predicted class with every evaluation from now on (in subset order, one byte per example, or
 * two little-endian bytes when a class index exceeds 255), for confusion matrices; NULL for evaluations stored before.
 */
const V5_EVALUATION_PREDICTIONS = `
ALTER TABLE evaluations ADD COLUMN labels BLOB;
ALTER TABLE evaluations ADD COLUMN predictions BLOB;
`;

/**
 * Which model an evaluation measured: NULL for the run's saved model (every evaluation stored before), else the
 * finished-epoch count whose checkpoint weights were evaluated (a run evaluated before its training finished).
 */
const V6_EVALUATION_MODEL_EPOCH = `
ALTER TABLE evaluations ADD COLUMN model_epoch INTEGER CHECK (model_epoch IS NULL OR model_epoch >= 1);
-- the checkpoint a run's clean_accuracy and headline were measured on; NULL for its saved model (or no numbers yet)
ALTER TABLE runs ADD COLUMN measured_epoch INTEGER CHECK (measured_epoch IS NULL OR measured_epoch >= 1);
`;

/**
 * Sweeps: a spec (base config, axes, seeds) and one cell per grid point run, each cell one experiment (deleting the
 * experiment deletes its cell). When no axis changes what the base model trains on, the base runs are trained once in
 * a shared experiment (base_experiment_id) instead of in every cell.
 */
const V7_SWEEPS = `
CREATE TABLE sweeps (
  id           TEXT PRIMARY KEY CHECK (id GLOB 'swp_*'),
  name         TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  grid_size    INTEGER NOT NULL CHECK (grid_size >= 1),
  workers      INTEGER CHECK (workers IS NULL OR workers >= 1),
  base_experiment_id TEXT REFERENCES experiments(id) ON DELETE SET NULL,
  cancelled_at TEXT,
  spec         TEXT NOT NULL CHECK (json_valid(spec))
) STRICT;
CREATE TABLE sweep_cells (
  sweep_id      TEXT NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
  cell_index    INTEGER NOT NULL CHECK (cell_index >= 0),
  experiment_id TEXT NOT NULL UNIQUE REFERENCES experiments(id) ON DELETE CASCADE,
  axis_values   TEXT NOT NULL CHECK (json_valid(axis_values)),
  PRIMARY KEY (sweep_id, cell_index)
) STRICT;
`;

/**
 * Who trained each part of a run that remote workers trained (one row per attempt: a worker that died hands its job on,
 * and the next attempt resumes after the last epoch the host recorded), and why a sweep's queue is paused (its Redis
 * unreachable), NULL while it is not.
 */
const V8_RUN_ATTEMPTS = `
CREATE TABLE run_attempts (
  run_id      TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  attempt     TEXT NOT NULL,
  job_id      TEXT NOT NULL,
  worker      TEXT NOT NULL,
  start_epoch INTEGER NOT NULL CHECK (start_epoch >= 0),
  started_at  TEXT NOT NULL,
  PRIMARY KEY (run_id, attempt)
) STRICT;
ALTER TABLE sweeps ADD COLUMN paused_reason TEXT;
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema', sql: V1_INITIAL },
  { version: 2, name: 'evaluation specs, seed groups, imported models', sql: [V2_EVALUATION_SPECS, V2_SEED_GROUPS, V2_IMPORTED_MODELS].join('\n') },
  { version: 3, name: 'output kind of trained runs', sql: V3_TRAINED_OUTPUT_KIND },
  { version: 4, name: 'defence of each run', sql: V4_RUN_DEFENCE },
  { version: 5, name: 'per-example labels and predictions of evaluations', sql: V5_EVALUATION_PREDICTIONS },
  { version: 6, name: 'model epoch of checkpoint evaluations', sql: V6_EVALUATION_MODEL_EPOCH },
  { version: 7, name: 'sweeps and their cells', sql: V7_SWEEPS },
  { version: 8, name: 'attempts of remotely trained runs, paused sweeps', sql: V8_RUN_ATTEMPTS },
];

/** The newest schema this build can read and write. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;

/** Tables of the current schema; a version-0 file holding anything else belongs to another program. */
export const SCHEMA_LOG_TABLE = 'schema_migrations';
