// What trained a run, as the runs table, the run page and Compare show it: the defence's name and method, its
// parameters, and the cost of training (the epochs' time, without evaluation, and optimizer steps per second).
import { type BatchMetrics, type EarlyStop, type EpochMetrics, type RunConfig, type RunSummary } from '../../../shared/contract';
import { DEFENCE_INFO, defenceLabel, gradientPassesPerStep, runDefence, type Defence, type DefenceMethod } from '../../../shared/defences';
import { fieldLabel, NSL_OVERRIDE_FIELDS, paramFields, showValue } from './defence-rows';

/** A run's defence: the recorded one, its role's meaning for runs stored before defences, null for an imported model. */
export function defenceOfRun(run: Pick<RunSummary, 'role' | 'kind' | 'defence'> & { config?: Pick<RunConfig, 'defence'> }): Defence | null {
  if (run.kind === 'imported' || run.defence === null) return null;
  return runDefence({ role: run.role, defence: run.defence ?? run.config?.defence });
}

/** The one defence method of every run that has one; 'mixed' when they differ; undefined when none has one. */
export function commonMethod(runs: readonly Parameters<typeof defenceOfRun>[0][]): DefenceMethod | 'mixed' | undefined {
  const methods = new Set(runs.flatMap((r) => defenceOfRun(r)?.method ?? []));
  return methods.size === 0 ? undefined : methods.size === 1 ? [...methods][0] : 'mixed';
}

/** "PGD-AT" for a defence named by its method, "nsl-pgd · NSL" for a labelled one ("adv · NSL" for the tutorial's). */
export function defenceTitle(d: Pick<Defence, 'method' | 'label'>): string {
  const title = DEFENCE_INFO[d.method].title;
  const label = defenceLabel(d);
  return label === d.method ? title : `${label} · ${title}`;
}

/** The short text for a run's defence in tables and chart legends; "imported" for a model the lab did not train. */
export function runDefenceText(run: Parameters<typeof defenceOfRun>[0]): string {
  const d = defenceOfRun(run);
  return d ? defenceTitle(d) : 'imported';
}

/** A run's short name within its experiment, as in run names: "base", its defence label ("adv", "pgd-at"), or "imported". */
export function runShortLabel(run: Parameters<typeof defenceOfRun>[0]): string {
  const d = defenceOfRun(run);
  return !d ? 'imported' : run.role === 'base' ? 'base' : defenceLabel(d);
}

export interface ParamLine {
  key: string;
  label: string;
  value: string;
}

/** The parameters that trained a run: the defence's own, and for NSL the advReg it ran with (overrides merged in). */
export function defenceParams(d: Defence, advReg: RunConfig['advReg']): ParamLine[] {
  if (d.method === 'nsl') {
    const a = advReg as Record<string, unknown>;
    return NSL_OVERRIDE_FIELDS.filter((f) => a[f] !== undefined).map((f) => ({ key: `advReg.${f}`, label: fieldLabel(f), value: showValue(a[f]) }));
  }
  const given = d as Record<string, unknown>;
  return paramFields(d.method).map((f) => ({ key: f, label: fieldLabel(f), value: given[f] === undefined ? (d.method === 'fast-at' && f === 'alpha' ? '1.25·ε' : '—') : showValue(given[f]) }));
}

export interface TrainingCost {
  /** Sum of the finished epochs' durations (training only; evaluation after training is not in it); null before the first. */
  trainingMs: number | null;
  /** Optimizer steps taken in those epochs; null when no batch metrics were recorded. */
  steps: number | null;
  stepsPerSecond: number | null;
}

/**
 * The training cost from what the store records per epoch: each epoch's duration, and its batch points (the last
 * batch of every epoch is always among them, so the largest step is the number of steps taken).
 */
export function trainingCost(epochs: readonly EpochMetrics[], batches: readonly BatchMetrics[]): TrainingCost {
  if (epochs.length === 0) return { trainingMs: null, steps: null, stepsPerSecond: null };
  const trainingMs = epochs.reduce((s, e) => s + e.durationMs, 0);
  const finished = new Set(epochs.map((e) => e.epoch));
  const steps = batches.reduce<number | null>((m, b) => (finished.has(b.epoch) && (m === null || b.step > m) ? b.step : m), null);
  const stepsPerSecond = steps !== null && trainingMs > 0 ? steps / (trainingMs / 1000) : null;
  return { trainingMs, steps, stepsPerSecond };
}

/** Forward + backward passes per training batch, the defence's cost unit (NSL: 1 + its PGD iterations). */
export function passesPerStep(d: Defence, advReg: RunConfig['advReg']): number {
  return gradientPassesPerStep(d, advReg.pgdIterations);
}

/** A seed group's cost: the mean over its runs that have each number. */
export function meanCost(costs: readonly TrainingCost[]): TrainingCost {
  const mean = (xs: (number | null)[]): number | null => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length;
  };
  return { trainingMs: mean(costs.map((c) => c.trainingMs)), steps: mean(costs.map((c) => c.steps)), stepsPerSecond: mean(costs.map((c) => c.stepsPerSecond)) };
}

/** "12.4 steps/s" */
export function rateText(stepsPerSecond: number | null): string {
  if (stepsPerSecond === null) return '—';
  return `${stepsPerSecond >= 100 ? Math.round(stepsPerSecond) : +stepsPerSecond.toPrecision(3)} steps/s`;
}

/** "Stopped early after epoch 7 of 12, keeping epoch 5's weights": a guard (Fast-AT's) ended training. */
export function earlyStopText(stop: EarlyStop, plannedEpochs: number): string {
  return `Stopped early after epoch ${stop.afterEpoch} of ${plannedEpochs}, keeping epoch ${stop.keptEpoch}'s weights`;
}
