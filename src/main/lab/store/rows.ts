// Row shapes as SQLite returns them, the column lists that produce them, and their mapping to the contract types.
import type { EarlyStop, EvaluationRecord, Headline, RunKind, RunStatus, RunSummary, RunTraining, SanityFlag, TestSubset } from '../../../shared/contract';
import type { ResolvedAttack } from '../../../shared/attacks';
import type { Defence } from '../../../shared/defences';
import { wilsonInterval } from './evaluation-stats';
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
  seed: number,
  headline: string | null,
  kind: RunKind,
  outputKind: 'logits' | 'probabilities' | null,
  defence: string | null,
  earlyStop: string | null,
  measuredEpoch: number | null,
  dataset: string | null,
  trainSize: number | null,
  testSize: number | null,
  batchSize: number | null,
  learningRate: number | null,
  optimizer: string | null,
];

/** Columns for RunSummaryTuple, in its order, from `runs r JOIN experiments e`; of the JSON columns only the (small) config is read, a few fields of it. */
export const RUN_SUMMARY_COLUMNS = `
  r.id, r.experiment_id, e.name, r.name, r.role, r.status,
  r.created_at, r.started_at, r.finished_at, r.epochs_done, r.epochs,
  r.clean_accuracy, r.robust_accuracy, r.robust_label, r.backend, r.tags, r.error, r.seed, r.headline, r.kind, r.output_kind, r.defence, r.early_stop, r.measured_epoch,
  CASE json_extract(r.config, '$.data.dataset.kind') WHEN 'imported' THEN 'imported:' || json_extract(r.config, '$.data.dataset.id') ELSE json_extract(r.config, '$.data.dataset.kind') END, json_extract(r.config, '$.data.trainSize'),
  json_extract(r.config, '$.data.testSize'), json_extract(r.config, '$.hparams.batchSize'), json_extract(r.config, '$.hparams.learningRate'),
  json_extract(r.config, '$.hparams.optimizer')`;

export const RUN_SUMMARY_FROM = `runs r JOIN experiments e ON e.id = r.experiment_id`;

export function durationMs(startedAt: string | null, finishedAt: string | null): number | null {
  if (startedAt === null || finishedAt === null) return null;
  const ms = Date.parse(finishedAt) - Date.parse(startedAt);
  return Number.isFinite(ms) ? Math.max(0, ms) : null;
}

export function toRunSummary(t: RunSummaryTuple): RunSummary {
  const [id, experimentId, experimentName, name, role, status, createdAt, startedAt, finishedAt, epochsDone, epochs, cleanAccuracy, robustAccuracy, robustLabel, backend, tags, error, seed, headline, kind, outputKind, defence, earlyStop, measuredEpoch, ...setup] = t;
  return {
    id,
    experimentId,
    experimentName,
    name,
    role,
    seed,
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
    headline: headline === null ? null : decodeJson<Headline>(headline),
    backend,
    tags: decodeJson<string[]>(tags),
    error,
    kind,
    outputKind,
    defence: defence === null ? null : decodeJson<Defence>(defence),
    earlyStop: earlyStop === null ? null : decodeJson<EarlyStop>(earlyStop),
    measuredEpoch,
    ...trainingOf(setup),
  };
}

/** Absent when the config lacks a field (it always has them unless written by hand). */
function trainingOf([dataset, trainSize, testSize, batchSize, learningRate, optimizer]: (string | number | null)[]): { training?: RunTraining } {
  if (typeof dataset !== 'string' || typeof trainSize !== 'number' || typeof testSize !== 'number' || typeof batchSize !== 'number' || typeof learningRate !== 'number' || typeof optimizer !== 'string') return {};
  return { training: { dataset, trainSize, testSize, batchSize, learningRate, optimizer } };
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
  correct: number;
  created_at: string;
  spec: string | null;
  zero_grad: number | null;
  subset: string | null;
  components: string;
  flags: string;
  has_mask: number;
  has_gallery: number;
  model_epoch: number | null;
}

/** Every column but the mask (read only for ensembles). */
export const EVALUATION_COLUMNS = `
  id, run_id, source_run_id, attack, norm, epsilon, steps, step_size, restarts, random_start,
  accuracy, per_class, count, correct, created_at, spec, zero_grad, subset, components, flags,
  mask IS NOT NULL AS has_mask, gallery IS NOT NULL AS has_gallery, model_epoch`;

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
    spec: row.spec === null ? null : decodeJson<ResolvedAttack>(row.spec),
    accuracy: row.accuracy,
    perClassAccuracy: decodeNumbers<number[]>(row.per_class),
    count: row.count,
    correct: row.correct,
    interval: wilsonInterval(row.correct, row.count),
    zeroGradFraction: row.zero_grad,
    subset: row.subset === null ? null : decodeJson<TestSubset>(row.subset),
    components: decodeJson<EvaluationRecord['components']>(row.components),
    flags: decodeJson<SanityFlag[]>(row.flags),
    hasMask: row.has_mask === 1,
    createdAt: row.created_at,
    hasGallery: row.has_gallery === 1,
    modelEpoch: row.model_epoch,
  };
}
