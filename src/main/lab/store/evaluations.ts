// Evaluation results (attack, norm, ε, steps, source run, accuracy): recording one with its gallery, and listing them.
import type { EvaluationRecord, Gallery } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { encodeJson } from './codec';
import { writeTx, type StoreContext } from './context';
import { encodeGallery, makeGalleryRepo, type GalleryInput } from './gallery';
import { makeHeadlineUpdater } from './headline';
import { makeRunStateReader } from './run-queries';
import { EVALUATION_COLUMNS, toEvaluation, type EvaluationRow } from './rows';

/** An evaluation to store; id and hasGallery are assigned by the store, createdAt defaults to now. */
export type NewEvaluation = Omit<EvaluationRecord, 'id' | 'createdAt' | 'hasGallery'> & { createdAt?: string };

export interface EvaluationsRepo {
  /**
   * Stores an evaluation (and its gallery samples) and refreshes the run's headline accuracies, in one
   * transaction. `attack: 'clean'` records the clean test accuracy.
   */
  recordEvaluation(evaluation: NewEvaluation, gallery?: GalleryInput): EvaluationRecord;
  /** A run's evaluations, oldest first. */
  listEvaluations(runId: string): EvaluationRecord[];
  /** The gallery stored with an evaluation; not_found when there is none. */
  getGallery(evaluationId: number): Gallery;
}

const ATTACKS = ['fgsm', 'pgd', 'clean'];
const NORMS = ['infinity', 'l2'];

function bad(field: string, message: string): never {
  throw new LabError('invalid_argument', `${field} ${message}`, field);
}

function checkEvaluation(e: NewEvaluation): void {
  if (!ATTACKS.includes(e.attack)) bad('attack', `must be one of ${ATTACKS.join(', ')} (got ${JSON.stringify(e.attack)})`);
  if (!NORMS.includes(e.norm)) bad('norm', `must be one of ${NORMS.join(', ')} (got ${JSON.stringify(e.norm)})`);
  if (!Number.isFinite(e.epsilon) || e.epsilon < 0) bad('epsilon', `must be a finite number ≥ 0 (got ${String(e.epsilon)})`);
  if (!Number.isSafeInteger(e.steps) || e.steps < 0) bad('steps', `must be an integer ≥ 0 (got ${String(e.steps)})`);
  if (e.stepSize !== null && (!Number.isFinite(e.stepSize) || e.stepSize <= 0)) bad('stepSize', `must be > 0 or null (got ${String(e.stepSize)})`);
  if (!Number.isSafeInteger(e.restarts) || e.restarts < 0) bad('restarts', `must be an integer ≥ 0 (got ${String(e.restarts)})`);
  if (typeof e.randomStart !== 'boolean') bad('randomStart', `must be true or false (got ${String(e.randomStart)})`);
  if (!(e.accuracy >= 0 && e.accuracy <= 1)) bad('accuracy', `must be in [0, 1] (got ${String(e.accuracy)})`);
  if (!Array.isArray(e.perClassAccuracy) || e.perClassAccuracy.some((a) => typeof a !== 'number' && a !== null)) bad('perClassAccuracy', 'must be a list of numbers (null for a class without examples)');
  if (!Number.isSafeInteger(e.count) || e.count < 0) bad('count', `must be an integer ≥ 0 (got ${String(e.count)})`);
  if (e.createdAt !== undefined && Number.isNaN(Date.parse(e.createdAt))) bad('createdAt', `must be an ISO-8601 timestamp (got ${JSON.stringify(e.createdAt)})`);
}

export function makeEvaluationsRepo(ctx: StoreContext): EvaluationsRepo {
  const readState = makeRunStateReader(ctx);
  const gallery = makeGalleryRepo(ctx);
  const refreshHeadline = makeHeadlineUpdater(ctx);
  const insert = ctx.db.prepare(
    `INSERT INTO evaluations (run_id, source_run_id, attack, norm, epsilon, steps, step_size, restarts, random_start, accuracy, per_class, count, created_at, gallery)
     VALUES (@runId, @sourceRunId, @attack, @norm, @epsilon, @steps, @stepSize, @restarts, @randomStart, @accuracy, @perClass, @count, @createdAt, @gallery)`,
  );
  const byId = ctx.db.prepare<[number], EvaluationRow>(`SELECT ${EVALUATION_COLUMNS} FROM evaluations WHERE id = ?`);
  const byRun = ctx.db.prepare<[string], EvaluationRow>(`SELECT ${EVALUATION_COLUMNS} FROM evaluations WHERE run_id = ? ORDER BY id`);

  const recordEvaluation = writeTx(ctx, (e: NewEvaluation, g?: GalleryInput): EvaluationRecord => {
    checkEvaluation(e);
    const encoded = g === undefined ? undefined : encodeGallery(g);
    readState(e.runId);
    if (e.sourceRunId !== null) readState(e.sourceRunId, 'sourceRunId');
    const { lastInsertRowid } = insert.run({
      runId: e.runId,
      sourceRunId: e.sourceRunId,
      attack: e.attack,
      norm: e.norm,
      epsilon: e.epsilon,
      steps: e.steps,
      stepSize: e.stepSize,
      restarts: e.restarts,
      randomStart: e.randomStart ? 1 : 0,
      accuracy: e.accuracy,
      perClass: encodeJson(e.perClassAccuracy),
      count: e.count,
      createdAt: e.createdAt ?? ctx.now(),
      gallery: encoded?.meta ?? null,
    });
    const id = Number(lastInsertRowid);
    if (encoded !== undefined) gallery.insertGallery(id, encoded.rows);
    refreshHeadline(e.runId);
    return toEvaluation(byId.get(id) as EvaluationRow);
  });

  function listEvaluations(runId: string): EvaluationRecord[] {
    readState(runId);
    return byRun.all(runId).map(toEvaluation);
  }

  return { recordEvaluation, listEvaluations, getGallery: gallery.getGallery };
}
