// Evaluation results: recording one (its complete attack spec, per-example mask, test subset, gallery), listing them,
// the per-run sanity flags, and ensembles (an example is robust only if it survives every attack of a set).
import { ATTACK_KINDS, attackLabel, resolveAttack, type ResolvedAttack } from '../../../shared/attacks';
import type { ConfusionRecord, EnsembleRecord, EvaluationRecord, Gallery, GalleryPage, LabParsedRequest, MetricValues, RunConfig, SanityFlag, TestSubset } from '../../../shared/contract';
import type { ChanceInput } from '../../../shared/sanity-flags';
import { LabError } from '../../../shared/errors';
import { modelName } from '../../../shared/model-evaluations';
import { decodeJson, encodeJson } from './codec';
import { writeTx, type StoreContext } from './context';
import { countCorrect, ensembleMask, wilsonInterval } from './evaluation-stats';
import { encodeGallery, makeGalleryRepo, type GalleryInput } from './gallery';
import { makeHeadlineUpdater } from './headline';
import { makeRunStateReader } from './run-queries';
import { EVALUATION_COLUMNS, toEvaluation, type EvaluationRow } from './rows';
import { flagsForRun } from './sanity';

/**
 * An evaluation to store. `spec` is the attack as run; when given, the flat attack fields are taken from it. Older
 * callers may leave it out: it is then resolved from the flat fields. `mask` (1 byte per example, 1 = still correct)
 * and `subset` make the evaluation part of ensembles and headlines; `correct` defaults to the mask's count, else to
 * accuracy · count.
 */
export type NewEvaluation = Omit<EvaluationRecord, 'id' | 'createdAt' | 'hasGallery' | 'hasMask' | 'interval' | 'flags' | 'spec' | 'correct' | 'zeroGradFraction' | 'subset' | 'components' | 'modelEpoch'> & {
  createdAt?: string;
  spec?: ResolvedAttack | null;
  correct?: number;
  mask?: Uint8Array | null;
  subset?: TestSubset | null;
  zeroGradFraction?: number | null;
  components?: EvaluationRecord['components'];
  /**
   * Each example's true and predicted class (subset order, count entries, each < the run's classes), given together;
   * they must agree with the mask (correct exactly where they are equal). Kept for confusion matrices.
   */
  labels?: ClassIndices | null;
  predictions?: ClassIndices | null;
  /** The checkpoint's finished-epoch count when its weights were evaluated instead of the saved model; default null (the saved model). */
  modelEpoch?: number | null;
};

/** Class indices per example: one byte each, or two where classes exceed 256. */
export type ClassIndices = Uint8Array | Uint16Array;

export interface EvaluationsRepo {
  /**
   * Stores an evaluation (and its gallery samples), then refreshes the run's sanity flags and headline accuracies, in
   * one transaction. `attack: 'clean'` records the clean test accuracy.
   */
  recordEvaluation(evaluation: NewEvaluation, gallery?: GalleryInput): EvaluationRecord;
  /** A run's evaluations, oldest first. */
  listEvaluations(runId: string): EvaluationRecord[];
  /** The gallery stored with an evaluation; not_found when there is none. */
  getGallery(evaluationId: number): Gallery;
  /** A page of the examples evaluations scored, side by side (same indices), with stored images where kept. */
  galleryPage(request: LabParsedRequest<'galleryPage'>): GalleryPage;
  /** The confusion matrix [true][predicted] and per-class accuracy of an evaluation stored with its labels and predictions. */
  confusion(evaluationId: number): ConfusionRecord;
  /** The ensemble of any evaluations on the same test subset, norm and ε (of one run or several). */
  ensembleOf(evaluationIds: readonly number[]): EnsembleRecord;
  /** Per (norm, ε, test subset) of a run with two or more attacks: the ensemble of all of them. */
  runEnsembles(runId: string): EnsembleRecord[];
}

const ATTACKS: readonly string[] = ['clean', ...ATTACK_KINDS];
const NORMS = ['infinity', 'l2'];

function bad(field: string, message: string): never {
  throw new LabError('invalid_argument', `${field} ${message}`, field);
}

function checkSubset(s: TestSubset): void {
  if (typeof s !== 'object' || s === null) bad('subset', 'must be {dataset, splitSeed, size, indicesHash}');
  if (typeof s.dataset !== 'string' || s.dataset === '') bad('subset.dataset', `must be a dataset id (got ${JSON.stringify(s.dataset)})`);
  if (!Number.isSafeInteger(s.splitSeed)) bad('subset.splitSeed', `must be an integer (got ${String(s.splitSeed)})`);
  if (!Number.isSafeInteger(s.size) || s.size < 0) bad('subset.size', `must be an integer ≥ 0 (got ${String(s.size)})`);
  if (typeof s.indicesHash !== 'string' || !/^[0-9a-f]{8,64}$/.test(s.indicesHash)) bad('subset.indicesHash', `must be a hex digest (got ${JSON.stringify(s.indicesHash)})`);
}

/** Validates and completes an evaluation: the spec (resolved when absent), correct, and the mask against the count. */
function complete(e: NewEvaluation): { spec: ResolvedAttack | null; correct: number } {
  if (!ATTACKS.includes(e.attack)) bad('attack', `must be one of ${ATTACKS.join(', ')} (got ${JSON.stringify(e.attack)})`);
  if (!NORMS.includes(e.norm)) bad('norm', `must be one of ${NORMS.join(', ')} (got ${JSON.stringify(e.norm)})`);
  if (!Number.isFinite(e.epsilon) || e.epsilon < 0) bad('epsilon', `must be a finite number ≥ 0 (got ${String(e.epsilon)})`);
  if (!Number.isSafeInteger(e.steps) || e.steps < 0) bad('steps', `must be an integer ≥ 0 (got ${String(e.steps)})`);
  if (e.stepSize !== null && (!Number.isFinite(e.stepSize) || e.stepSize < 0)) bad('stepSize', `must be ≥ 0 or null (got ${String(e.stepSize)})`);
  if (!Number.isSafeInteger(e.restarts) || e.restarts < 0) bad('restarts', `must be an integer ≥ 0 (got ${String(e.restarts)})`);
  if (typeof e.randomStart !== 'boolean') bad('randomStart', `must be true or false (got ${String(e.randomStart)})`);
  if (!(e.accuracy >= 0 && e.accuracy <= 1)) bad('accuracy', `must be in [0, 1] (got ${String(e.accuracy)})`);
  if (!Array.isArray(e.perClassAccuracy) || e.perClassAccuracy.some((a) => typeof a !== 'number' && a !== null)) bad('perClassAccuracy', 'must be a list of numbers (null for a class without examples)');
  if (!Number.isSafeInteger(e.count) || e.count < 0) bad('count', `must be an integer ≥ 0 (got ${String(e.count)})`);
  if (e.createdAt !== undefined && Number.isNaN(Date.parse(e.createdAt))) bad('createdAt', `must be an ISO-8601 timestamp (got ${JSON.stringify(e.createdAt)})`);
  if (e.modelEpoch != null && (!Number.isSafeInteger(e.modelEpoch) || e.modelEpoch < 1)) bad('modelEpoch', `must be an integer ≥ 1 (a finished epoch) or null for the saved model (got ${String(e.modelEpoch)})`);
  if (e.zeroGradFraction != null && !(e.zeroGradFraction >= 0 && e.zeroGradFraction <= 1)) bad('zeroGradFraction', `must be in [0, 1] or null (got ${String(e.zeroGradFraction)})`);
  if (e.subset != null) {
    checkSubset(e.subset);
    if (e.subset.size !== e.count) bad('subset.size', `must equal count ${e.count} (got ${e.subset.size})`);
  }
  if (e.components !== undefined && (!Array.isArray(e.components) || e.components.some((c) => !ATTACK_KINDS.includes(c.attack) || !(c.accuracy >= 0 && c.accuracy <= 1) || !Number.isSafeInteger(c.correct)))) {
    bad('components', 'must be a list of {attack, accuracy in [0, 1], correct}');
  }
  let correct = e.correct ?? Math.round(e.accuracy * e.count);
  if (e.mask != null) {
    if (!(e.mask instanceof Uint8Array) || e.mask.length !== e.count) bad('mask', `must be a Uint8Array of count ${e.count} bytes (got ${e.mask instanceof Uint8Array ? e.mask.length : typeof e.mask})`);
    if (e.mask.some((v) => v > 1)) bad('mask', 'must hold only 0 and 1');
    const fromMask = countCorrect(e.mask);
    if (e.correct !== undefined && e.correct !== fromMask) bad('correct', `must equal the mask's ${fromMask} correct examples (got ${e.correct})`);
    correct = fromMask;
  }
  if (!Number.isSafeInteger(correct) || correct < 0 || correct > e.count) bad('correct', `must be an integer in [0, ${e.count}] (got ${String(correct)})`);
  if (e.attack === 'clean') return { spec: null, correct };
  if (e.spec != null) {
    if (e.spec.attack !== e.attack) bad('spec.attack', `must equal attack ${e.attack} (got ${String(e.spec.attack)})`);
    return { spec: e.spec, correct };
  }
  const spec = resolveAttack({
    attack: e.attack,
    norm: e.norm,
    epsilon: e.epsilon,
    ...(e.steps > 0 ? { steps: e.steps } : {}),
    ...(e.stepSize !== null && e.stepSize > 0 ? { stepSize: e.stepSize } : {}),
    randomStart: e.randomStart,
    ...(e.restarts > 0 ? { restarts: e.restarts } : {}),
  });
  return { spec, correct };
}

/** Checks labels and predictions (both or neither) against the count, the run's classes and the mask, naming the field. */
function checkClassIndices(e: NewEvaluation, classes: number): void {
  const given = [e.labels, e.predictions].filter((v) => v != null).length;
  if (given === 0) return;
  if (given === 1) bad(e.labels == null ? 'labels' : 'predictions', `must be given with ${e.labels == null ? 'predictions' : 'labels'} (both or neither)`);
  for (const field of ['labels', 'predictions'] as const) {
    const v = e[field]!;
    if (!(v instanceof Uint8Array || v instanceof Uint16Array)) bad(field, `must be a Uint8Array or Uint16Array of class indices (got ${typeof v})`);
    if (v.length !== e.count) bad(field, `must hold one class per example: count ${e.count} (got ${v.length})`);
    const at = v.findIndex((c) => c >= classes);
    if (at >= 0) bad(field, `must hold class indices below the run's ${classes} classes (got ${v[at]} at ${at})`);
  }
  if (e.mask != null) {
    const at = e.labels!.findIndex((label, i) => (label === e.predictions![i]) !== (e.mask![i] === 1));
    if (at >= 0) bad('predictions', `must equal labels exactly where the mask says correct (they disagree at example ${at})`);
  }
}

/** Class indices as stored: one byte each while every index fits, two little-endian bytes otherwise. */
function encodeClasses(v: ClassIndices): Buffer {
  if (v.every((c) => c < 256)) return Buffer.from(Uint8Array.from(v));
  const out = Buffer.alloc(v.length * 2);
  v.forEach((c, i) => out.writeUInt16LE(c, i * 2));
  return out;
}

function decodeClasses(b: Buffer, count: number): Uint16Array {
  if (b.length === count) return Uint16Array.from(b);
  const out = new Uint16Array(count);
  for (let i = 0; i < count; i++) out[i] = b.readUInt16LE(i * 2);
  return out;
}

const subsetKey = (s: TestSubset): string => `${s.dataset}|${s.size}|${s.indicesHash}`;

/** "the final model" / "the epoch 3 checkpoint", for a refusal that names both. */
const modelOf = (e: Pick<EvaluationRecord, 'modelEpoch'>): string => (e.modelEpoch === null ? 'the final model' : `the ${modelName(e.modelEpoch)}`);

/** "PGD-20 ∞ ε0.2", with "(transfer from run_…)" for a transfer attack. */
export function evaluationLabel(e: Pick<EvaluationRecord, 'attack' | 'spec' | 'norm' | 'epsilon' | 'steps' | 'restarts' | 'sourceRunId'>): string {
  if (e.attack === 'clean') return 'clean';
  const base = attackLabel(e.spec ?? { attack: e.attack, norm: e.norm, epsilon: e.epsilon, steps: e.steps, restarts: e.restarts, queries: 0 });
  return e.sourceRunId === null ? base : `${base} (transfer from ${e.sourceRunId})`;
}

export function makeEvaluationsRepo(ctx: StoreContext): EvaluationsRepo {
  const readState = makeRunStateReader(ctx);
  const gallery = makeGalleryRepo(ctx);
  const insert = ctx.db.prepare(
    `INSERT INTO evaluations (run_id, source_run_id, attack, norm, epsilon, steps, step_size, restarts, random_start, accuracy, per_class, count, correct, created_at,
       spec, zero_grad, subset, components, gallery, mask, labels, predictions, model_epoch)
     VALUES (@runId, @sourceRunId, @attack, @norm, @epsilon, @steps, @stepSize, @restarts, @randomStart, @accuracy, @perClass, @count, @correct, @createdAt,
       @spec, @zeroGrad, @subset, @components, @gallery, @mask, @labels, @predictions, @modelEpoch)`,
  );
  const classesOf = ctx.db.prepare<[string], number | null>("SELECT json_extract(config, '$.hparams.numClasses') FROM runs WHERE id = ?").pluck();
  const classRows = ctx.db.prepare<[number], { run_id: string; count: number; correct: number; labels: Buffer | null; predictions: Buffer | null }>(
    'SELECT run_id, count, correct, labels, predictions FROM evaluations WHERE id = ?',
  );
  const byId = ctx.db.prepare<[number], EvaluationRow>(`SELECT ${EVALUATION_COLUMNS} FROM evaluations WHERE id = ?`);
  const byRun = ctx.db.prepare<[string], EvaluationRow>(`SELECT ${EVALUATION_COLUMNS} FROM evaluations WHERE run_id = ? ORDER BY id`);
  const maskOf = ctx.db.prepare<[number], Buffer | null>('SELECT mask FROM evaluations WHERE id = ?').pluck();
  const setFlags = ctx.db.prepare('UPDATE evaluations SET flags = ? WHERE id = ?');

  function ensemble(members: readonly EvaluationRecord[]): EnsembleRecord {
    const first = members[0];
    if (first === undefined) throw new LabError('invalid_argument', 'an ensemble needs at least one evaluation', 'evaluationIds');
    const masks: Uint8Array[] = [];
    for (const m of members) {
      if (m.attack === 'clean') throw new LabError('invalid_argument', `evaluation ${m.id} is clean accuracy, not an attack`, 'evaluationIds');
      const mask = maskOf.get(m.id);
      if (m.subset === null || mask === null || mask === undefined) {
        throw new LabError('invalid_argument', `evaluation ${m.id} has no per-example record (it was stored before the lab kept one); evaluate again to use it in an ensemble`, 'evaluationIds');
      }
      if (subsetKey(m.subset) !== subsetKey(first.subset!)) {
        throw new LabError('invalid_argument', `evaluations ${first.id} and ${m.id} scored different test images (${first.subset!.dataset} ${first.subset!.size} #${first.subset!.indicesHash.slice(0, 8)} vs ${m.subset.dataset} ${m.subset.size} #${m.subset.indicesHash.slice(0, 8)})`, 'evaluationIds');
      }
      if (m.norm !== first.norm || Math.abs(m.epsilon - first.epsilon) > 1e-9) {
        throw new LabError('invalid_argument', `evaluations ${first.id} and ${m.id} attack different threat models (${first.norm} ε${first.epsilon} vs ${m.norm} ε${m.epsilon})`, 'evaluationIds');
      }
      if (m.modelEpoch !== first.modelEpoch) {
        throw new LabError('invalid_argument', `evaluations ${first.id} and ${m.id} measured different models (${modelOf(first)} of ${first.runId} vs ${modelOf(m)} of ${m.runId}); combine evaluations of one model`, 'evaluationIds');
      }
      masks.push(new Uint8Array(mask.buffer, mask.byteOffset, mask.byteLength));
    }
    const correct = countCorrect(ensembleMask(masks));
    const count = first.count;
    const seen = new Set<string>();
    const flags: SanityFlag[] = [];
    for (const f of members.flatMap((m) => m.flags)) {
      if (!seen.has(f.reason)) flags.push(f);
      seen.add(f.reason);
    }
    return {
      norm: first.norm,
      epsilon: first.epsilon,
      subset: first.subset!,
      evaluationIds: members.map((m) => m.id),
      attacks: members.map(evaluationLabel),
      accuracy: count === 0 ? 0 : correct / count,
      correct,
      count,
      interval: wilsonInterval(correct, count),
      flags,
      modelEpoch: first.modelEpoch,
    };
  }

  function listEvaluations(runId: string): EvaluationRecord[] {
    readState(runId);
    return byRun.all(runId).map(toEvaluation);
  }

  function runEnsembles(runId: string): EnsembleRecord[] {
    const groups = new Map<string, EvaluationRecord[]>();
    for (const e of listEvaluations(runId)) {
      if (e.attack === 'clean' || e.subset === null || !e.hasMask) continue;
      // one ensemble per model: a checkpoint's attacks are never combined with the final model's
      const key = `${e.modelEpoch ?? 'final'}|${e.norm}|${Number(e.epsilon.toPrecision(9))}|${subsetKey(e.subset)}`;
      const g = groups.get(key);
      if (g) g.push(e);
      else groups.set(key, [e]);
    }
    // the final model's first, then each checkpoint's, latest first
    const rank = (x: EnsembleRecord) => (x.modelEpoch === null ? Infinity : x.modelEpoch);
    return [...groups.values()].filter((g) => g.length >= 2).map(ensemble).sort((a, b) => rank(b) - rank(a) || a.norm.localeCompare(b.norm) || a.epsilon - b.epsilon);
  }

  const refreshHeadline = makeHeadlineUpdater(ctx, ensemble);

  // what the at-chance check needs: the run's classes, role and defence, and its last epoch's training accuracy
  const chanceFacts = ctx.db.prepare<[string], { config: string; epochs: number; last: string | null }>(
    `SELECT r.config AS config, (SELECT count(*) FROM metrics_epoch m WHERE m.run_id = r.id) AS epochs,
       (SELECT m.metrics FROM metrics_epoch m WHERE m.run_id = r.id ORDER BY m.epoch DESC LIMIT 1) AS last FROM runs r WHERE r.id = ?`,
  );
  function chanceOf(runId: string): Omit<ChanceInput, 'cleanAccuracy'> | undefined {
    const row = chanceFacts.get(runId);
    const config = row === undefined ? undefined : decodeJson<Partial<RunConfig>>(row.config);
    if (row === undefined || config?.hparams === undefined || config.role === undefined) return undefined;
    const last = row.last === null ? null : decodeJson<Partial<MetricValues>>(row.last).sparse_categorical_accuracy;
    return { numClasses: config.hparams.numClasses, epochs: row.epochs, lastTrainAccuracy: typeof last === 'number' ? last : null, role: config.role, defence: config.defence };
  }

  /** Reruns the sanity checks over the run's evaluations and stores each one's flags. */
  function refreshFlags(runId: string): void {
    const evals = byRun.all(runId).map(toEvaluation);
    const flags = flagsForRun(evals, chanceOf(runId));
    for (const e of evals) {
      const f = flags.get(e.id) ?? [];
      if (JSON.stringify(f) !== JSON.stringify(e.flags)) setFlags.run(encodeJson(f), e.id);
    }
  }

  const recordEvaluation = writeTx(ctx, (e: NewEvaluation, g?: GalleryInput): EvaluationRecord => {
    const { spec, correct } = complete(e);
    const encoded = g === undefined ? undefined : encodeGallery(g);
    const run = readState(e.runId);
    if (e.modelEpoch != null && e.modelEpoch > run.epochs) bad('modelEpoch', `must be one of the run's ${run.epochs} epochs (got ${e.modelEpoch})`);
    // the run's model decides how many classes there are; a config without one (never stored by the lab) bounds them by 2^16
    const classes = classesOf.get(e.runId);
    checkClassIndices(e, typeof classes === 'number' ? classes : 65536);
    if (e.sourceRunId !== null) readState(e.sourceRunId, 'sourceRunId');
    const { lastInsertRowid } = insert.run({
      runId: e.runId,
      sourceRunId: e.sourceRunId,
      attack: e.attack,
      norm: spec?.norm ?? e.norm,
      epsilon: spec?.epsilon ?? e.epsilon,
      steps: spec?.steps ?? e.steps,
      stepSize: spec === null ? e.stepSize : spec.stepSize,
      restarts: spec?.restarts ?? e.restarts,
      randomStart: (spec?.randomStart ?? e.randomStart) ? 1 : 0,
      accuracy: e.accuracy,
      perClass: encodeJson(e.perClassAccuracy),
      count: e.count,
      correct,
      createdAt: e.createdAt ?? ctx.now(),
      spec: spec === null ? null : encodeJson(spec),
      zeroGrad: e.zeroGradFraction ?? null,
      subset: e.subset == null ? null : encodeJson(e.subset),
      components: encodeJson(e.components ?? []),
      gallery: encoded?.meta ?? null,
      mask: e.mask == null ? null : Buffer.from(e.mask.buffer, e.mask.byteOffset, e.mask.byteLength),
      labels: e.labels == null ? null : encodeClasses(e.labels),
      predictions: e.predictions == null ? null : encodeClasses(e.predictions),
      modelEpoch: e.modelEpoch ?? null,
    });
    const id = Number(lastInsertRowid);
    if (encoded !== undefined) gallery.insertGallery(id, encoded.rows);
    refreshFlags(e.runId);
    refreshHeadline(e.runId);
    return toEvaluation(byId.get(id) as EvaluationRow);
  });

  function ensembleOf(ids: readonly number[]): EnsembleRecord {
    if (!Array.isArray(ids) || ids.length === 0) throw new LabError('invalid_argument', 'evaluationIds must list at least one evaluation', 'evaluationIds');
    const members = [...new Set(ids)].map((id) => {
      const row = byId.get(id);
      if (row === undefined) throw new LabError('not_found', `evaluation ${id} does not exist (it may have been deleted)`, 'evaluationIds');
      return toEvaluation(row);
    });
    return ensemble(members);
  }

  function confusion(evaluationId: number): ConfusionRecord {
    const row = classRows.get(evaluationId);
    if (row === undefined) throw new LabError('not_found', `evaluation ${evaluationId} does not exist (it may have been deleted)`, 'evaluationId');
    if (row.labels === null || row.predictions === null) {
      throw new LabError('failed_precondition', `evaluation ${evaluationId} has no per-example predictions (it was stored before the lab kept them); evaluate again to see its confusion matrix`, 'evaluationId');
    }
    const labels = decodeClasses(row.labels, row.count);
    const predictions = decodeClasses(row.predictions, row.count);
    const configured = classesOf.get(row.run_id);
    const classes = typeof configured === 'number' ? configured : Math.max(0, ...labels, ...predictions) + 1;
    const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
    labels.forEach((label, i) => matrix[label]![predictions[i]!]!++);
    const perClass = matrix.map((r, c) => {
      const count = r.reduce((a, b) => a + b, 0);
      const right = r[c]!;
      return { count, correct: right, accuracy: count === 0 ? null : right / count };
    });
    return { evaluationId, runId: row.run_id, classes, matrix, perClass, count: row.count, correct: perClass.reduce((a, p) => a + p.correct, 0) };
  }

  return { recordEvaluation, listEvaluations, getGallery: gallery.getGallery, galleryPage: gallery.galleryPage, confusion, ensembleOf, runEnsembles };
}
