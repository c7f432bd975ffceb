// The headline numbers kept on each run row, so listing runs needs no join over evaluations.
import type { EvaluationRecord } from '../../../shared/contract';
import type { StoreContext } from './context';

/** The ε at which the headline robust accuracy is reported (infinity-norm MNIST convention). */
export const HEADLINE_EPSILON = 0.2;
// Epsilons arrive as JS doubles from different code paths (0.2 vs 0.1 + 0.1); they count as equal within this.
const EPSILON_TOLERANCE = 1e-9;

/** A short name for an attack setting, e.g. "PGD-20 ∞ ε0.2", "FGSM L2 ε1.5". */
export function attackLabel(e: Pick<EvaluationRecord, 'attack' | 'norm' | 'epsilon' | 'steps'>): string {
  const name = e.attack === 'pgd' ? `PGD-${e.steps}` : e.attack.toUpperCase();
  if (e.attack === 'clean') return name;
  return `${name} ${e.norm === 'infinity' ? '∞' : 'L2'} ε${Number(e.epsilon.toPrecision(6))}`;
}

/**
 * Recomputes a run's clean_accuracy (its latest 'clean' evaluation) and robust_accuracy/robust_label
 * (its lowest accuracy among attacks at HEADLINE_EPSILON, white-box or transfer: the worst case is the headline).
 * Recomputing from the evaluations, instead of comparing with the stored value, keeps the row right whatever order results arrive in.
 */
export function makeHeadlineUpdater(ctx: StoreContext): (runId: string) => void {
  const clean = ctx.db.prepare<[string], number>(`SELECT accuracy FROM evaluations WHERE run_id = ? AND attack = 'clean' ORDER BY id DESC LIMIT 1`).pluck();
  const worst = ctx.db.prepare<[string, number, number], Pick<EvaluationRecord, 'attack' | 'norm' | 'epsilon' | 'steps' | 'accuracy'>>(
    `SELECT attack, norm, epsilon, steps, accuracy FROM evaluations
     WHERE run_id = ? AND attack <> 'clean' AND abs(epsilon - ?) <= ?
     ORDER BY accuracy ASC, id ASC LIMIT 1`,
  );
  const update = ctx.db.prepare('UPDATE runs SET clean_accuracy = ?, robust_accuracy = ?, robust_label = ? WHERE id = ?');
  return (runId) => {
    const w = worst.get(runId, HEADLINE_EPSILON, EPSILON_TOLERANCE);
    update.run(clean.get(runId) ?? null, w?.accuracy ?? null, w ? attackLabel(w) : null, runId);
  };
}
