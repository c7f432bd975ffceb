// Follows runs to the end: one progress bar per model from the event stream, with polling as a safety net for missed
// events; a client whose host goes away stops with that error.
import { type ProgressEvent, type RunDetail, type RunStatus, type RunSummary } from '../../shared/contract';
import { type LabError } from '../../shared/errors';
import { type CliIo, type CliLab } from './context';
import { ProgressBar } from './progress';
import { runLabel } from './run-label';

export const FINAL_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'cancelled', 'interrupted'];
const POLL_MS = 1000;

export function isFinal(status: RunStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

export interface RunWatch {
  /** Starts following these runs (events that arrived since the watch was created are replayed). */
  follow(runs: readonly (Pick<RunSummary, 'id' | 'role' | 'name'> & { seed?: number; defence?: RunSummary['defence'] })[]): Promise<RunDetail[]>;
  stop(): void;
}

/**
 * Subscribe before the runs are created (so no early event is lost), then `follow` them. Progress for a run shows a
 * bar labelled with its role; the bar ends when the run reaches a final status, with that status and its accuracy.
 */
export function watchRuns(lab: CliLab, io: CliIo, options: { quiet?: boolean } = {}): RunWatch {
  const early: ProgressEvent[] = [];
  let labels = new Map<string, string>();
  let following = false;
  let bar: { runId: string; bar: ProgressBar } | null = null;
  let wake: (() => void) | null = null;
  const out = { write: (t: string) => io.err(t), isTTY: io.errIsTTY, columns: io.columns };

  const endBar = (summary?: string) => {
    bar?.bar.done(summary);
    bar = null;
  };
  const onProgress = (e: ProgressEvent) => {
    if (!following) {
      early.push(e);
      return;
    }
    const label = labels.get(e.runId);
    if (label === undefined || options.quiet) return;
    if (bar?.runId !== e.runId) {
      endBar();
      bar = { runId: e.runId, bar: new ProgressBar(out, label) };
    }
    bar.bar.update(e);
  };
  const offs = [
    lab.onProgress(onProgress),
    lab.onRunStatus((e) => {
      if (isFinal(e.status)) wake?.();
    }),
    lab.onLog((e) => {
      if (options.quiet || e.level === 'info' || (e.runId !== undefined && !labels.has(e.runId))) return;
      endBar();
      io.err(`${e.level}: ${e.message}\n`);
    }),
  ];

  let lost: LabError | null = null;
  const offLost = lab.onLost?.((err) => {
    lost = err;
    wake?.();
  });
  const stop = () => {
    for (const off of offs.splice(0)) off();
    offLost?.();
    wake?.();
  };

  const follow = async (runs: readonly (Pick<RunSummary, 'id' | 'role' | 'name'> & { seed?: number; defence?: RunSummary['defence'] })[]): Promise<RunDetail[]> => {
    // runs over several seeds are told apart by their seed
    const severalSeeds = new Set(runs.map((r) => r.seed)).size > 1;
    labels = new Map(runs.map((r) => [r.id, severalSeeds ? `${runLabel(r)} seed ${r.seed}` : runLabel(r)]));
    following = true;
    for (const e of early.splice(0)) onProgress(e);
    const pending = new Set(runs.map((r) => r.id));
    const details = new Map<string, RunDetail>();
    while (pending.size > 0) {
      if (lost) {
        endBar();
        throw lost;
      }
      for (const id of [...pending]) {
        // Events say when to look; getRun says what is true, so a missed event only costs one poll interval.
        const run = await lab.getRun({ runId: id }).catch((err: unknown) => {
          // a call cut off by the lost connection: the lost connection is what to report
          throw lost ?? err;
        });
        if (!isFinal(run.status)) continue;
        pending.delete(id);
        details.set(id, run);
        const line = summaryLine(run, labels.get(id) ?? runLabel(run));
        if (bar?.runId === id) endBar(line);
        else if (!options.quiet) io.err(`${line}\n`);
      }
      if (pending.size === 0 || offs.length === 0) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, POLL_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
    endBar();
    return runs.map((r) => details.get(r.id)).filter((d): d is RunDetail => d !== undefined);
  };

  return { follow, stop };
}

function summaryLine(run: RunDetail, label: string): string {
  const acc = run.cleanAccuracy === null ? '' : `  clean acc ${(100 * run.cleanAccuracy).toFixed(2)}%`;
  const took = run.durationMs === null ? '' : `  ${(run.durationMs / 1000).toFixed(1)}s`;
  const why = run.error ? `: ${run.error}` : '';
  return `${label} ${run.id} ${run.status}${acc}${took}${why}`;
}
