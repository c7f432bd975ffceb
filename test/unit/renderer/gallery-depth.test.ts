// The deeper gallery's renderer logic: the panes' address, one column's tiles of a page, filters over stored and
// unstored tiles, the enlarge dialog's confidence rows, empty cells for unstored images, and the perturbation norms.
import { describe, expect, it } from 'vitest';
import { type GalleryPage, type GallerySample } from '../../../src/shared/contract';
import { perturbationNorms } from '../../../src/shared/gallery';
import { columnTiles, confidenceRows, filterTiles, gridLayout, panesOf, panesQuery, paintGrid } from '../../../src/renderer/src/lib/gallery';

const sample = (index: number, clean: number, adversarial: number): GallerySample => ({
  index, label: 1, clean: [0, 0, 0, 0], adversarial: [51, 0, 0, 0],
  predictions: [{ runId: 'run_a', role: 'base', clean, adversarial }],
});

describe('panes in the address', () => {
  it('reads run/eval, run2/eval2, … in order and writes them back', () => {
    const q = new URLSearchParams('run=run_a&eval=3&run2=run_b&eval2=4&run3=&run5=run_x');
    expect(panesOf(q)).toEqual([{ run: 'run_a', eval: 3 }, { run: 'run_b', eval: 4 }, { run: '', eval: null }]);
    expect(panesQuery(panesOf(q)).toString()).toBe('run=run_a&eval=3&run2=run_b&eval2=4&run3=');
    expect(panesOf(new URLSearchParams(''))).toEqual([{ run: '', eval: null }]);
  });
});

describe('a page column', () => {
  const page: GalleryPage = {
    columns: [
      { evaluationId: 1, runId: 'run_a', sourceRunId: null, attack: 'fgsm', norm: 'infinity', epsilon: 0.2, hasMask: true, storedImages: 1, width: 2, height: 2, classNames: ['a', 'b'] },
      { evaluationId: 2, runId: 'run_b', sourceRunId: null, attack: 'fgsm', norm: 'infinity', epsilon: 0.2, hasMask: true, storedImages: 0, width: 0, height: 0, classNames: [] },
    ],
    count: 2, total: 2, page: 0, limit: 16, pages: 1,
    entries: [
      { index: 0, label: 1, cells: [{ correct: false, sample: sample(0, 1, 0), perturbation: { linf: 0.2, l2: 0.2 } }, { correct: true, sample: null, perturbation: null }] },
      { index: 1, label: null, cells: [{ correct: true, sample: null, perturbation: null }, { correct: false, sample: null, perturbation: null }] },
    ],
  };

  it('lists every entry with its own cell, the same indices in every column', () => {
    expect(columnTiles(page, 1).map((t) => [t.index, t.correct, t.sample !== null])).toEqual([[0, false, true], [1, true, false]]);
    expect(columnTiles(page, 2).map((t) => [t.index, t.correct, t.label])).toEqual([[0, true, 1], [1, false, null]]);
    expect(columnTiles(page, 9)).toEqual([]);
  });

  it("keeps unstored tiles for 'all' only: the prediction filters need the stored image", () => {
    const tiles = columnTiles(page, 1);
    expect(filterTiles(tiles, { kind: 'all' })).toHaveLength(2);
    expect(filterTiles(tiles, { kind: 'fooled-base' }).map((t) => t.index)).toEqual([0]);
    expect(filterTiles(tiles, { kind: 'class', label: 1 }).map((t) => t.index)).toEqual([0]);
  });

  it('paints stored tiles only, leaving an unstored one transparent', () => {
    const layout = gridLayout(2, 2, 2, 1, 1000);
    const out = new Uint8ClampedArray(layout.canvasW * layout.canvasH * 4);
    paintGrid(out, [sample(0, 1, 0), null], layout, 2, 2, 1);
    const alphaAt = (x: number, y: number) => out[(y * layout.canvasW + x) * 4 + 3];
    expect(alphaAt(layout.pad, layout.pad)).toBe(255);
    expect(alphaAt(layout.cellW + layout.pad, layout.pad)).toBe(0);
  });
});

describe('confidences and norms', () => {
  it('lists every class clean and adversarial, or nothing when no probabilities were stored', () => {
    const p = { runId: 'run_a', role: 'base' as const, clean: 0, adversarial: 1, cleanProbabilities: [0.9, 0.1], adversarialProbabilities: [0.3, 0.7] };
    expect(confidenceRows(p, ['a', 'b'])).toEqual([{ label: 0, name: 'a', clean: 0.9, adversarial: 0.3 }, { label: 1, name: 'b', clean: 0.1, adversarial: 0.7 }]);
    expect(confidenceRows({ ...p, cleanProbabilities: undefined }, ['a', 'b'])).toBeNull();
  });

  it('measures L∞ and L2 of adversarial − clean on the [0, 1] scale', () => {
    const n = perturbationNorms([0, 10, 255, 100], [51, 10, 204, 100]);
    expect(n.linf).toBeCloseTo(0.2, 9);
    expect(n.l2).toBeCloseTo(Math.sqrt(2) * 0.2, 9);
  });
});
