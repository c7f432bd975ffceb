// The headline numbers kept on each run row, so listing runs needs no join over evaluations: the clean accuracy and
// the comparable headline robust accuracy (src/shared/headline.ts), recomputed from the evaluations on every write,
// both of the one model that speaks for the run (src/shared/model-evaluations.ts).
import type { EnsembleRecord, EvaluationRecord } from '../../../shared/contract';
import { HEADLINE_ATTACK, HEADLINE_EPSILON, HEADLINE_NORM, headlineName, type Headline } from '../../../shared/headline';
import { attackLabel as specLabel, attackName as specName } from '../../../shared/attacks';
import { currentModelEpoch, currentModelEvaluations } from '../../../shared/model-evaluations';
import { encodeJson } from './codec';
import type { StoreContext } from './context';
import { wilsonInterval } from './evaluation-stats';
import { EVALUATION_COLUMNS, toEvaluation, type EvaluationRow } from './rows';

export { HEADLINE_EPSILON };
// Epsilons arrive as JS doubles from different code paths (0.2 vs 0.1 + 0.1); they count as equal within this.
const EPSILON_TOLERANCE = 1e-9;

/** A short name for an attack setting, e.g. "PGD-20 ∞ ε0.2", "FGSM L2 ε1.5", "clean". */
export function attackLabel(e: Pick<EvaluationRecord, 'attack' | 'norm' | 'epsilon' | 'steps'> & Partial<Pick<EvaluationRecord, 'spec' | 'restarts'>>): string {
  if (e.attack === 'clean') return 'clean';
  const epsilon = Number(e.epsilon.toPrecision(6));
  return specLabel(e.spec ? { ...e.spec, epsilon } : { attack: e.attack, norm: e.norm, epsilon, steps: e.steps, restarts: e.restarts ?? 1, queries: 0 });
}

/** The attack's name without its threat model: "PGD-20", "PGD-20 ×5", "FGSM (transfer)". */
function memberName(e: EvaluationRecord): string {
  const name = specName(e.spec ?? { attack: e.attack as Exclude<EvaluationRecord['attack'], 'clean'>, steps: e.steps, restarts: e.restarts, queries: 0 });
  return e.sourceRunId === null ? name : `${name} (transfer)`;
}

const subsetKey = (e: EvaluationRecord): string => `${e.subset!.dataset}|${e.subset!.size}|${e.subset!.indicesHash}`;

/**
 * The headline of a run from its evaluations: at HEADLINE_NORM and HEADLINE_EPSILON, on one test subset (the one with
 * a white-box AutoAttack, else one with a white-box iterative attack, else the largest, else the latest), the latest white-box AutoAttack when there is one,
 * otherwise the ensemble of every attack there ("worst of FGSM, PGD-20"). Evaluations without a recorded subset
 * (stored before v2) never make a headline: nobody could tell which images they scored.
 */
export function headlineOf(evals: readonly EvaluationRecord[], ensemble: (members: readonly EvaluationRecord[]) => EnsembleRecord): Headline | null {
  const at = currentModelEvaluations(evals).filter((e) => e.attack !== 'clean' && e.norm === HEADLINE_NORM && Math.abs(e.epsilon - HEADLINE_EPSILON) <= EPSILON_TOLERANCE && e.subset !== null && e.hasMask);
  if (at.length === 0) return null;
  const groups = new Map<string, EvaluationRecord[]>();
  for (const e of at) groups.set(subsetKey(e), [...(groups.get(subsetKey(e)) ?? []), e]);
  const isAuto = (e: EvaluationRecord) => e.attack === HEADLINE_ATTACK && e.sourceRunId === null;
  // one white-box iterative attack outweighs any number of images scored by FGSM alone, which overstates robustness
  const isIterative = (e: EvaluationRecord) => e.attack !== 'fgsm' && e.sourceRunId === null;
  const score = (g: EvaluationRecord[]): number[] => [Number(g.some(isAuto)), Number(g.some(isIterative)), g[0]!.count, Math.max(...g.map((e) => e.id))];
  const chosen = [...groups.values()].sort((a, b) => {
    const [x, y] = [score(a), score(b)];
    return y[0]! - x[0]! || y[1]! - x[1]! || y[2]! - x[2]! || y[3]! - x[3]!;
  })[0]!;
  const subset = chosen[0]!.subset!;
  const { modelEpoch } = chosen[0]!;
  const model = modelEpoch === null ? {} : { modelEpoch };
  const auto = chosen.filter(isAuto).at(-1);
  const flagsOf = (members: readonly EvaluationRecord[]) => [...new Set(members.flatMap((m) => m.flags.map((f) => f.reason)))];
  if (auto) {
    return {
      accuracy: auto.accuracy, correct: auto.correct, count: auto.count, interval: auto.interval, attack: 'AutoAttack',
      norm: HEADLINE_NORM, epsilon: HEADLINE_EPSILON, dataset: subset.dataset, indicesHash: subset.indicesHash, flags: flagsOf([auto]), ...model,
    };
  }
  // a repeated setting counts once (its latest run) so an extra rerun does not rename the headline
  const latest = new Map<string, EvaluationRecord>();
  for (const e of chosen) latest.set(memberName(e), e);
  const members = [...latest.values()];
  const names = [...latest.keys()].sort();
  const ens = ensemble(members);
  return {
    accuracy: ens.accuracy, correct: ens.correct, count: ens.count, interval: wilsonInterval(ens.correct, ens.count),
    attack: names.length === 1 ? names[0]! : `worst of ${names.join(', ')}`,
    norm: HEADLINE_NORM, epsilon: HEADLINE_EPSILON, dataset: subset.dataset, indicesHash: subset.indicesHash, flags: flagsOf(members), ...model,
  };
}

/**
 * Recomputes a run's clean_accuracy (the latest 'clean' evaluation) and its headline (robust_accuracy, robust_label =
 * the headline's full name, headline = the whole record), both of the model that speaks for the run: the final model
 * when it has evaluations, else the latest evaluated checkpoint. Recomputing from the evaluations, instead of comparing
 * with the stored value, keeps the row right whatever order results arrive in.
 */
export function makeHeadlineUpdater(ctx: StoreContext, ensemble: (members: readonly EvaluationRecord[]) => EnsembleRecord): (runId: string) => void {
  const models = ctx.db.prepare<[string], number | null>('SELECT DISTINCT model_epoch FROM evaluations WHERE run_id = ?').pluck();
  const clean = ctx.db.prepare<[string, number | null], number>(`SELECT accuracy FROM evaluations WHERE run_id = ? AND attack = 'clean' AND model_epoch IS ? ORDER BY id DESC LIMIT 1`).pluck();
  const attacks = ctx.db.prepare<[string, number | null, string, number, number], EvaluationRow>(
    `SELECT ${EVALUATION_COLUMNS} FROM evaluations WHERE run_id = ? AND model_epoch IS ? AND attack <> 'clean' AND norm = ? AND abs(epsilon - ?) <= ? AND subset IS NOT NULL ORDER BY id`,
  );
  const update = ctx.db.prepare('UPDATE runs SET clean_accuracy = ?, robust_accuracy = ?, robust_label = ?, headline = ?, measured_epoch = ? WHERE id = ?');
  return (runId) => {
    const model = currentModelEpoch(models.all(runId));
    const h = headlineOf(attacks.all(runId, model, HEADLINE_NORM, HEADLINE_EPSILON, EPSILON_TOLERANCE).map(toEvaluation), ensemble);
    update.run(clean.get(runId, model) ?? null, h?.accuracy ?? null, h ? headlineName(h) : null, h ? encodeJson(h) : null, model, runId);
  };
}
