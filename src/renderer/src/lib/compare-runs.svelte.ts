// The Compare page's data: 2–10 runs with their per-epoch and per-batch metrics, refreshed as they change.
import { type BatchMetrics, type RunSummary } from '../../../shared/contract';
import { getLab } from '../api/lab';
import { type ComparedRun } from './compare-data';
import { debounce } from './debounce';
import { errorText } from './format';

export const MIN_COMPARE = 2;
/**
 * As many runs as the chart palette (charts/series.ts, Tableau 10) has colours: every run keeps a colour of its own in
 * the curves, the tables' swatches and the chips. More would repeat colours.
 */
export const MAX_COMPARE = 10;

export interface ComparedRunWithBatches extends ComparedRun {
  batches: BatchMetrics[];
}

export class CompareRuns {
  runs = $state.raw<ComparedRunWithBatches[]>([]);
  candidates = $state.raw<RunSummary[]>([]);
  loading = $state(true);
  error = $state<string | null>(null);
  private readonly refresh = debounce(() => void this.load(), 400);

  constructor(readonly ids: readonly string[]) {}

  async load(): Promise<void> {
    const lab = getLab();
    try {
      const [runs, candidates] = await Promise.all([
        Promise.all(
          this.ids.map(async (runId) => {
            const [run, batches] = await Promise.all([lab.getRun({ runId }), lab.getMetrics({ runId, granularity: 'batch' })]);
            return { run, epochs: run.epochMetrics, evaluations: run.evaluations, batches: batches.batches };
          }),
        ),
        lab.listRuns({ limit: 1000 }),
      ]);
      this.runs = runs;
      this.candidates = candidates.filter((r) => !this.ids.includes(r.id));
      this.error = null;
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.loading = false;
    }
  }

  live(): () => void {
    const lab = getLab();
    const mine = (runId: string) => this.ids.includes(runId);
    const offs = [
      lab.onEpochEnd((e) => mine(e.runId) && this.refresh()),
      lab.onRunStatus((e) => mine(e.runId) && this.refresh()),
      lab.onEvaluation((e) => mine(e.runId) && this.refresh()),
    ];
    return () => {
      this.refresh.cancel();
      for (const off of offs) off();
    };
  }
}
