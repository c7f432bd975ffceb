// One run's data for the Run page, kept current from lab events: detail, per-epoch and per-batch metrics, progress.
// The batch charts converge to the store: its sampled points of every finished epoch (reloaded at each epoch's end
// and when the run ends), and the live progress points only for the epoch still training, which the store has not
// recorded yet. So a page opened mid-run, one open from the start and a reload afterwards show the same points.
import { type BatchMetrics, type EpochMetrics, type ProgressEvent, type RunDetail } from '../../../shared/contract';
import { getLab } from '../api/lab';
import { debounce } from './debounce';
import { errorText } from './format';
import { liveBatches, pruneLive, upsertEpoch } from './run-progress';

export class LiveRun {
  detail = $state<RunDetail | null>(null);
  epochs = $state.raw<EpochMetrics[]>([]);
  /** Batch points as the store has them. */
  stored = $state.raw<BatchMetrics[]>([]);
  /** Progress points of the epoch in training (not in the store yet). */
  livePoints = $state.raw<BatchMetrics[]>([]);
  /** The last epoch whose metrics the store returned. */
  private storedEpochs = $state(0);
  batches = $derived(liveBatches(this.stored, this.livePoints, this.storedEpochs));
  progress = $state<ProgressEvent | null>(null);
  loading = $state(true);
  error = $state<string | null>(null);
  /** Counts metric reloads so an older answer never replaces a newer one. */
  private metricsGeneration = 0;
  private readonly reloadDetail = debounce(() => void this.loadDetail(), 200);

  constructor(readonly runId: string) {}

  async load(): Promise<void> {
    try {
      const lab = getLab();
      const [detail] = await Promise.all([lab.getRun({ runId: this.runId }), this.loadMetrics()]);
      this.detail = detail;
      if (!this.epochs.length && detail.epochMetrics.length) this.epochs = detail.epochMetrics;
      this.error = null;
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.loading = false;
    }
  }

  /** Reloads epoch metrics and batch points from the store; live points of epochs it now has are dropped. */
  async loadMetrics(): Promise<void> {
    const generation = ++this.metricsGeneration;
    const m = await getLab().getMetrics({ runId: this.runId, granularity: 'batch' });
    if (generation !== this.metricsGeneration) return;
    this.storedEpochs = m.epochs.reduce((n, e) => Math.max(n, e.epoch), 0);
    this.stored = m.batches;
    this.epochs = m.epochs;
    this.livePoints = pruneLive(this.livePoints, m.batches, this.storedEpochs);
  }

  private async loadDetail(): Promise<void> {
    try {
      this.detail = await getLab().getRun({ runId: this.runId });
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private reloadMetrics(): void {
    this.loadMetrics().catch((err: unknown) => (this.error = errorText(err)));
  }

  live(): () => void {
    const lab = getLab();
    const offs = [
      lab.onProgress((p) => {
        if (p.runId !== this.runId) return;
        this.progress = p;
        if (p.phase === 'train' && p.metrics && p.step !== undefined) {
          this.livePoints = [...this.livePoints, { epoch: p.epoch, batch: p.batch, step: p.step, metrics: p.metrics }];
        }
        if (this.detail && this.detail.status === 'queued') this.reloadDetail();
      }),
      lab.onEpochEnd((e) => {
        if (e.runId !== this.runId) return;
        // shown at once; the reload brings the epoch's stored batch points in place of the live ones
        this.epochs = upsertEpoch(this.epochs, { epoch: e.epoch, metrics: e.metrics, durationMs: e.durationMs });
        this.reloadMetrics();
        this.reloadDetail();
      }),
      lab.onRunStatus((e) => {
        if (e.runId !== this.runId) return;
        if (e.status !== 'running' && e.status !== 'queued') {
          // ended (completed, cancelled, failed, interrupted): the abandoned epoch's live points go, the store's stay
          this.progress = null;
          this.livePoints = [];
          this.reloadMetrics();
        }
        this.reloadDetail();
      }),
      lab.onEvaluation((e) => {
        if (e.runId === this.runId) this.reloadDetail();
      }),
    ];
    return () => {
      this.reloadDetail.cancel();
      for (const off of offs) off();
    };
  }
}
