// The table `rlab run` adds when its suite attacks at several radii or it trains several defences: per run and ε,
// the worst case over the attacks that scored the same images (the ensemble), with the image count.
import { type EnsembleRecord, type EvaluationRecord, type RunDetail } from '../../shared/contract';
import { currentModelEvaluations } from '../../shared/model-evaluations';
import { percent, table } from './format';
import { runLabel } from './run-label';

const key = (norm: string, epsilon: number) => `${norm}|${Number(epsilon.toPrecision(9))}`;

/** The run's evaluations and ensembles of the one model that speaks for it (a checkpoint's are never mixed with the final model's). */
function ownOf(run: RunDetail): { evaluations: EvaluationRecord[]; ensembles: EnsembleRecord[] } {
  const evaluations = currentModelEvaluations(run.evaluations);
  const model = evaluations[0]?.modelEpoch ?? null;
  return { evaluations, ensembles: run.ensembles.filter((x) => (x.modelEpoch ?? null) === model) };
}

/** The lowest robust accuracy at (norm, ε) over the run's ensembles and single attacks, with its image count. */
function worstAt(run: RunDetail, norm: string, epsilon: number): { accuracy: number; count: number } | null {
  const at = (e: { norm: string; epsilon: number }) => key(e.norm, e.epsilon) === key(norm, epsilon);
  const own = ownOf(run);
  const candidates: (EnsembleRecord | EvaluationRecord)[] = [...own.ensembles.filter(at), ...own.evaluations.filter((e) => e.attack !== 'clean' && e.sourceRunId === null && at(e))];
  if (candidates.length === 0) return null;
  // the smallest accuracy; on a tie the one on more images
  const worst = candidates.reduce((a, b) => (b.accuracy < a.accuracy || (b.accuracy === a.accuracy && b.count > a.count) ? b : a));
  return { accuracy: worst.accuracy, count: worst.count };
}

/** Whether the runs call for the table: more than one white-box ε, or more than one defence. */
export function wantsRobustnessTable(runs: readonly RunDetail[]): boolean {
  const radii = new Set(runs.flatMap((r) => r.evaluations.filter((e) => e.attack !== 'clean' && e.sourceRunId === null).map((e) => key(e.norm, e.epsilon))));
  return radii.size > 1 || runs.filter((r) => r.role === 'adv').length > 1;
}

export function robustnessTable(runs: readonly RunDetail[]): string {
  const radii = [...new Map(runs.flatMap((r) => r.evaluations.filter((e) => e.attack !== 'clean' && e.sourceRunId === null).map((e) => [key(e.norm, e.epsilon), { norm: e.norm, epsilon: e.epsilon }] as const))).values()].sort(
    (a, b) => a.norm.localeCompare(b.norm) || a.epsilon - b.epsilon,
  );
  const header = ['model', 'clean', ...radii.map((r) => `worst case ${r.norm === 'infinity' ? '∞' : 'L2'} ε${r.epsilon}`)];
  const rows = runs.map((run) => {
    const clean = ownOf(run).evaluations.find((e) => e.attack === 'clean')?.accuracy ?? run.cleanAccuracy;
    return [runLabel(run), percent(clean), ...radii.map((r) => {
      const w = worstAt(run, r.norm, r.epsilon);
      return w === null ? '—' : `${percent(w.accuracy)} (${w.count})`;
    })];
  });
  return `robust accuracy: the worst case over the white-box attacks (and their ensembles) on the same images, (n) images\n${table(header, rows)}`;
}
