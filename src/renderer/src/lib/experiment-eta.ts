// What is left of an experiment: its running run's ETA as the engine reports it, plus the lab's estimate of each run
// still queued (estimateExperiment, the same numbers `rlab run` prints). An estimate, so it reads "about …".
import { type RunStatus } from '../../../shared/contract';
import { formatDuration, type ExperimentEstimate } from '../../../shared/cost-estimate';

export interface ExperimentEta {
  /** Seconds left, or null when a part of it cannot be estimated yet. */
  seconds: number | null;
  running: number;
  queued: number;
  /** "about 3 min left · 1 running, 2 queued" */
  text: string;
}

/**
 * `runs` in the experiment's order (the order its runs were created, which is the estimate's); `eta` the latest
 * seconds-left the engine reported per running run, and `phase` whether it is still training (its attacks then follow).
 * Null when no run of the experiment is queued or running.
 */
export function experimentEta(
  runs: readonly { id: string; status: RunStatus }[],
  estimate: Pick<ExperimentEstimate, 'runs'> | null,
  live: ReadonlyMap<string, { etaSeconds: number | null; phase: 'train' | 'evaluate' }>,
): ExperimentEta | null {
  const perRun = estimate && estimate.runs.length === runs.length ? estimate.runs : null;
  let seconds: number | null = 0;
  let running = 0;
  let queued = 0;
  runs.forEach((r, i) => {
    const est = perRun?.[i];
    if (r.status === 'running') {
      running += 1;
      const p = live.get(r.id);
      if (!p || p.etaSeconds === null) seconds = null;
      else if (seconds !== null) seconds += p.etaSeconds + (p.phase === 'train' && est ? est.evaluationSecondsAtMost : 0);
    } else if (r.status === 'queued') {
      queued += 1;
      if (!est) seconds = null;
      else if (seconds !== null) seconds += est.trainingSeconds + est.evaluationSecondsAtMost;
    }
  });
  if (running + queued === 0) return null;
  const counts = [running ? `${running} running` : '', queued ? `${queued} queued` : ''].filter(Boolean).join(', ');
  const left = seconds === null ? 'time left not known yet' : `${formatDuration(seconds)} left`;
  return { seconds, running, queued, text: `Experiment: ${left} · ${counts}` };
}
