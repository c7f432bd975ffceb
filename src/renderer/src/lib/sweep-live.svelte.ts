// The Sweeps pages' data, kept current: the list of sweeps, and one sweep's detail. Both reload (debounced) when a run
// of theirs changes status, and poll every few seconds while something may still move, as a net under lost events.
import { type SweepDetail, type SweepStatus, type SweepSummary } from '../../../shared/sweep-contract';
import { getLab } from '../api/lab';
import { debounce } from './debounce';
import { errorText } from './format';

/** Statuses in which runs may still start or finish without anyone asking. */
export const ACTIVE_SWEEP: ReadonlySet<SweepStatus> = new Set(['queued', 'running', 'paused']);
export const SWEEP_POLL_MS = 5000;

/** Polls `tick` every `ms` while `active()` says so; returns the stop for an $effect cleanup. */
function poll(tick: () => void, active: () => boolean, ms = SWEEP_POLL_MS): () => void {
  const timer = setInterval(() => {
    if (active()) tick();
  }, ms);
  return () => clearInterval(timer);
}

export class SweepsList {
  sweeps = $state.raw<SweepSummary[]>([]);
  loading = $state(true);
  error = $state<string | null>(null);
  private readonly refresh = debounce(() => void this.load(), 400);

  async load(): Promise<void> {
    try {
      this.sweeps = await getLab().listSweeps({});
      this.error = null;
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.loading = false;
    }
  }

  live(): () => void {
    const off = getLab().onRunStatus(() => this.refresh());
    const stop = poll(
      () => this.refresh(),
      () => this.sweeps.some((s) => ACTIVE_SWEEP.has(s.status)),
    );
    return () => {
      this.refresh.cancel();
      off();
      stop();
    };
  }
}

export class LiveSweep {
  detail = $state.raw<SweepDetail | null>(null);
  loading = $state(true);
  error = $state<string | null>(null);
  /** A cancel or resume on its way. */
  acting = $state(false);
  actionError = $state<string | null>(null);
  /** Counts loads so an older answer never replaces a newer one. */
  private generation = 0;
  private readonly refresh = debounce(() => void this.load(), 300);

  constructor(readonly sweepId: string) {}

  async load(): Promise<void> {
    const mine = ++this.generation;
    try {
      const d = await getLab().getSweep({ sweepId: this.sweepId });
      if (mine !== this.generation) return;
      this.detail = d;
      this.error = null;
    } catch (err) {
      if (mine === this.generation) this.error = errorText(err);
    } finally {
      this.loading = false;
    }
  }

  live(): () => void {
    const lab = getLab();
    // the cells' experiments, and the one of the base runs they share when they do
    const mine = (experimentId: string) => {
      const d = this.detail;
      return d !== null && (d.baseExperimentId === experimentId || d.cells.some((c) => c.experimentId === experimentId));
    };
    const owns = (runId: string) => {
      const d = this.detail;
      return d !== null && (d.baseRuns.some((r) => r.id === runId) || d.cells.some((c) => c.runs.some((r) => r.id === runId)));
    };
    const offs = [
      lab.onRunStatus((e) => {
        if (mine(e.experimentId)) this.refresh();
      }),
      // a run's numbers arrive with its evaluations, before it is marked completed
      lab.onEvaluation((e) => {
        if (owns(e.runId)) this.refresh();
      }),
    ];
    const stop = poll(
      () => this.refresh(),
      () => this.detail !== null && ACTIVE_SWEEP.has(this.detail.status),
    );
    return () => {
      this.refresh.cancel();
      for (const off of offs) off();
      stop();
    };
  }

  async act(what: 'cancel' | 'resume'): Promise<void> {
    this.acting = true;
    this.actionError = null;
    try {
      const lab = getLab();
      const d = what === 'cancel' ? await lab.cancelSweep({ sweepId: this.sweepId }) : await lab.resumeSweep({ sweepId: this.sweepId });
      ++this.generation;
      this.detail = d;
    } catch (err) {
      this.actionError = errorText(err);
    } finally {
      this.acting = false;
    }
  }
}
