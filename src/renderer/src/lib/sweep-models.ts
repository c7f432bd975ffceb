// Which trained model of each sweep cell a chart reads (the base run, a defence, or each cell's own defence when a
// `defence` axis changes it from cell to cell), the best cell by that model, and the runs Compare opens for a cell.
// The numbers themselves are src/shared/sweep-results.ts's, the same `rlab sweep show` prints.
import { type RunSummary } from '../../../shared/contract';
import { groupLabel, type CellGroup, type CellResult, type Stat } from '../../../shared/sweep-results';

/** The model key that reads each cell's first adversarially trained model, whatever its defence. */
export const DEFENDED = '*defended';

export interface ModelChoice {
  key: string;
  label: string;
}

export const modelLabel = (key: string): string => (key === DEFENDED ? "defended (each cell's defence)" : key);
/** For column headers: `defended` for DEFENDED. */
export const modelShortLabel = (key: string): string => (key === DEFENDED ? 'defended' : key);

/**
 * The models a sweep's charts can show: every group label in the order first seen (base first); when cells differ in
 * which defences they trained (a defence axis), DEFENDED as well, right after base.
 */
export function modelChoices(results: readonly CellResult[]): ModelChoice[] {
  const labels: string[] = [];
  for (const c of results) for (const g of c.groups) if (!labels.includes(g.label)) labels.push(g.label);
  const advSets = new Set(results.filter((c) => c.groups.length > 0).map((c) => JSON.stringify(c.groups.filter((g) => g.role === 'adv').map((g) => g.label))));
  const anyAdv = results.some((c) => c.groups.some((g) => g.role === 'adv'));
  const keys = anyAdv && advSets.size > 1 ? [...labels.filter((l) => l === 'base'), DEFENDED, ...labels.filter((l) => l !== 'base')] : labels;
  return keys.map((key) => ({ key, label: modelLabel(key) }));
}

/** What a chart shows first: each cell's defence when that varies, else the first defended model, else base. */
export function defaultModel(results: readonly CellResult[]): string {
  const choices = modelChoices(results);
  if (choices.some((c) => c.key === DEFENDED)) return DEFENDED;
  const adv = results.flatMap((c) => c.groups).find((g) => g.role === 'adv');
  return adv?.label ?? choices[0]?.key ?? 'base';
}

/** The models a line chart overlays: base and each cell's defence when that varies, else every model. */
export function chartModels(results: readonly CellResult[]): string[] {
  const keys = modelChoices(results).map((c) => c.key);
  return keys.includes(DEFENDED) ? keys.filter((k) => k === 'base' || k === DEFENDED) : keys;
}

export function groupOf(cell: Pick<CellResult, 'groups'>, key: string): CellGroup | null {
  return (key === DEFENDED ? cell.groups.find((g) => g.role === 'adv') : cell.groups.find((g) => g.label === key)) ?? null;
}

export const robustOf = (cell: Pick<CellResult, 'groups'>, key: string): Stat | null => groupOf(cell, key)?.robust ?? null;
export const cleanOf = (cell: Pick<CellResult, 'groups'>, key: string): Stat | null => groupOf(cell, key)?.clean ?? null;

/** Highest robust mean among done cells, ties by the higher clean mean, then the earlier cell; null when none has one. */
export function bestCell(results: readonly CellResult[], key: string): CellResult | null {
  let best: { cell: CellResult; robust: number; clean: number } | null = null;
  for (const cell of results) {
    if (cell.status !== 'done') continue;
    const robust = robustOf(cell, key)?.mean;
    if (robust === undefined) continue;
    const clean = cleanOf(cell, key)?.mean ?? -Infinity;
    if (best === null || robust > best.robust || (robust === best.robust && clean > best.clean)) best = { cell, robust, clean };
  }
  return best?.cell ?? null;
}

/**
 * The runs of a cell to open in Compare: the chosen model's runs first, then the base runs, then the rest, at most
 * `limit` (Compare's MAX_COMPARE).
 */
export function compareRunIds(runs: readonly Pick<RunSummary, 'id' | 'role' | 'defence'>[], key: string, limit: number): string[] {
  const firstAdv = runs.find((r) => r.role === 'adv');
  const chosen = key === DEFENDED ? (firstAdv ? groupLabel(firstAdv) : null) : key;
  const rank = (r: (typeof runs)[number]): number => (groupLabel(r) === chosen ? 0 : r.role === 'base' ? 1 : 2);
  return [...runs]
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i)
    .slice(0, limit)
    .map(({ r }) => r.id);
}
