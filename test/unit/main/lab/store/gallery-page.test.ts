// galleryPage: paging over the whole test subset of evaluations side by side (same indices in every column), the mask
// bit of each example, stored images with their probabilities and perturbation norms, and the fooled-in-one filter.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GalleryInput, type NewEvaluation, type Store } from '../../../../../src/main/lab/store';
import { GalleryPageRequestSchema, type GalleryPageRequest } from '../../../../../src/shared/schemas';
import { cleanup, createExperiment, makeTempDir, openTemp } from './helpers';

let dir: string;
let store: Store;
let base: string;
let adv: string;
beforeEach(() => {
  dir = makeTempDir();
  store = openTemp(dir);
  [base, adv] = createExperiment(store).runIds;
});
afterEach(() => {
  store.close();
  cleanup(dir);
});

const COUNT = 40;
const SUBSET = { dataset: 'mnist-sample', splitSeed: 0, size: COUNT, indicesHash: 'abcdabcdabcdabcd' };
const W = 2;
const H = 2;
const CLASSES = ['a', 'b', 'c'];

function evaluation(runId: string, mask: Uint8Array | null, over: Partial<NewEvaluation> = {}): NewEvaluation {
  const correct = mask ? mask.reduce((s, v) => s + v, 0) : 20;
  return {
    runId, sourceRunId: null, attack: 'fgsm', norm: 'infinity', epsilon: 0.2, steps: 1, stepSize: null, restarts: 1, randomStart: false,
    accuracy: correct / COUNT, perClassAccuracy: [], count: COUNT, ...(mask ? { mask, subset: SUBSET } : {}), ...over,
  };
}

/** The first `stored` examples' images: clean i, adversarial i + 51 on one pixel (L∞ 0.2, L2 0.2). */
function gallery(runId: string, stored: number): GalleryInput {
  return {
    width: W, height: H, classNames: CLASSES,
    samples: Array.from({ length: stored }, (_, i) => ({
      index: i, label: i % 3, clean: [i, i, i, i], adversarial: [i + 51, i, i, i],
      predictions: [{ runId, role: 'adv' as const, clean: i % 3, adversarial: (i + 1) % 3, cleanProbabilities: [0.2, 0.3, 0.5], adversarialProbabilities: [0.6, 0.3, 0.1] }],
    })),
  };
}

const page = (req: GalleryPageRequest) => store.galleryPage(GalleryPageRequestSchema.parse(req));
const maskOf = (f: (i: number) => boolean) => Uint8Array.from({ length: COUNT }, (_, i) => (f(i) ? 1 : 0));

describe('galleryPage', () => {
  it('pages over the whole subset: same indices in every column, images where stored, the mask bit everywhere', () => {
    const a = store.recordEvaluation(evaluation(adv, maskOf((i) => i % 2 === 0)), gallery(adv, 16)).id;
    const b = store.recordEvaluation(evaluation(base, maskOf((i) => i % 4 === 0)), gallery(base, 16)).id;
    const c = store.recordEvaluation(evaluation(base, maskOf(() => true), { attack: 'pgd', steps: 10, stepSize: 0.05 })).id;
    const seen: number[] = [];
    for (let p = 0; p < 3; p++) {
      const r = page({ evaluationIds: [a, b, c], page: p, limit: 16 });
      expect(r).toMatchObject({ count: COUNT, total: COUNT, page: p, limit: 16, pages: 3 });
      for (const e of r.entries) {
        expect(e.cells).toHaveLength(3);
        expect(e.cells.map((x) => x.correct)).toEqual([e.index % 2 === 0, e.index % 4 === 0, true]);
        expect(e.cells[0]!.sample !== null).toBe(e.index < 16);
        expect(e.cells[2]!.sample).toBeNull();
        seen.push(e.index);
      }
    }
    expect(seen).toEqual(Array.from({ length: COUNT }, (_, i) => i));
    const first = page({ evaluationIds: [a, b, c] });
    expect(first.columns.map((x) => [x.evaluationId, x.storedImages, x.hasMask, x.width])).toEqual([[a, 16, true, W], [b, 16, true, W], [c, 0, true, 0]]);
    const cell = first.entries[5]!.cells[0]!;
    expect(first.entries[5]!.label).toBe(2);
    expect(cell.sample!.predictions[0]!.adversarialProbabilities).toEqual([0.6, 0.3, 0.1]);
    expect(cell.perturbation!.linf).toBeCloseTo(0.2, 6);
    expect(cell.perturbation!.l2).toBeCloseTo(0.2, 6);
    expect(page({ evaluationIds: [a], page: 2, limit: 16 }).entries.map((e) => e.index)).toEqual(Array.from({ length: 8 }, (_, i) => 32 + i));
  });

  it('filters to the examples one evaluation got wrong and the other still got right, exactly', () => {
    const fooled = maskOf((i) => i % 3 !== 0);
    const held = maskOf((i) => i % 2 === 0);
    const a = store.recordEvaluation(evaluation(base, fooled), gallery(base, 16)).id;
    const b = store.recordEvaluation(evaluation(adv, held), gallery(adv, 16)).id;
    const expected = Array.from({ length: COUNT }, (_, i) => i).filter((i) => fooled[i] === 0 && held[i] === 1);
    const r = page({ evaluationIds: [a, b], limit: 4, filter: { fooledIn: a, heldIn: b } });
    expect(r).toMatchObject({ count: COUNT, total: expected.length, pages: Math.ceil(expected.length / 4) });
    const all = Array.from({ length: r.pages }, (_, p) => page({ evaluationIds: [a, b], page: p, limit: 4, filter: { fooledIn: a, heldIn: b } }).entries).flat();
    expect(all.map((e) => e.index)).toEqual(expected);
    for (const e of all) expect(e.cells.map((x) => x.correct)).toEqual([false, true]);
  });

  it('refuses a page past the last, naming the field', () => {
    const a = store.recordEvaluation(evaluation(adv, maskOf(() => true))).id;
    expect(() => page({ evaluationIds: [a], page: 3, limit: 16 })).toThrow(expect.objectContaining({ code: 'invalid_argument', field: 'page', message: expect.stringMatching(/^page must be < 3: 40 matching examples make 3 pages of 16 \(got 3\)$/) }));
    expect(page({ evaluationIds: [a], page: 2 }).entries).toHaveLength(8);
    // an empty filter result still has its page 0
    expect(page({ evaluationIds: [a, store.recordEvaluation(evaluation(base, maskOf(() => true))).id], filter: { fooledIn: a, heldIn: a + 1 } })).toMatchObject({ total: 0, pages: 1, entries: [] });
  });

  it('refuses evaluations of different test images, and a filter on an evaluation not shown or without a mask', () => {
    const a = store.recordEvaluation(evaluation(adv, maskOf(() => true))).id;
    const other = store.recordEvaluation(evaluation(base, maskOf(() => true), { subset: { ...SUBSET, indicesHash: 'ffffffffffffffff' } })).id;
    const noMask = store.recordEvaluation(evaluation(base, null)).id;
    expect(() => page({ evaluationIds: [a, other] })).toThrow(expect.objectContaining({ code: 'invalid_argument', field: 'evaluationIds.1', message: expect.stringContaining('same test images') }));
    expect(() => page({ evaluationIds: [a, noMask], filter: { fooledIn: a, heldIn: other } })).toThrow(expect.objectContaining({ field: 'filter.heldIn', message: expect.stringContaining('must be one of evaluationIds') }));
    expect(() => page({ evaluationIds: [a, noMask], filter: { fooledIn: noMask, heldIn: a } })).toThrow(expect.objectContaining({ field: 'filter.fooledIn', message: expect.stringContaining('mask') }));
    expect(() => page({ evaluationIds: [a, 99_999] })).toThrow(expect.objectContaining({ code: 'not_found', field: 'evaluationIds.1' }));
    // without a mask, a stored image's own prediction says right or wrong; the rest is unknown
    const r = page({ evaluationIds: [a, noMask] });
    expect(r.entries[0]!.cells[1]!.correct).toBeNull();
  });

  it('stores probabilities only when there is one per class, in [0, 1], summing to 1', () => {
    const bad = (p: number[]) => {
      const g = gallery(adv, 1);
      g.samples[0]!.predictions[0]!.cleanProbabilities = p;
      return () => store.recordEvaluation(evaluation(adv, null), g);
    };
    expect(bad([0.5, 0.5])).toThrow(expect.objectContaining({ field: 'gallery.samples[0].predictions[0].cleanProbabilities', message: expect.stringContaining('one probability per class') }));
    expect(bad([0.5, 0.6, -0.1])).toThrow(expect.objectContaining({ message: expect.stringContaining('[0, 1]') }));
    expect(bad([0.5, 0.3, 0.1])).toThrow(expect.objectContaining({ message: expect.stringContaining('sum to 1') }));
    expect(store.listEvaluations(adv)).toEqual([]);
  });
});
