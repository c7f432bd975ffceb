// The clean-vs-robust trade-off of a sweep: each done cell's point for one model, and which points no other cell beats
// on both (the Pareto front).
import { type CellResult, type Stat } from '../../../shared/sweep-results';
import { cleanOf, robustOf } from './sweep-models';

export interface Point2 {
  x: number;
  y: number;
}

/**
 * Which points are non-dominated when both coordinates are to be maximised: no other point is at least as good on
 * both and better on one. Identical points are all on the front. O(n log n).
 */
export function paretoFront(points: readonly Point2[]): boolean[] {
  const order = points.map((_, i) => i).sort((a, b) => points[b]!.x - points[a]!.x || points[b]!.y - points[a]!.y);
  const front = new Array<boolean>(points.length).fill(false);
  // the highest y among points of strictly greater x
  let bestBefore = -Infinity;
  let i = 0;
  while (i < order.length) {
    const x = points[order[i]!]!.x;
    let j = i;
    while (j < order.length && points[order[j]!]!.x === x) j++;
    const top = points[order[i]!]!.y;
    for (let k = i; k < j; k++) {
      const p = points[order[k]!]!;
      front[order[k]!] = p.y === top && p.y > bestBefore;
    }
    bestBefore = Math.max(bestBefore, top);
    i = j;
  }
  return front;
}

export interface TradeoffPoint {
  cell: CellResult;
  clean: Stat;
  robust: Stat;
  front: boolean;
}

/** Every done cell with both numbers for `key`, in grid order, marked when on the front. */
export function tradeoffPoints(results: readonly CellResult[], key: string): TradeoffPoint[] {
  const pts: Omit<TradeoffPoint, 'front'>[] = [];
  for (const cell of results) {
    const clean = cleanOf(cell, key);
    const robust = robustOf(cell, key);
    if (cell.status === 'done' && clean && robust) pts.push({ cell, clean, robust });
  }
  const front = paretoFront(pts.map((p) => ({ x: p.clean.mean, y: p.robust.mean })));
  return pts.map((p, i) => ({ ...p, front: front[i]! }));
}
