// The CLI's view of seed groups: every number as mean ± sample std with n, one row per role (and per epoch).
import { type SeedGroup, type SeedStat } from '../../shared/seed-stats';
import { num, percent, table } from './format';

/** "57.70% ± 5.11 pp (n=3)"; a single seed has no spread: "57.70% (n=1)". */
export function percentStat(s: SeedStat | undefined): string {
  if (!s || s.n === 0) return '—';
  const spread = s.std === null ? '' : ` ± ${(100 * s.std).toFixed(2)} pp`;
  return `${percent(s.mean)}${spread} (n=${s.n})`;
}

/** "0.1234 ± 0.0100 (n=3)" for losses and other unbounded metrics. */
export function numberStat(s: SeedStat | undefined): string {
  if (!s || s.n === 0) return '—';
  return `${num(s.mean)}${s.std === null ? '' : ` ± ${num(s.std)}`} (n=${s.n})`;
}

const isFraction = (metric: string): boolean => /acc/.test(metric);
const metricStat = (metric: string, s: SeedStat | undefined): string => (isFraction(metric) ? percentStat(s) : numberStat(s));

/** A group as the CLI names runs (run-label.ts): "base", or the adv runs' defence label ("adv" for NSL). */
function groupLabel(g: SeedGroup): string {
  return g.role === 'base' || g.defence === '' ? g.role : g.defence;
}

/** One row per measurement (clean, then every attack), one column per defence; each cell mean ± std (n). The table `rlab run --seeds` ends with. */
export function seedResultTable(groups: readonly SeedGroup[]): string {
  const labels: string[] = [];
  for (const g of groups) for (const e of g.evaluations) if (!labels.includes(e.label)) labels.push(e.label);
  return table(
    ['attack', ...groups.map((g) => `${groupLabel(g)} (seeds ${g.members.map((m) => m.seed).join(',')})`)],
    labels.map((l) => [l, ...groups.map((g) => percentStat(g.evaluations.find((e) => e.label === l)))]),
  );
}

/** One role's training curves: epochs × metrics, each cell mean ± std (n). */
export function seedEpochTable(group: SeedGroup): string {
  const names: string[] = [];
  for (const e of group.epochs) for (const k of Object.keys(e.metrics)) if (!names.includes(k)) names.push(k);
  return table(['epoch', ...names], group.epochs.map((e) => [String(e.epoch), ...names.map((n) => metricStat(n, e.metrics[n]))]));
}

/** Everything `rlab show <experiment>` adds for an experiment with several seeds. */
export function describeSeedGroups(groups: readonly SeedGroup[]): string {
  const lines = ['seed groups (mean ± sample std over seeds; per-seed values with --json)', '', seedResultTable(groups)];
  for (const g of groups) {
    if (g.headline) lines.push('', `${groupLabel(g)} headline  ${g.headline.label}: ${percentStat(g.headline)}`);
    if (g.epochs.length) lines.push('', `${groupLabel(g)} per epoch`, seedEpochTable(g));
    const failed = g.members.filter((m) => m.status !== 'completed');
    if (failed.length) lines.push(`${groupLabel(g)}: not completed: ${failed.map((m) => `seed ${m.seed} ${m.runId} ${m.status}`).join(', ')}`);
  }
  return lines.join('\n');
}
