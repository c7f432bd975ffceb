// Search, filter and sort of the Experiments table; pure functions over RunSummary.
import { type RunStatus, type RunSummary } from '../../../shared/contract';
import { comparableHeadlines, type Headline, referenceHeadline } from '../../../shared/headline';
import { runDefenceText } from './run-defence';
import { type ColumnKey, hparamValue, isHParamKey } from './runs-columns';
import { type AdvBaseDelta } from './runs-groups';

/** The run's name or any sortable column (every column but the tags). */
export type SortKey = 'name' | Exclude<ColumnKey, 'tags'>;
export type SortDir = 'asc' | 'desc';

/** Text columns start ascending (A first), numbers and dates descending (best, newest first). */
export function defaultSortDir(key: SortKey): SortDir {
  return key === 'name' || key === 'status' || key === 'defence' || key === 'norm' ? 'asc' : 'desc';
}

export interface RunFilter {
  search: string;
  statuses: readonly RunStatus[];
  tag: string | null;
}

export const ALL_STATUSES: readonly RunStatus[] = ['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted'];

/** Case-insensitive match of every whitespace-separated word against name, experiment, role, defence, id and tags. */
export function matchesSearch(run: RunSummary, search: string): boolean {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const hay = [run.name, run.experimentName, run.role, runDefenceText(run), run.id, run.experimentId, run.backend ?? '', ...run.tags].join(' ').toLowerCase();
  return words.every((w) => hay.includes(w));
}

export function filterRuns(runs: readonly RunSummary[], f: RunFilter): RunSummary[] {
  return runs.filter(
    (r) => (f.statuses.length === 0 || f.statuses.includes(r.status)) && (!f.tag || r.tags.includes(f.tag)) && matchesSearch(r, f.search),
  );
}

function key(run: RunSummary, k: SortKey, reference: Headline | null, deltas: ReadonlyMap<string, AdvBaseDelta>): string | number | null {
  // a robust accuracy measured differently (attack, ε, test images) from the reference is not ranked against it
  if (k === 'robustAccuracy' && reference !== null && !comparableHeadlines(run.headline, reference)) return null;
  if (k === 'deltaClean') return deltas.get(run.id)?.clean ?? null;
  if (k === 'deltaRobust') return deltas.get(run.id)?.robust ?? null;
  if (isHParamKey(k)) return hparamValue(run, k);
  const v = run[k];
  return v === undefined ? null : v;
}

/** Whether a run's robust accuracy can be ranked against the headline most of `runs` share. */
export function isComparable(run: RunSummary, runs: readonly RunSummary[]): boolean {
  const reference = referenceHeadline(runs);
  return reference === null || comparableHeadlines(run.headline, reference);
}

/**
 * Stable sort; missing values (null) go last whatever the direction, and so do incomparable robust accuracies.
 * `deltas` (advBaseDeltas of every run) rank the adv − base columns.
 */
export function sortRuns(runs: readonly RunSummary[], k: SortKey, dir: SortDir, deltas: ReadonlyMap<string, AdvBaseDelta> = new Map()): RunSummary[] {
  const sign = dir === 'asc' ? 1 : -1;
  const reference = k === 'robustAccuracy' ? referenceHeadline(runs) : null;
  return runs
    .map((r, i) => ({ r, i }))
    .sort((a, b) => {
      const va = key(a.r, k, reference, deltas);
      const vb = key(b.r, k, reference, deltas);
      if (va === null && vb === null) return a.i - b.i;
      if (va === null) return 1;
      if (vb === null) return -1;
      const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
      return c !== 0 ? c * sign : a.i - b.i;
    })
    .map(({ r }) => r);
}

export function allTags(runs: readonly RunSummary[]): string[] {
  return [...new Set(runs.flatMap((r) => r.tags))].sort((a, b) => a.localeCompare(b));
}

export const isActive = (status: RunStatus): boolean => status === 'queued' || status === 'running';
