// Accuracy-vs-ε curves from evaluation records: one curve per attack setting (or ensemble), white-box and transfer
// kept apart, all of the one model that speaks for the run (its final model, else its latest evaluated checkpoint).
// Points carry the shared seed key of their measurement, so seed groups can draw their mean with a band.
import { attackName } from '../../../shared/attacks';
import { type EnsembleRecord, type EvaluationRecord } from '../../../shared/contract';
import { checkpointMarker, currentModelEpoch, currentModelEvaluations } from '../../../shared/model-evaluations';
import { ensembleKey, ensembleMembers, evaluationKey, type EvaluationSource } from '../../../shared/seed-stats';
import { type Series, color } from './series';

export interface EvalCurve {
  /** "PGD-20 L∞ · white-box": the attack as run without its radius (the same settings at every ε form one curve) and its source. */
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

/** One point of a run's accuracy-vs-ε charts: an attack or an ensemble at one ε. */
export interface EvalMeasure {
  /** The chart it belongs on: the attack without ε ("PGD-20 L∞"), or an ensemble's members ("ensemble of FGSM L∞ + PGD-20 L∞ transfer"). */
  chart: string;
  ensemble: boolean;
  /** Where the perturbations came from; 'base' for a seed's own base run (see seed-stats' evaluationKey). */
  source: EvaluationSource;
  sourceRunId: string | null;
  epsilon: number;
  /** The shared seed key (src/shared/seed-stats.ts): equal for the same measurement on another seed's run. */
  key: string;
  accuracy: number;
}

/** " · epoch 3 checkpoint" for a checkpoint's evaluation; '' for the saved model's. */
export function modelSuffix(e: Pick<EvaluationRecord, 'modelEpoch'>): string {
  return e.modelEpoch == null ? '' : ` · ${checkpointMarker(e.modelEpoch)}`;
}

/** " · epoch 3 checkpoint" when the numbers that speak for a run are a checkpoint's; '' for its final model. */
export function checkpointSuffix(evals: readonly Pick<EvaluationRecord, 'modelEpoch'>[]): string {
  const epoch = currentModelEpoch(evals.map((e) => e.modelEpoch));
  return epoch === null ? '' : ` · ${checkpointMarker(epoch)}`;
}

/**
 * A run's attack evaluations of the model that speaks for it (the latest per measurement: a re-evaluation replaces
 * the earlier number) and that model's ensembles, each at its ε. `baseRunIds` make transfers from each seed's own
 * base run one source.
 */
export function evalMeasures(run: { evaluations: readonly EvaluationRecord[]; ensembles?: readonly EnsembleRecord[] }, baseRunIds: ReadonlySet<string> = new Set()): EvalMeasure[] {
  const byKey = new Map<string, { id: number; m: EvalMeasure }>();
  const own = currentModelEvaluations(run.evaluations);
  const model = own[0]?.modelEpoch ?? null;
  for (const e of own) {
    if (e.attack === 'clean') continue;
    const k = evaluationKey(e, baseRunIds);
    const prev = byKey.get(k.key);
    if (prev && prev.id > e.id) continue;
    byKey.set(k.key, { id: e.id, m: { chart: attackLabel(e), ensemble: false, source: k.source, sourceRunId: e.sourceRunId, epsilon: e.epsilon, key: k.key, accuracy: e.accuracy } });
  }
  const out = [...byKey.values()].map((v) => v.m);
  for (const en of run.ensembles ?? []) {
    if ((en.modelEpoch ?? null) !== model) continue;
    const members = ensembleMembers(en, run.evaluations);
    if (members === null) continue;
    const { key } = ensembleKey(members, baseRunIds);
    if (out.some((m) => m.key === key)) continue;
    const parts = [...new Set(members.map((m) => `${attackLabel(m)}${m.sourceRunId === null ? '' : ' transfer'}`))].sort();
    out.push({ chart: `ensemble of ${parts.join(' + ')}`, ensemble: true, source: 'self', sourceRunId: null, epsilon: en.epsilon, key, accuracy: en.accuracy });
  }
  return out;
}

/** Measures of one curve (one chart and source), sorted by ε; one per ε (the last given wins). */
export interface MeasureCurve {
  chart: string;
  ensemble: boolean;
  source: EvaluationSource;
  sourceRunId: string | null;
  transfer: boolean;
  points: { x: number; key: string; y: number }[];
}

/** Groups measures into curves (per chart and source): white-box curves first, then transfers, each in the order first seen. */
export function measureCurves(measures: readonly EvalMeasure[]): MeasureCurve[] {
  const curves = new Map<string, MeasureCurve>();
  for (const m of measures) {
    const id = JSON.stringify([m.chart, m.source]);
    const c = curves.get(id) ?? { chart: m.chart, ensemble: m.ensemble, source: m.source, sourceRunId: m.sourceRunId, transfer: m.sourceRunId !== null, points: [] };
    curves.set(id, c);
    const at = c.points.findIndex((p) => p.x === m.epsilon);
    const point = { x: m.epsilon, key: m.key, y: m.accuracy };
    if (at >= 0) c.points[at] = point;
    else c.points.push(point);
  }
  for (const c of curves.values()) c.points.sort((a, b) => a.x - b.x);
  return [...curves.values()].sort((a, b) => Number(a.transfer) - Number(b.transfer));
}

/**
 * Groups a run's evaluations into curves sorted by ε. The clean accuracy (an attack 'clean' record, or the run's
 * own clean accuracy) is the ε = 0 point of every curve that has none, since every attack starts from it.
 */
export function evalCurves(evals: readonly EvaluationRecord[], nameOf: (runId: string) => string, cleanAccuracy: number | null = null): EvalCurve[] {
  const clean = cleanOf(evals, cleanAccuracy);
  const marker = checkpointSuffix(evals);
  const curves = measureCurves(evalMeasures({ evaluations: evals })).map((c): EvalCurve => {
    const points = c.points.map((p) => ({ x: p.x, y: p.y }));
    if (clean !== null && !points.some((p) => p.x === 0)) points.unshift({ x: 0, y: clean });
    return { label: `${c.chart} · ${sourceLabel(c.sourceRunId, nameOf)}${marker}`, transfer: c.transfer, points };
  });
  return curves.sort((a, b) => Number(a.transfer) - Number(b.transfer) || a.label.localeCompare(b.label));
}

/** The clean accuracy of a run: its clean evaluation (the latest, of the model that speaks for it), else the accuracy stored with the run. */
export function cleanOf(evals: readonly EvaluationRecord[], cleanAccuracy: number | null): number | null {
  const clean = currentModelEvaluations(evals).filter((e) => e.attack === 'clean').reduce<EvaluationRecord | null>((a, e) => (a === null || e.id > a.id ? e : a), null);
  return clean?.accuracy ?? (cleanAccuracy !== null && Number.isFinite(cleanAccuracy) ? cleanAccuracy : null);
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
