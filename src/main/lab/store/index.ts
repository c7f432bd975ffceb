// Public surface of the SQLite store: openStore and the types and constants its callers use.
export { openStore, readSchemaVersion, type OpenStoreOptions, type Store, type StoreHandle } from './store';
export type { NewRunInput } from './experiments';
export type { RunFilter } from './run-queries';
export type { RunEdit } from './runs';
export type { StatusChange } from './run-status';
export type { NewEvaluation } from './evaluations';
export type { GalleryInput } from './gallery';
export type { StoredJob } from './jobs';
export type { NewSweepInput } from './sweeps';
export type { RecoveryReport } from './recovery';
export type { MigrationResult } from './migrate';
export { RUN_TRANSITIONS, canTransition } from './run-status';
export { MAX_BATCH_POINTS, downsampleBatches } from './metrics';
export { HEADLINE_EPSILON, attackLabel } from './headline';
export { INTERRUPTED_MESSAGE } from './recovery';
export { LATEST_SCHEMA_VERSION } from './migrations';
export { newExperimentId, newRunId, newJobId, newSweepId } from './ids';
