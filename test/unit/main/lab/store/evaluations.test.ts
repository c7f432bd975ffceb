// Evaluations: headline clean/robust accuracy on the run row, galleries as uint8 images, and validation.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { attackLabel, type NewEvaluation, type Store } from '../../../../../src/main/lab/store';
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

function evaluation(over: Partial<NewEvaluation>): NewEvaluation {
  return { runId: adv, sourceRunId: null, attack: 'pgd', norm: 'infinity', epsilon: 0.2, steps: 20, stepSize: 0.025, restarts: 1, randomStart: true, accuracy: 0.5, perClassAccuracy: [0.5, 0.5], count: 2000, ...over };
}

const SUBSET = { dataset: 'mnist-sample', splitSeed: 0, size: 10, indicesHash: 'aaaaaaaaaaaaaaaa' };
/** A mask of 10 examples with the first `k` still correct. */
const mask = (k: number): Uint8Array => Uint8Array.from({ length: 10 }, (_, i) => (i < k ? 1 : 0));
function measured(over: Partial<NewEvaluation> & { correctFirst?: number }): NewEvaluation {
  const { correctFirst = 0, ...rest } = over;
  return evaluation({ count: 10, accuracy: correctFirst / 10, mask: mask(correctFirst), subset: SUBSET, ...rest });
}

describe('headline accuracies', () => {
  it('without AutoAttack the headline is the worst case over every attack at ∞ ε0.2 on one subset, named in full', () => {
    store.recordEvaluation(measured({ attack: 'fgsm', steps: 1, stepSize: null, randomStart: false, correctFirst: 6 }));
    expect(store.getRunSummary(adv)).toMatchObject({ robustAccuracy: 0.6, robustLabel: 'FGSM ∞ ε0.2, 10 images' });
    store.recordEvaluation(measured({ correctFirst: 4 }));
    // Other epsilons never become the headline, however low.
    store.recordEvaluation(measured({ epsilon: 0.3, stepSize: null, correctFirst: 0 }));
    // ε computed as 0.1 + 0.2 - 0.1 (not exactly 0.2) still counts as the headline ε.
    store.recordEvaluation(measured({ attack: 'fgsm', steps: 1, stepSize: null, randomStart: false, epsilon: 0.1 + 0.2 - 0.1, correctFirst: 7 }));
    const h = store.getRunSummary(adv);
    expect(h).toMatchObject({ robustAccuracy: 0.4, robustLabel: 'worst of FGSM, PGD-20 ∞ ε0.2, 10 images' });
    expect(h.headline).toMatchObject({ attack: 'worst of FGSM, PGD-20', norm: 'infinity', epsilon: 0.2, count: 10, correct: 4, dataset: 'mnist-sample', indicesHash: SUBSET.indicesHash });
    // A transfer attack joins the ensemble: an example is robust only if it survives every attack.
    store.recordEvaluation(measured({ sourceRunId: base, steps: 40, stepSize: null, accuracy: 0.5, mask: Uint8Array.from([0, 1, 1, 1, 1, 1, 0, 0, 0, 0]) }));
    expect(store.getRunSummary(adv)).toMatchObject({ robustAccuracy: 0.3, robustLabel: 'worst of FGSM, PGD-20, PGD-40 (transfer) ∞ ε0.2, 10 images' });
    expect(store.getRunSummary(base).robustAccuracy).toBeNull();
  });

  it('prefers the subset a white-box iterative attack scored over a larger one only FGSM scored', () => {
    const big = { ...SUBSET, size: 20, indicesHash: 'bbbbbbbbbbbbbbbb' };
    const twenty = Uint8Array.from({ length: 20 }, (_, i) => (i < 18 ? 1 : 0));
    store.recordEvaluation(evaluation({ attack: 'fgsm', steps: 1, stepSize: null, randomStart: false, count: 20, accuracy: 0.9, mask: twenty, subset: big }));
    expect(store.getRunSummary(adv).robustLabel).toBe('FGSM ∞ ε0.2, 20 images');
    store.recordEvaluation(measured({ correctFirst: 3 }));
    expect(store.getRunSummary(adv)).toMatchObject({ robustAccuracy: 0.3, robustLabel: 'PGD-20 ∞ ε0.2, 10 images' });
    // a transfer attack is not white-box: it does not outweigh the larger FGSM subset
    const other = { ...SUBSET, size: 10, indicesHash: 'cccccccccccccccc' };
    store.recordEvaluation(measured({ runId: base, sourceRunId: null, attack: 'fgsm', steps: 1, stepSize: null, randomStart: false, correctFirst: 9, subset: other }));
    store.recordEvaluation(measured({ runId: base, sourceRunId: adv, steps: 20, correctFirst: 2, subset: other }));
    store.recordEvaluation(evaluation({ runId: base, attack: 'fgsm', steps: 1, stepSize: null, randomStart: false, count: 20, accuracy: 0.9, mask: twenty, subset: big }));
    expect(store.getRunSummary(base).robustLabel).toBe('FGSM ∞ ε0.2, 20 images');
  });

  it('a white-box AutoAttack at the headline ε is the headline, whatever else ran', () => {
    store.recordEvaluation(measured({ correctFirst: 3 }));
    store.recordEvaluation(measured({ attack: 'autoattack', steps: 100, stepSize: null, correctFirst: 5 }));
    const h = store.getRunSummary(adv);
    expect(h).toMatchObject({ robustAccuracy: 0.5, robustLabel: 'AutoAttack ∞ ε0.2, 10 images' });
    expect(h.headline!.interval.low).toBeLessThan(0.5);
    expect(h.headline!.interval.high).toBeGreaterThan(0.5);
  });

  it('evaluations without a recorded test subset (stored before v2) make no headline', () => {
    store.recordEvaluation(evaluation({ accuracy: 0.42 }));
    expect(store.getRunSummary(adv)).toMatchObject({ robustAccuracy: null, robustLabel: null, headline: null });
  });

  it("clean accuracy comes from the latest 'clean' evaluation and is not a robust headline", () => {
    store.recordEvaluation(evaluation({ attack: 'clean', epsilon: 0, steps: 0, stepSize: null, restarts: 0, randomStart: false, accuracy: 0.97 }));
    store.recordEvaluation(evaluation({ attack: 'clean', epsilon: 0, steps: 0, stepSize: null, restarts: 0, randomStart: false, accuracy: 0.98 }));
    expect(store.getRunSummary(adv)).toMatchObject({ cleanAccuracy: 0.98, robustAccuracy: null, robustLabel: null });
  });

  it('headline columns reach listRuns', () => {
    store.recordEvaluation(measured({ correctFirst: 3 }));
    const listed = store.listRuns({ experimentId: store.getRunSummary(adv).experimentId }).find((r) => r.id === adv);
    expect(listed?.robustAccuracy).toBe(0.3);
    expect(listed?.headline).toMatchObject({ attack: 'PGD-20', count: 10 });
  });

  it('attackLabel names l2 attacks and trims float noise from ε', () => {
    expect(attackLabel({ attack: 'pgd', norm: 'l2', epsilon: 1.5, steps: 7 })).toBe('PGD-7 L2 ε1.5');
    expect(attackLabel({ attack: 'fgsm', norm: 'infinity', epsilon: 0.1 + 0.2, steps: 1 })).toBe('FGSM ∞ ε0.3');
  });
});

describe('recordEvaluation and listEvaluations', () => {
  it('returns the stored record with its id and lists a run’s evaluations oldest first', () => {
    const a = store.recordEvaluation(evaluation({ perClassAccuracy: [1, Number.NaN], createdAt: '2025-02-02T00:00:00.000Z' }));
    const b = store.recordEvaluation(evaluation({ sourceRunId: base, randomStart: false }));
    expect(a).toMatchObject({ runId: adv, attack: 'pgd', norm: 'infinity', epsilon: 0.2, steps: 20, stepSize: 0.025, restarts: 1, randomStart: true, count: 2000, hasGallery: false, createdAt: '2025-02-02T00:00:00.000Z' });
    expect(a.perClassAccuracy).toEqual([1, Number.NaN]);
    expect(b.id).toBeGreaterThan(a.id);
    expect(store.listEvaluations(adv).map((e) => [e.id, e.sourceRunId, e.randomStart])).toEqual([
      [a.id, null, true],
      [b.id, base, false],
    ]);
    expect(store.getRun(adv).evaluations).toHaveLength(2);
  });

  it('refuses invalid values and unknown source runs without storing anything', () => {
    expect(() => store.recordEvaluation(evaluation({ accuracy: 1.2 }))).toThrow(expect.objectContaining({ code: 'invalid_argument', field: 'accuracy' }));
    expect(() => store.recordEvaluation(evaluation({ attack: 'cw' as 'pgd' }))).toThrow(expect.objectContaining({ field: 'attack' }));
    expect(() => store.recordEvaluation(evaluation({ sourceRunId: 'run_missing' }))).toThrow(expect.objectContaining({ code: 'not_found', field: 'sourceRunId' }));
    expect(store.listEvaluations(adv)).toEqual([]);
  });
});

describe('galleries', () => {
  const width = 3;
  const height = 2;
  const clean = [0, 1, 2, 253, 254, 255];
  const adversarial = Uint8Array.from([255, 128, 0, 7, 8, 9]);

  it('round-trips pixels, labels and predictions in the order given', () => {
    const predictions = [
      { runId: adv, role: 'adv' as const, clean: 4, adversarial: 4 },
      { runId: base, role: 'base' as const, clean: 4, adversarial: 9 },
    ];
    const e = store.recordEvaluation(evaluation({}), {
      width,
      height,
      classNames: ['zero', 'one'],
      samples: [
        { index: 42, label: 4, clean, adversarial, predictions },
        { index: 7, label: 1, clean: [...adversarial], adversarial: clean, predictions: [] },
      ],
    });
    expect(e.hasGallery).toBe(true);
    const g = store.getGallery(e.id);
    expect(g).toEqual({
      evaluationId: e.id,
      runId: adv,
      attack: 'pgd',
      norm: 'infinity',
      epsilon: 0.2,
      width,
      height,
      classNames: ['zero', 'one'],
      samples: [
        { index: 42, label: 4, clean, adversarial: [...adversarial], predictions },
        { index: 7, label: 1, clean: [...adversarial], adversarial: clean, predictions: [] },
      ],
    });
  });

  it('refuses images of the wrong size or out-of-range pixels, storing no evaluation', () => {
    const sample = { index: 0, label: 0, clean, adversarial, predictions: [] };
    expect(() => store.recordEvaluation(evaluation({}), { width: 2, height: 2, classNames: [], samples: [sample] })).toThrow(
      expect.objectContaining({ code: 'invalid_argument', field: 'gallery.samples[0].clean', message: expect.stringContaining('width×height = 4') }),
    );
    expect(() => store.recordEvaluation(evaluation({}), { width, height, classNames: [], samples: [{ ...sample, clean: [0, 0, 0, 0, 0, 256] }] })).toThrow(
      expect.objectContaining({ field: 'gallery.samples[0].clean' }),
    );
    expect(store.listEvaluations(adv)).toEqual([]);
  });

  it('getGallery is not_found for unknown evaluations and for evaluations stored without samples', () => {
    const e = store.recordEvaluation(evaluation({}));
    expect(() => store.getGallery(e.id)).toThrow(expect.objectContaining({ code: 'not_found', message: expect.stringContaining('without gallery samples') }));
    expect(() => store.getGallery(99_999)).toThrow(expect.objectContaining({ code: 'not_found', message: expect.stringContaining('99999') }));
  });
});

describe('artifacts', () => {
  it('records paths per run, oldest first', () => {
    store.addArtifact(adv, { kind: 'checkpoint', path: '/runs/x/ckpt-1', createdAt: '2025-01-01T00:00:00.000Z' });
    store.addArtifact(adv, { kind: 'model', path: '/runs/x/model.json', createdAt: '2025-01-01T00:00:01.000Z' });
    expect(store.listArtifacts(adv)).toEqual([
      { kind: 'checkpoint', path: '/runs/x/ckpt-1', createdAt: '2025-01-01T00:00:00.000Z' },
      { kind: 'model', path: '/runs/x/model.json', createdAt: '2025-01-01T00:00:01.000Z' },
    ]);
    expect(store.getRun(adv).artifacts).toHaveLength(2);
    expect(() => store.addArtifact(adv, { kind: 'weights' as 'model', path: '/x' })).toThrow(expect.objectContaining({ field: 'kind' }));
  });
});
