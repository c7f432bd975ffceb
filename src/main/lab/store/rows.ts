// Row shapes as SQLite returns them, the column lists that produce them, and their mapping to the contract types.
import type { EvaluationRecord, RunStatus, RunSummary } from '../../../shared/contract';
import type { RunRole } from '../../../shared/schemas';
import { decodeJson, decodeNumbers } from './codec';

/**
 * One run summary as SQLite returns it in raw (array) mode. Listing builds 1,000 of these; arrays instead of
 * keyed row objects halve the driver's cost, which dominates listRuns.
 */
export type RunSummaryTuple = [
  id: string,
  experimentId: string,
  experimentName: string,
  name: string,
  role: RunRole,
  status: RunStatus,
  createdAt: string,
  startedAt: string | null,
  finishedAt: string | null,
  epochsDone: number,
  epochs: number,
  cleanAccuracy: number | null,
  robustAccuracy: number | null,
  robustLabel: string | null,
  backend: string | null,
  tags: string,
  error: string | null,
];

/** Columns for RunSummaryTuple, in its order, from `runs r JOIN experiments e`; no large JSON column is read. */
export const RUN_SUMMARY_COLUMNS = `
  r.id, r.experiment_id, e.name, r.name, r.role, r.status,
  r.created_at, r.started_at, r.finished_at, r.epochs_done, r.epochs,
  r.clean_accuracy, r.robust_accuracy, r.robust_label, r.backend, r.tags, r.error`;

export const RUN_SUMMARY_FROM = `runs r JOIN experiments e ON e.id = r.experiment_id`;

export function durationMs(startedAt: string | null, finishedAt: string | null): number | null {
  if (startedAt === null || finishedAt === null) return null;
  const ms = Date.parse(finishedAt) - Date.parse(startedAt);
  return Number.isFinite(ms) ? Math.max(0, ms) : null;
}

export function toRunSummary(t: RunSummaryTuple): RunSummary {
  const [id, experimentId, experimentName, name, role, status, createdAt, startedAt, finishedAt, epochsDone, epochs, cleanAccuracy, robustAccuracy, robustLabel, backend, tags, error] = t;
  return {
    id,
    experimentId,
    experimentName,
    name,
    role,
    status,
    createdAt,
    startedAt,
    finishedAt,
    durationMs: durationMs(startedAt, finishedAt),
    epochsDone,
    epochs,
    cleanAccuracy,
    robustAccuracy,
    robustLabel,
    backend,
    tags: decodeJson<string[]>(tags),
    error,
  };
}

export interface EvaluationRow {
  id: number;
  run_id: string;
  source_run_id: string | null;
  attack: EvaluationRecord['attack'];
  norm: EvaluationRecord['norm'];
  epsilon: number;
  steps: number;
  step_size: number | null;
  restarts: number;
  random_start: number;
  accuracy: number;
  per_class: string;
  count: number;
  created_at: string;
  has_gallery: number;
}

export const EVALUATION_COLUMNS = `
  id, run_id, source_run_id, attack, norm, epsilon, steps, step_size, restarts, random_start,
  accuracy, per_class, count, created_at, gallery IS NOT NULL AS has_gallery`;

export function toEvaluation(row: EvaluationRow): EvaluationRecord {
  return {
    id: row.id,
    runId: row.run_id,
    sourceRunId: row.source_run_id,
    attack: row.attack,
    norm: row.norm,
    epsilon: row.epsilon,
    steps: row.steps,
    stepSize: row.step_size,
    restarts: row.restarts,
    randomStart: row.random_start === 1,
    accuracy: row.accuracy,
    perClassAccuracy: decodeNumbers<number[]>(row.per_class),
    count: row.count,
    createdAt: row.created_at,
    hasGallery: row.has_gallery === 1,
  };
}
