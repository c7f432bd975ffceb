// The table `rlab run` ends with: the NSL tutorial's comparison plus white-box numbers, one row per trained model.
import { type EvaluationRecord, type RunDetail } from '../../shared/contract';
import { checkpointMarker, currentModelEvaluations } from '../../shared/model-evaluations';
import { percent, table } from './format';
import { runLabel } from './run-label';

export const HEADLINE_EPSILON = 0.2;
export const PGD_STEPS = 20;

export const RESULT_COLUMNS = ['model', 'clean', 'FGSM ε0.2 (transfer from base)', 'FGSM ε0.2 white-box', 'PGD-20 ε0.2 white-box', 'AutoAttack ε0.2'] as const;

export interface ResultRow {
  runId: string;
  model: string;
  status: string;
  /** The checkpoint whose weights the numbers are of; null: the run's saved model. */
  modelEpoch: number | null;
  clean: number | null;
  fgsmTransfer: number | null;
  fgsmWhiteBox: number | null;
  pgdWhiteBox: number | null;
  /** White-box AutoAttack at ε 0.2, the headline attack (null when the suite has none). */
  autoAttack: number | null;
}

const sameEps = (a: number, b: number) => Math.abs(a - b) < 1e-9;

function find(evals: readonly EvaluationRecord[], pred: (e: EvaluationRecord) => boolean): number | null {
  const hits = evals.filter(pred);
  return hits.length ? hits[hits.length - 1]!.accuracy : null;
}

/** One row per run, of the model that speaks for it; for the base run, FGSM transferred from the base is its own white-box FGSM. */
export function resultRows(runs: readonly RunDetail[]): ResultRow[] {
  const baseId = runs.find((r) => r.role === 'base')?.id ?? null;
  return runs.map((run) => {
    const evals = currentModelEvaluations(run.evaluations);
    const fgsm = (e: EvaluationRecord) => e.attack === 'fgsm' && e.norm === 'infinity' && sameEps(e.epsilon, HEADLINE_EPSILON);
    const whiteBox = find(evals, (e) => fgsm(e) && e.sourceRunId === null);
    const transfer = run.id === baseId ? whiteBox : baseId === null ? null : find(evals, (e) => fgsm(e) && e.sourceRunId === baseId);
    return {
      runId: run.id,
      model: runLabel(run),
      status: run.status,
      modelEpoch: evals[0]?.modelEpoch ?? null,
      clean: find(evals, (e) => e.attack === 'clean') ?? run.cleanAccuracy,
      fgsmTransfer: transfer,
      fgsmWhiteBox: whiteBox,
      pgdWhiteBox: find(evals, (e) => e.attack === 'pgd' && e.norm === 'infinity' && e.steps === PGD_STEPS && sameEps(e.epsilon, HEADLINE_EPSILON) && e.sourceRunId === null),
      autoAttack: find(evals, (e) => e.attack === 'autoattack' && e.norm === 'infinity' && sameEps(e.epsilon, HEADLINE_EPSILON) && e.sourceRunId === null),
    };
  });
}

export function resultTable(rows: readonly ResultRow[]): string {
  return table(
    RESULT_COLUMNS,
    rows.map((r) => [`${r.model}${r.status === 'completed' ? '' : ` (${r.status})`}${r.modelEpoch === null ? '' : ` · ${checkpointMarker(r.modelEpoch)}`}`, percent(r.clean), percent(r.fgsmTransfer), percent(r.fgsmWhiteBox), percent(r.pgdWhiteBox), percent(r.autoAttack)]),
  );
}
