// Progress display for long jobs: a redrawn bar on a terminal, periodic plain lines when output is a pipe or file.
import { type ProgressEvent } from '../../shared/contract';
import { duration, num, percent } from './format';

export interface ProgressOutput {
  write(text: string): void;
  /** Redraw in place (a TTY) or print a line every `intervalMs` (anything else). */
  isTTY: boolean;
  columns?: number;
}

const BAR_WIDTH = 24;

/** One bar per job (a model's training or an evaluation); call done() before the next bar starts. */
export class ProgressBar {
  private lastLineAt = 0;
  private lastEpoch = -1;
  private drawn = false;
  private last: ProgressEvent | null = null;

  constructor(
    private readonly out: ProgressOutput,
    private readonly label: string,
    private readonly intervalMs = 2000,
    private readonly now: () => number = () => Date.now(),
  ) {}

  update(e: ProgressEvent): void {
    this.last = e;
    if (this.out.isTTY) {
      const line = this.render(e);
      const cols = this.out.columns ?? 100;
      this.out.write(`\r${line.length >= cols ? line.slice(0, cols - 1) : line}\x1b[K`);
      this.drawn = true;
      return;
    }
    // Without a terminal, every epoch start gets a line, and in between at most one per interval.
    const t = this.now();
    if (e.epoch !== this.lastEpoch || t - this.lastLineAt >= this.intervalMs) {
      this.lastEpoch = e.epoch;
      this.lastLineAt = t;
      this.out.write(`${this.render(e)}\n`);
    }
  }

  /** Ends the bar with a final line (`summary`, or the last state). */
  done(summary?: string): void {
    const text = summary ?? (this.last ? this.render(this.last) : `${this.label}`);
    if (this.out.isTTY && this.drawn) this.out.write(`\r${text}\x1b[K\n`);
    else this.out.write(`${text}\n`);
    this.drawn = false;
  }

  render(e: ProgressEvent): string {
    const fraction = e.batches > 0 ? Math.min(1, e.batch / e.batches) : 0;
    const filled = Math.round(fraction * BAR_WIDTH);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
    const where = e.phase === 'train' ? `epoch ${e.epoch}/${e.epochs} batch ${e.batch}/${e.batches}` : `attack batch ${e.batch}/${e.batches}`;
    const parts = [this.label, bar, where];
    if (e.loss !== null) parts.push(`loss ${num(e.loss)}`);
    if (e.accuracy !== null) parts.push(`acc ${percent(e.accuracy, 1)}`);
    parts.push(`ETA ${e.etaSeconds === null ? '—' : duration(e.etaSeconds * 1000)}`);
    return parts.join('  ');
  }
}
