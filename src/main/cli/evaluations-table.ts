// Evaluations as the CLI prints them (`rlab eval`, `rlab show`): every number with its complete attack spec, image
// count and 95% interval, the per-ε ensemble of all attacks, and "possibly overstated" for a flagged number.
import { flagSummary } from '../../shared/sanity-flags';
import { attackSettings as specDetails } from '../../shared/attacks';
import { type EnsembleRecord, type EvaluationRecord } from '../../shared/contract';
import { headlineName, type Headline } from '../../shared/headline';
import { checkpointMarker } from '../../shared/model-evaluations';
import { attackLabel } from '../lab/store/headline';
import { percent, table } from './format';

const pctInterval = (i: { low: number; high: number }): string => `${(100 * i.low).toFixed(1)}–${(100 * i.high).toFixed(1)}%`;

function images(e: Pick<EvaluationRecord, 'count' | 'subset'>): string {
  return e.subset ? `${e.count} ${e.subset.dataset} #${e.subset.indicesHash.slice(0, 8)}` : `${e.count}`;
}

const source = (e: EvaluationRecord): string => (e.attack === 'clean' ? '—' : (e.sourceRunId ?? 'white-box'));

/** The attack as run, marked "(epoch N checkpoint)" when a checkpoint's weights were evaluated instead of the saved model. */
const named = (e: Pick<EvaluationRecord, 'modelEpoch'>, name: string): string => (e.modelEpoch == null ? name : `${name} (${checkpointMarker(e.modelEpoch)})`);

/** One row per evaluation: id, attack as run, its settings, source, accuracy, interval, images, zero-gradient fraction. */
export function evaluationsTable(evals: readonly EvaluationRecord[]): string {
  return table(
    ['#', 'attack', 'settings', 'source', 'accuracy', '95% CI', 'images', 'zero grad', 'flags'],
    evals.map((e) => [
      String(e.id),
      named(e, attackLabel(e)),
      e.spec ? specDetails(e.spec) : '—',
      source(e),
      percent(e.accuracy),
      pctInterval(e.interval),
      images(e),
      e.zeroGradFraction === null ? '—' : percent(e.zeroGradFraction, 1),
      flagSummary(e.flags),
    ]),
  );
}

/** "ensemble (all attacks)" per ε: robust only if an example survives every attack at that ε on that subset. */
export function ensemblesTable(ensembles: readonly EnsembleRecord[]): string {
  return table(
    ['ensemble (all attacks)', 'accuracy', '95% CI', 'images', 'attacks'],
    ensembles.map((x) => [
      named(x, `${x.norm === 'infinity' ? '∞' : 'L2'} ε${Number(x.epsilon.toPrecision(6))}`),
      percent(x.accuracy),
      pctInterval(x.interval),
      `${x.count} ${x.subset.dataset} #${x.subset.indicesHash.slice(0, 8)}`,
      x.attacks.join(' + '),
    ]),
  );
}

/** The components of each AutoAttack, e.g. "#12 AutoAttack ∞ ε0.2: APGD-CE 91.2% → APGD-T 90.8% → Square 90.8%". */
export function componentLines(evals: readonly EvaluationRecord[]): string[] {
  const names: Record<string, string> = { 'apgd-ce': 'APGD-CE', 'apgd-t': 'APGD-T', square: 'Square' };
  return evals.filter((e) => e.components.length > 0).map((e) => `#${e.id} ${named(e, attackLabel(e))}: ${e.components.map((c) => `${names[c.attack] ?? c.attack} ${percent(c.accuracy)}`).join(' → ')}`);
}

/** One line per flagged evaluation ("possibly overstated", "stayed at chance"), with the reasons. */
export function flagLines(evals: readonly EvaluationRecord[]): string[] {
  return evals.filter((e) => e.flags.length > 0).map((e) => `#${e.id} ${named(e, attackLabel(e))} ${percent(e.accuracy)}: ${e.flags.map((f) => f.reason).join('; ')}`);
}

/** The whole block `rlab show` prints for a run's evaluations. */
export function evaluationsBlock(evals: readonly EvaluationRecord[], ensembles: readonly EnsembleRecord[]): string {
  const parts = [evaluationsTable(evals)];
  if (ensembles.length) parts.push('', ensemblesTable(ensembles));
  const extra = [...componentLines(evals), ...flagLines(evals)];
  if (extra.length) parts.push('', ...extra);
  return parts.join('\n');
}

/** A run's headline for `rlab show`: "41.20% (38.9–43.5%) AutoAttack ∞ ε0.2, 2,000 images", flagged when a check failed. */
export function headlineText(h: Headline | null): string {
  if (h === null) return '— (no attack at the headline ε)';
  const flagged = h.flags.length ? `; ${h.flags.join('; ')}` : '';
  return `${percent(h.accuracy)} (95% CI ${pctInterval(h.interval)}) ${headlineName(h)} #${h.indicesHash.slice(0, 8)}${flagged}`;
}

/** The evaluations one `rlab eval` added: each with its complete spec, interval, images and flags. */
export function accuracyTable(evals: readonly EvaluationRecord[]): string {
  const sorted = [...evals].sort((a, b) => a.epsilon - b.epsilon);
  return [evaluationsTable(sorted), ...componentLines(sorted), ...flagLines(sorted)].join('\n');
}
