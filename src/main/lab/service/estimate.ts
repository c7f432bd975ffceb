// estimateExperiment: what a config will cost before it starts, at the speed this lab's own finished runs trained at.
import { type LabParsedRequest } from '../../../shared/contract';
import { estimateExperiment, forwardMacs, trainingPassesPerImage, type ExperimentEstimate } from '../../../shared/cost-estimate';
import { runDefence } from '../../../shared/defences';
import { type Store } from '../store';
import { plannedRunsOf } from './run-config';
import { underConfig } from './config-errors';

/** How many of the newest finished trained runs the speed is measured on. */
const CALIBRATION_RUNS = 20;

/**
 * Runs whose model is within this factor of the estimated one's multiply-adds per image: a tiny model spends its time
 * on per-operation overhead (one finished 4-filter quick run made the Defences preset look like 300 hours).
 */
export const CALIBRATION_SIZE_FACTOR = 4;

/**
 * Nanoseconds per multiply-add of a gradient pass on this lab's engine: the median over its newest finished trained
 * runs of a model size like `macsPerImage` (within CALIBRATION_SIZE_FACTOR) of (training time of their epochs) /
 * (multiply-adds their defence needed). Undefined without such runs.
 */
export function measuredNsPerMac(store: Store, macsPerImage: number): number | undefined {
  const runs = store.listRuns({ status: ['completed'], limit: 200 }).filter((r) => r.kind !== 'imported');
  const speeds: number[] = [];
  for (const summary of runs) {
    if (speeds.length === CALIBRATION_RUNS) break;
    const { config } = store.getRun(summary.id);
    const macs = forwardMacs(config.hparams);
    if (Math.max(macs / macsPerImage, macsPerImage / macs) > CALIBRATION_SIZE_FACTOR) continue;
    const epochs = store.getMetrics(summary.id, 'epoch').epochs;
    const ms = epochs.reduce((s, e) => s + e.durationMs, 0);
    if (epochs.length === 0 || !(ms > 0)) continue;
    const passes = epochs.length * config.data.trainSize * trainingPassesPerImage(runDefence(config), config.advReg.pgdIterations);
    speeds.push((ms * 1e6) / (passes * 3 * macs));
  }
  if (speeds.length === 0) return undefined;
  speeds.sort((a, b) => a - b);
  return speeds[Math.floor(speeds.length / 2)];
}

export function estimateMethod(store: Store) {
  return ({ config }: LabParsedRequest<'estimateExperiment'>): ExperimentEstimate => {
    let planned: ReturnType<typeof plannedRunsOf>;
    try {
      planned = plannedRunsOf(config);
    } catch (err) {
      throw underConfig(err);
    }
    return estimateExperiment(config, planned, measuredNsPerMac(store, forwardMacs(config.hparams)));
  };
}
