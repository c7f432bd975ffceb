// Whether a chart may draw its y axis on a log scale (line-chart.ts draws it, with logTickLabel's ticks).
import { type Series } from './series';

export type LogEligibility = { ok: true; title: string } | { ok: false; title: string };

/**
 * Losses may go on a log scale (their decay over orders of magnitude is what it shows); accuracies in [0, 1] stay
 * linear, and so does any chart with a plotted value ≤ 0 (a log axis cannot place it). The title says which.
 */
export function logScaleEligibility(series: readonly Series[], fraction: boolean): LogEligibility {
  if (fraction) return { ok: false, title: 'Log scale is off for accuracies: they lie in [0, 1], where a log axis only stretches the low end' };
  const bad = series.find((s) => s.points.some((p) => Number.isFinite(p.y) && p.y <= 0));
  if (bad) return { ok: false, title: `Log scale needs values above 0: ${bad.band ? `${bad.label.replace(/ [−+]std \(band\)$/, '')}'s ±std band reaches` : `${bad.label.replace(/ \(raw\)$/, '')} has`} a value ≤ 0` };
  return { ok: true, title: 'Log scale on the y axis' };
}
