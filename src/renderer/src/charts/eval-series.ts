// Accuracy-vs-ε curves from evaluation records: one curve per attack setting, white-box and transfer kept apart.
import { attackName } from '../../../shared/attacks';
import { type EvaluationRecord } from '../../../shared/contract';
import { type Series, color } from './series';

export interface CurveKey {
  /** The attack as run without its radius, e.g. "PGD-20 ×5 L∞": the same settings at every ε form one curve. */
  attack: string;
  norm: string;
  sourceRunId: string | null;
}

export interface EvalCurve {
  key: CurveKey;
  label: string;
  transfer: boolean;
  points: { x: number; y: number }[];
}

const NORM_LABEL: Record<string, string> = { infinity: 'L∞', l2: 'L2' };

/** "PGD-20 L∞", "APGD-T-100 L2", "AutoAttack L∞": the attack as run (from its stored spec), without ε. */
export function attackLabel(e: Pick<EvaluationRecord, 'attack' | 'norm' | 'steps'> & Partial<Pick<EvaluationRecord, 'spec' | 'restarts'>>): string {
  if (e.attack === 'clean') return 'clean';
  const name = attackName(e.spec ?? { attack: e.attack, steps: e.steps, restarts: e.restarts ?? 1, queries: 0 });
  return `${name} ${NORM_LABEL[e.norm] ?? e.norm}`;
}

/** "white-box" or "transfer from <name>" (the name comes from the caller, who knows the runs). */
export function sourceLabel(sourceRunId: string | null, nameOf: (runId: string) => string): string {
  return sourceRunId === null ? 'white-box' : `transfer from ${nameOf(sourceRunId)}`;
}

/**
 * Groups a run's evaluations into curves sorted by ε. The clean accuracy (an attack 'clean' record, or the run's
 * own clean accuracy) is the ε = 0 point of every curve that has none, since every attack starts from it.
 */
export function evalCurves(evals: readonly EvaluationRecord[], nameOf: (runId: string) => string, cleanAccuracy: number | null = null): EvalCurve[] {
  const clean = evals.find((e) => e.attack === 'clean')?.accuracy ?? cleanAccuracy;
  const groups = new Map<string, EvalCurve>();
  for (const e of evals) {
    if (e.attack === 'clean') continue;
    const key: CurveKey = { attack: attackLabel(e), norm: e.norm, sourceRunId: e.sourceRunId };
    const id = JSON.stringify(key);
    let curve = groups.get(id);
    if (!curve) {
      curve = { key, label: `${attackLabel(e)} · ${sourceLabel(e.sourceRunId, nameOf)}`, transfer: e.sourceRunId !== null, points: [] };
      groups.set(id, curve);
    }
    // a repeated evaluation at the same ε replaces the older one
    const at = curve.points.findIndex((p) => p.x === e.epsilon);
    if (at >= 0) curve.points[at] = { x: e.epsilon, y: e.accuracy };
    else curve.points.push({ x: e.epsilon, y: e.accuracy });
  }
  const curves = [...groups.values()];
  for (const c of curves) {
    if (clean !== null && clean !== undefined && !c.points.some((p) => p.x === 0)) c.points.push({ x: 0, y: clean });
    c.points.sort((a, b) => a.x - b.x);
  }
  return curves.sort((a, b) => Number(a.transfer) - Number(b.transfer) || a.label.localeCompare(b.label));
}

/** Series for one run: white-box solid, transfer dashed, colours per curve. */
export function evalSeries(curves: readonly EvalCurve[], prefix = '', colorOffset = 0): Series[] {
  return curves.map((c, i) => ({
    label: prefix ? `${prefix} · ${c.label}` : c.label,
    color: color(colorOffset + i),
    dashed: c.transfer,
    markers: true,
    points: c.points,
  }));
}
