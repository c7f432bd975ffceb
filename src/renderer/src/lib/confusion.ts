// What the run page's confusion matrices show: which evaluations can have one, how each is named, and the table's totals.
import { type ConfusionRecord, type EvaluationRecord } from '../../../shared/contract';
import { currentModelEpoch, type ModelEpoch } from '../../../shared/model-evaluations';
import { attackLabel, modelSuffix, sourceLabel } from '../charts/eval-series';

/**
 * The latest clean evaluation of one model (the clean matrix beside that model's attack), or null; by default of the
 * model that speaks for the run (src/shared/model-evaluations.ts).
 */
export function cleanEvaluation(evaluations: readonly EvaluationRecord[], modelEpoch: ModelEpoch = currentModelEpoch(evaluations.map((e) => e.modelEpoch))): EvaluationRecord | null {
  return evaluations.filter((e) => e.attack === 'clean' && (e.modelEpoch ?? null) === modelEpoch).at(-1) ?? null;
}

/** The attack evaluations one can pick: those of the model that speaks for the run first, each group oldest first. */
export function attackEvaluations(evaluations: readonly EvaluationRecord[]): EvaluationRecord[] {
  const current = currentModelEpoch(evaluations.map((e) => e.modelEpoch));
  const attacks = evaluations.filter((e) => e.attack !== 'clean');
  return [...attacks.filter((e) => (e.modelEpoch ?? null) === current), ...attacks.filter((e) => (e.modelEpoch ?? null) !== current)];
}

/** "PGD-20 ∞ ε 0.2 · white-box · 128 images", with " · epoch 3 checkpoint" for a checkpoint's. */
export function evaluationOption(e: EvaluationRecord, nameOf: (runId: string) => string): string {
  return `${attackLabel(e)} ε ${e.epsilon} · ${sourceLabel(e.sourceRunId, nameOf)} · ${e.count} images${modelSuffix(e)}`;
}

/** Row sums (examples per true class), column sums (predictions per class), the diagonal and the whole. */
export function confusionTotals(c: Pick<ConfusionRecord, 'matrix'>): { rows: number[]; columns: number[]; diagonal: number; total: number } {
  const rows = c.matrix.map((r) => r.reduce((a, b) => a + b, 0));
  const columns = c.matrix.map((_, j) => c.matrix.reduce((a, r) => a + (r[j] ?? 0), 0));
  return { rows, columns, diagonal: c.matrix.reduce((a, r, i) => a + (r[i] ?? 0), 0), total: rows.reduce((a, b) => a + b, 0) };
}
