// Seed groups: the runs of one experiment, role and defence over several seeds, summarised as mean ± sample std with the
// per-seed values kept, for every epoch metric, every evaluation (by attack spec and ε) and the headline.
import { attackLabel } from './attacks';
import { type EvaluationRecord, type RunDetail, type RunRole } from './contract';
import { defenceLabel, runDefence, type Defence } from './defences';
import { headlineKey, headlineName } from './headline';

/** One seed's value of a statistic, with the run it came from. */
export interface SeedValue {
  seed: number;
  runId: string;
  value: number;
}

export interface SeedStat {
  mean: number;
  /** Sample standard deviation (n − 1 in the denominator); null when n < 2. */
  std: number | null;
  n: number;
  /** In seed order of the experiment. */
  values: SeedValue[];
}

/** Where an evaluation's perturbations came from, relative to its run: white-box, its seed's base run, or a named run. */
export type EvaluationSource = 'self' | 'base' | string;

export interface SeedEvaluationStat extends SeedStat {
  /** Equal for evaluations of the same attack, norm, ε, steps, restarts and source; stable across runs. */
  key: string;
  /** e.g. "PGD-20 ∞ ε0.2", "FGSM ∞ ε0.2 (transfer from base)", "clean". */
  label: string;
  /** 'ensemble': robust only against every attack of a suite at that ε (the run's ensembles). */
  attack: EvaluationRecord['attack'] | 'ensemble';
  norm: EvaluationRecord['norm'];
  epsilon: number;
  steps: number;
  restarts: number;
  source: EvaluationSource;
}

export interface SeedGroup {
  experimentId: string;
  role: RunRole;
  /** The defence label of its runs ('standard' for base runs, '' for imported models): one group per defence of an experiment. */
  defence: string;
  /** One member per run, in the experiment's seed order. */
  members: { seed: number; runId: string; status: RunDetail['status'] }[];
  /** Per epoch number (ascending), each metric over the runs that finished that epoch. */
  epochs: { epoch: number; metrics: Record<string, SeedStat> }[];
  /** The last finished epoch of each run, per metric. */
  final: Record<string, SeedStat>;
  /** Clean accuracy first, then the attacks in the order first seen. */
  evaluations: SeedEvaluationStat[];
  /** The headline robust accuracy over the runs whose headlines are comparable (same attack, ε and test images); null otherwise. */
  headline: (SeedStat & { label: string }) | null;
}

/** Mean and sample standard deviation; std null for a single value. Non-finite values must be filtered out before. */
export function meanStd(xs: readonly number[]): { mean: number; std: number | null; n: number } {
  const n = xs.length;
  if (n === 0) return { mean: NaN, std: null, n: 0 };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, std: null, n };
  const ss = xs.reduce((a, x) => a + (x - mean) ** 2, 0);
  return { mean, std: Math.sqrt(ss / (n - 1)), n };
}

/** Mean ± std of per-seed values, keeping them. */
export function statOf(values: SeedValue[]): SeedStat {
  return { ...meanStd(values.map((v) => v.value)), values };
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const roundEps = (x: number): number => Number(x.toPrecision(9));

function sourceOf(e: EvaluationRecord, baseRunIds: ReadonlySet<string>): EvaluationSource {
  if (e.sourceRunId === null) return 'self';
  return baseRunIds.has(e.sourceRunId) ? 'base' : e.sourceRunId;
}

/** The key and label that group one evaluation with the same measurement on the other seeds' runs. */
export function evaluationKey(e: EvaluationRecord, baseRunIds: ReadonlySet<string>): { key: string; label: string; source: EvaluationSource } {
  const source = e.attack === 'clean' ? 'self' : sourceOf(e, baseRunIds);
  // queries tell Square attacks apart (they take no steps); evaluations stored without a spec have none
  const key = JSON.stringify(e.attack === 'clean' ? ['clean'] : [e.attack, e.norm, roundEps(e.epsilon), e.steps, e.restarts, source, e.spec?.queries ?? 0]);
  const name = e.attack === 'clean' ? 'clean' : attackLabel(e.spec ?? { attack: e.attack, norm: e.norm, epsilon: e.epsilon, steps: e.steps, restarts: e.restarts, queries: 0 });
  const from = source === 'self' ? '' : source === 'base' ? ' (transfer from base)' : ` (transfer from ${source})`;
  return { key, label: `${name}${from}`, source };
}

/** A run's evaluations of its saved model: a checkpoint's numbers (a run evaluated before training finished) are never averaged with final models'. */
const finalModelOnly = <T extends { modelEpoch?: number | null }>(xs: readonly T[]): T[] => xs.filter((x) => x.modelEpoch == null);

/** The latest evaluation per key of one run's saved model (a re-evaluation replaces the earlier number). */
function latestByKey(run: RunDetail, baseRunIds: ReadonlySet<string>): Map<string, { e: EvaluationRecord; label: string; source: EvaluationSource }> {
  const out = new Map<string, { e: EvaluationRecord; label: string; source: EvaluationSource }>();
  for (const e of finalModelOnly(run.evaluations)) {
    const k = evaluationKey(e, baseRunIds);
    const prev = out.get(k.key);
    if (!prev || prev.e.id < e.id) out.set(k.key, { e, label: k.label, source: k.source });
  }
  return out;
}

function groupOf(experimentId: string, role: RunRole, runs: RunDetail[], baseRunIds: ReadonlySet<string>): SeedGroup {
  const members = runs.map((r) => ({ seed: r.seed, runId: r.id, status: r.status }));

  const byEpoch = new Map<number, Map<string, SeedValue[]>>();
  const final = new Map<string, SeedValue[]>();
  for (const r of runs) {
    for (const m of r.epochMetrics) {
      const metrics = byEpoch.get(m.epoch) ?? new Map<string, SeedValue[]>();
      byEpoch.set(m.epoch, metrics);
      for (const [name, value] of Object.entries(m.metrics)) if (finite(value)) metrics.set(name, [...(metrics.get(name) ?? []), { seed: r.seed, runId: r.id, value }]);
    }
    const last = r.epochMetrics.reduce<RunDetail['epochMetrics'][number] | null>((a, m) => (a === null || m.epoch > a.epoch ? m : a), null);
    if (last) for (const [name, value] of Object.entries(last.metrics)) if (finite(value)) final.set(name, [...(final.get(name) ?? []), { seed: r.seed, runId: r.id, value }]);
  }
  const record = (m: Map<string, SeedValue[]>): Record<string, SeedStat> => Object.fromEntries([...m].map(([k, v]) => [k, statOf(v)]));
  const epochs = [...byEpoch].sort(([a], [b]) => a - b).map(([epoch, metrics]) => ({ epoch, metrics: record(metrics) }));

  const evals = new Map<string, { e: EvaluationRecord; label: string; source: EvaluationSource; values: SeedValue[] }>();
  for (const r of runs) {
    for (const [key, { e, label, source }] of latestByKey(r, baseRunIds)) {
      const entry = evals.get(key) ?? { e, label, source, values: [] };
      entry.values.push({ seed: r.seed, runId: r.id, value: e.accuracy });
      evals.set(key, entry);
    }
  }
  const evaluations = [...evals].map(([key, { e, label, source, values }]): SeedEvaluationStat => ({
    ...statOf(values), key, label, attack: e.attack, norm: e.norm, epsilon: e.epsilon, steps: e.steps, restarts: e.restarts, source,
  }));
  evaluations.push(...ensemblesOf(runs, baseRunIds));
  evaluations.sort((a, b) => Number(b.attack === 'clean') - Number(a.attack === 'clean'));

  return { experimentId, role, defence: seedGroupDefence(runs[0]!), members, epochs, final: record(final), evaluations, headline: headlineOf(runs) };
}

/** An ensemble's member evaluations among its run's evaluations; null when one of them is missing. */
export function ensembleMembers(e: RunDetail['ensembles'][number], evaluations: readonly EvaluationRecord[]): EvaluationRecord[] | null {
  const members = e.evaluationIds.map((id) => evaluations.find((x) => x.id === id)).filter((x): x is EvaluationRecord => x !== undefined);
  return members.length === e.evaluationIds.length ? members : null;
}

/** The key and label that group an ensemble with the same ensemble on the other seeds' runs: its members' keys. */
export function ensembleKey(members: readonly EvaluationRecord[], baseRunIds: ReadonlySet<string>): { key: string; label: string } {
  const keyed = members.map((m) => evaluationKey(m, baseRunIds)).sort((a, b) => a.key.localeCompare(b.key));
  return { key: JSON.stringify(['ensemble', ...keyed.map((k) => k.key)]), label: `ensemble of ${keyed.map((k) => k.label).sort().join(' + ')}` };
}

/**
 * Each run's ensembles, grouped by what they combine: their member evaluations keyed as above, so an ensemble with a
 * transfer attack from its own seed's base matches the same ensemble of the other seeds.
 */
function ensemblesOf(runs: readonly RunDetail[], baseRunIds: ReadonlySet<string>): SeedEvaluationStat[] {
  const byKey = new Map<string, { e: RunDetail['ensembles'][number]; label: string; values: SeedValue[] }>();
  for (const r of runs) {
    for (const e of finalModelOnly(r.ensembles ?? [])) {
      const members = ensembleMembers(e, r.evaluations);
      if (members === null) continue;
      const { key, label } = ensembleKey(members, baseRunIds);
      const entry = byKey.get(key) ?? { e, label, values: [] };
      if (!entry.values.some((v) => v.runId === r.id)) entry.values.push({ seed: r.seed, runId: r.id, value: e.accuracy });
      byKey.set(key, entry);
    }
  }
  return [...byKey].map(([key, { e, label, values }]) => ({
    ...statOf(values), key, label, attack: 'ensemble' as const, norm: e.norm, epsilon: e.epsilon, steps: 0, restarts: 0, source: 'self',
  }));
}

/**
 * The headline robust accuracy over runs of one seed group (any objects with a run's id, seed and headline, so the
 * runs list can use it too): mean ± std named "…, N seeds"; null when none has a headline or their headlines differ.
 */
export function headlineOf(runs: readonly Pick<RunDetail, 'id' | 'seed' | 'headline'>[]): SeedGroup['headline'] {
  const withHeadline = runs.filter((r) => r.headline != null);
  if (withHeadline.length === 0) return null;
  const first = withHeadline[0]!.headline!;
  if (!withHeadline.every((r) => headlineKey(r.headline!) === headlineKey(first))) return null;
  const stat = statOf(withHeadline.map((r) => ({ seed: r.seed, runId: r.id, value: r.headline!.accuracy })));
  return { ...stat, label: headlineName(first, stat.n) };
}

/** The defence part of a seed group's key: its label ('standard' for base runs, '' for an imported model). */
export function seedGroupDefence(r: { role: RunRole; defence?: Defence | null | undefined }): string {
  return r.defence === null ? '' : defenceLabel(runDefence({ role: r.role, defence: r.defence }));
}

/** Runs with the same key belong to one seed group: one experiment, role and defence. */
export function seedGroupKey(r: Pick<RunDetail, 'experimentId' | 'role' | 'defence'>): string {
  return `${r.experimentId}\u0000${r.role}\u0000${seedGroupDefence(r)}`;
}

/**
 * The seed groups among `runs`: one per (experiment, role, defence), members in the order given (the experiment's seed order
 * when given as the store lists them). A role with a single seed still forms a group of one, so callers can treat
 * every experiment alike. Transfer attacks from any base run (those in `runs`, or `baseRunIds` when `runs` holds
 * only some of an experiment's runs) share one key: each adv run transfers from its own seed's base.
 */
export function seedGroups(runs: readonly RunDetail[], baseRunIds: Iterable<string> = runs.filter((r) => r.role === 'base').map((r) => r.id)): SeedGroup[] {
  const bases = new Set(baseRunIds);
  const byKey = new Map<string, RunDetail[]>();
  for (const r of runs) {
    const k = seedGroupKey(r);
    byKey.set(k, [...(byKey.get(k) ?? []), r]);
  }
  return [...byKey.values()].map((members) => groupOf(members[0]!.experimentId, members[0]!.role, members, bases));
}

/** Whether any group has runs over more than one seed (the only case where mean ± std is worth showing). */
export function hasSeedSpread(groups: readonly SeedGroup[]): boolean {
  return groups.some((g) => new Set(g.members.map((m) => m.seed)).size > 1);
}
