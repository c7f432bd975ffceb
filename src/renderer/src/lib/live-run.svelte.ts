// One run's data for the Run page, kept current from lab events: detail, per-epoch and per-batch metrics, progress.
import { type BatchMetrics, type EpochMetrics, type ProgressEvent, type RunDetail } from '../../../shared/contract';
import { getLab } from '../api/lab';
import { debounce } from './debounce';
import { errorText } from './format';
import { mergeBatches, upsertEpoch } from './run-progress';

export class LiveRun {
  detail = $state<RunDetail | null>(null);
  epochs = $state.raw<EpochMetrics[]>([]);
  batches = $state.raw<BatchMetrics[]>([]);
  progress = $state<ProgressEvent | null>(null);
  loading = $state(true);
  error = $state<string | null>(null);
  private pendingBatches: BatchMetrics[] = [];
  private loadingNow = false;
  private readonly reloadDetail = debounce(() => void this.loadDetail(), 200);

  constructor(readonly runId: string) {}

  async load(): Promise<void> {
    this.loadingNow = true;
    this.pendingBatches = [];
    try {
      const lab = getLab();
      const [detail, epochs, batches] = await Promise.all([
        lab.getRun({ runId: this.runId }),
        lab.getMetrics({ runId: this.runId, granularity: 'epoch' }),
        lab.getMetrics({ runId: this.runId, granularity: 'batch' }),
      ]);
      this.detail = detail;
      this.epochs = epochs.epochs.length ? epochs.epochs : detail.epochMetrics;
      this.batches = mergeBatches(batches.batches, this.pendingBatches);
      this.error = null;
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.loadingNow = false;
      this.pendingBatches = [];
      this.loading = false;
    }
  }

  private async loadDetail(): Promise<void> {
    try {
      this.detail = await getLab().getRun({ runId: this.runId });
    } catch (err) {
      this.error = errorText(err);
    }
  }

  live(): () => void {
    const lab = getLab();
    const offs = [
      lab.onProgress((p) => {
        if (p.runId !== this.runId) return;
        this.progress = p;
        if (p.phase === 'train' && p.metrics && p.step !== undefined) {
          const b: BatchMetrics = { epoch: p.epoch, batch: p.batch, step: p.step, metrics: p.metrics };
          if (this.loadingNow) this.pendingBatches.push(b);
          else this.batches = mergeBatches(this.batches, [b]);
        }
        if (this.detail && this.detail.status === 'queued') this.reloadDetail();
      }),
      lab.onEpochEnd((e) => {
        if (e.runId !== this.runId) return;
        this.epochs = upsertEpoch(this.epochs, { epoch: e.epoch, metrics: e.metrics, durationMs: e.durationMs });
        this.reloadDetail();
      }),
      lab.onRunStatus((e) => {
        if (e.runId !== this.runId) return;
        if (e.status !== 'running' && e.status !== 'queued') this.progress = null;
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
