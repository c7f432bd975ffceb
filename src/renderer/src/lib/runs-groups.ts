// The Experiments table's grouping by experiment (two experiments of one name are two groups, told apart by id and
// creation time) and its "adv − base" deltas: each adv run's clean and robust accuracy minus those of its
// experiment's base run of the same seed. Pure functions over RunSummary.
import { type ExperimentSummary, type RunSummary } from '../../../shared/contract';
import { headlineName } from '../../../shared/headline';

export interface ExperimentGroup {
  experimentId: string;
  name: string;
  /** The experiment's creation time; its earliest run's when the experiment list lacks it. */
  createdAt: string;
  runs: RunSummary[];
}

/**
 * The runs by experiment, keeping their order: a group stands where its first run is (so sorting by a column orders
 * the groups by their best run), and its runs follow in that order.
 */
export function groupByExperiment(runs: readonly RunSummary[], experiments: readonly Pick<ExperimentSummary, 'id' | 'name' | 'createdAt'>[] = []): ExperimentGroup[] {
  const byId = new Map<string, ExperimentGroup>();
  const known = new Map(experiments.map((e) => [e.id, e]));
  for (const r of runs) {
    let g = byId.get(r.experimentId);
    if (!g) {
      const e = known.get(r.experimentId);
      g = { experimentId: r.experimentId, name: e?.name ?? r.experimentName, createdAt: e?.createdAt ?? r.createdAt, runs: [] };
      byId.set(r.experimentId, g);
    }
    g.runs.push(r);
    if (!known.has(r.experimentId) && r.createdAt < g.createdAt) g.createdAt = r.createdAt;
  }
  return [...byId.values()];
}

export interface AdvBaseDelta {
  baseRunId: string;
  baseRunName: string;
  /** adv − base clean accuracy (a fraction); null when either has none. */
  clean: number | null;
  /** adv − base headline robust accuracy; null when either has none or they were measured at another ε or on other images. */
  robust: number | null;
  /** Why the robust delta is missing or only approximate (different attacks); null when both headlines are alike. */
  robustNote: string | null;
}

/** Whether two headlines measure the same threat (norm, ε) on the same test images; the attacks run may differ. */
function sameThreat(a: NonNullable<RunSummary['headline']>, b: NonNullable<RunSummary['headline']>): boolean {
  return a.norm === b.norm && a.epsilon === b.epsilon && a.count === b.count && a.dataset === b.dataset && a.indicesHash === b.indicesHash;
}

function robustDelta(adv: RunSummary, base: RunSummary): Pick<AdvBaseDelta, 'robust' | 'robustNote'> {
  if (adv.robustAccuracy === null || base.robustAccuracy === null) return { robust: null, robustNote: null };
  const a = adv.headline;
  const b = base.headline;
  if (!a || !b) return { robust: adv.robustAccuracy - base.robustAccuracy, robustNote: null };
  if (!sameThreat(a, b)) return { robust: null, robustNote: `not comparable: adv ${headlineName(a)}, base ${headlineName(b)}` };
  const note = a.attack === b.attack ? null : `attacks differ: adv ${a.attack}, base ${b.attack}`;
  return { robust: adv.robustAccuracy - base.robustAccuracy, robustNote: note };
}

/**
 * For each adv run (role 'adv', trained) whose experiment has a base run of the same seed: the deltas against that
 * base run. Runs without such a base run get no entry. Give every run the lab lists, not only those shown, so that a
 * filter hiding the base run keeps the delta.
 */
export function advBaseDeltas(runs: readonly RunSummary[]): Map<string, AdvBaseDelta> {
  const bases = new Map<string, RunSummary>();
  for (const r of runs) {
    if (r.role !== 'base' || r.kind === 'imported') continue;
    const k = `${r.experimentId}\u0000${r.seed}`;
    if (!bases.has(k)) bases.set(k, r);
  }
  const out = new Map<string, AdvBaseDelta>();
  for (const r of runs) {
    if (r.role !== 'adv' || r.kind === 'imported') continue;
    const base = bases.get(`${r.experimentId}\u0000${r.seed}`);
    if (!base) continue;
    const clean = r.cleanAccuracy !== null && base.cleanAccuracy !== null ? r.cleanAccuracy - base.cleanAccuracy : null;
    out.set(r.id, { baseRunId: base.id, baseRunName: base.name, clean, ...robustDelta(r, base) });
  }
  return out;
}

/** A delta in percentage points, signed: "+43.8 pp", "−1.2 pp", "0.0 pp"; "—" for none. */
export function deltaText(d: number | null | undefined, digits = 1): string {
  if (d === null || d === undefined || !Number.isFinite(d)) return '—';
  const p = Number((d * 100).toFixed(digits));
  const text = Math.abs(p).toFixed(digits);
  return p > 0 ? `+${text} pp` : p < 0 ? `−${text} pp` : `${text} pp`;
}
