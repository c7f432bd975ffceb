// What the run page's confusion matrices show: which evaluations can have one, how each is named, and the table's totals.
import { type ConfusionRecord, type EvaluationRecord } from '../../../shared/contract';
import { attackLabel, sourceLabel } from '../charts/eval-series';

/** The run's latest clean evaluation (the clean matrix), or null. */
export function cleanEvaluation(evaluations: readonly EvaluationRecord[]): EvaluationRecord | null {
  return evaluations.filter((e) => e.attack === 'clean').at(-1) ?? null;
}

/** The attack evaluations one can pick, oldest first. */
export function attackEvaluations(evaluations: readonly EvaluationRecord[]): EvaluationRecord[] {
  return evaluations.filter((e) => e.attack !== 'clean');
}

/** "PGD-20 ∞ ε 0.2 · white-box · 128 images". */
export function evaluationOption(e: EvaluationRecord, nameOf: (runId: string) => string): string {
  return `${attackLabel(e)} ε ${e.epsilon} · ${sourceLabel(e.sourceRunId, nameOf)} · ${e.count} images`;
}

/** Row sums (examples per true class), column sums (predictions per class), the diagonal and the whole. */
export function confusionTotals(c: Pick<ConfusionRecord, 'matrix'>): { rows: number[]; columns: number[]; diagonal: number; total: number } {
  const rows = c.matrix.map((r) => r.reduce((a, b) => a + b, 0));
  const columns = c.matrix.map((_, j) => c.matrix.reduce((a, r) => a + (r[j] ?? 0), 0));
  return { rows, columns, diagonal: c.matrix.reduce((a, r, i) => a + (r[i] ?? 0), 0), total: rows.reduce((a, b) => a + b, 0) };
}
