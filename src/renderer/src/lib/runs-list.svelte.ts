// The Experiments page's data: every run, refreshed when the lab reports a status change or a finished epoch, and
// the experiments they belong to (name, id, creation time of each group's header), fetched again only when a run of
// an experiment not seen yet appears.
import { type ExperimentSummary, type RunSummary } from '../../../shared/contract';
import { getLab } from '../api/lab';
import { debounce } from './debounce';
import { errorText } from './format';

export class RunsList {
  runs = $state<RunSummary[]>([]);
  experiments = $state.raw<ExperimentSummary[]>([]);
  loading = $state(true);
  error = $state<string | null>(null);
  private readonly refresh = debounce(() => void this.load(), 250);

  async load(): Promise<void> {
    try {
      const runs = await getLab().listRuns({ limit: 100_000 });
      const known = new Set(this.experiments.map((e) => e.id));
      if (runs.some((r) => !known.has(r.experimentId))) {
        // the headers fall back to the runs' own names and times when the list is unavailable
        this.experiments = await getLab()
          .listExperiments({})
          .catch(() => this.experiments);
      }
      this.runs = runs;
      this.error = null;
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.loading = false;
    }
  }

  /** Subscribes to the events that change the table; returns the unsubscribe for an $effect cleanup. */
  live(): () => void {
    const lab = getLab();
    const offs = [
      lab.onRunStatus(() => this.refresh()),
      lab.onEpochEnd(() => this.refresh()),
      lab.onEvaluation(() => this.refresh()),
      lab.onProgress((p) => {
        const run = this.runs.find((r) => r.id === p.runId);
        // epochsDone moves with the epoch-end event; progress only keeps a visibly running row current
        if (run && run.status === 'queued') this.refresh();
      }),
    ];
    return () => {
      this.refresh.cancel();
      for (const off of offs) off();
    };
  }
}
