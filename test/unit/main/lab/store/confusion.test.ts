// Per-example labels and predictions of evaluations (schema v5): stored with the evaluation, checked against its count,
// the run's classes and its mask, and read back as a confusion matrix with per-class accuracy (real SQLite).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type NewEvaluation, type Store } from '../../../../../src/main/lab/store';
import { LabError } from '../../../../../src/shared/errors';
import { cleanup, createExperiment, makeTempDir, openTemp } from './helpers';

let dir: string;
let store: Store;
let adv: string;
beforeEach(() => {
  dir = makeTempDir();
  store = openTemp(dir);
  [, adv] = createExperiment(store).runIds;
});
afterEach(() => {
  store.close();
  cleanup(dir);
});

const SUBSET = { dataset: 'mnist-sample', splitSeed: 0, size: 8, indicesHash: 'aaaaaaaaaaaaaaaa' };
const LABELS = Uint8Array.from([0, 0, 1, 1, 1, 2, 9, 9]);
const PREDICTED = Uint8Array.from([0, 1, 1, 1, 2, 2, 9, 0]);
const maskOf = (labels: ArrayLike<number>, predicted: ArrayLike<number>): Uint8Array => Uint8Array.from({ length: labels.length }, (_, i) => (labels[i] === predicted[i] ? 1 : 0));

function fgsm(over: Partial<NewEvaluation> = {}): NewEvaluation {
  return {
    runId: adv, sourceRunId: null, attack: 'fgsm', norm: 'infinity', epsilon: 0.2, steps: 1, stepSize: null, restarts: 1, randomStart: false,
    accuracy: 5 / 8, perClassAccuracy: [], count: 8, subset: SUBSET, mask: maskOf(LABELS, PREDICTED), labels: LABELS, predictions: PREDICTED, ...over,
  };
}

function refusal(e: NewEvaluation): LabError {
  try {
    store.recordEvaluation(e);
  } catch (err) {
    expect(err).toBeInstanceOf(LabError);
    return err as LabError;
  }
  throw new Error('recordEvaluation accepted it');
}

describe('confusion', () => {
  it('round-trips labels and predictions into matrix[true][predicted] with per-class accuracy', () => {
    const rec = store.recordEvaluation(fgsm());
    const c = store.confusion(rec.id);
    expect(c).toMatchObject({ evaluationId: rec.id, runId: adv, classes: 10, count: 8, correct: 5 });
    expect(c.matrix).toHaveLength(10);
    expect(c.matrix[0]!.slice(0, 3)).toEqual([1, 1, 0]);
    expect(c.matrix[1]!.slice(0, 3)).toEqual([0, 2, 1]);
    expect(c.matrix[2]![2]).toBe(1);
    expect(c.matrix[9]![9]).toBe(1);
    expect(c.matrix[9]![0]).toBe(1);
    expect(c.matrix.flat().reduce((a, b) => a + b, 0)).toBe(8);
    expect(c.correct).toBe(rec.correct);
    expect(c.perClass[1]).toEqual({ count: 3, correct: 2, accuracy: 2 / 3 });
    expect(c.perClass[3]).toEqual({ count: 0, correct: 0, accuracy: null });
    expect(c.perClass.map((p) => p.count)).toEqual([2, 3, 1, 0, 0, 0, 0, 0, 0, 2]);
  });

  it('keeps two bytes per class for indices above 255', () => {
    const e = createExperiment(store, { name: 'many', hparams: { numClasses: 300 } }, ['base']);
    const labels = Uint16Array.from([299, 0, 256, 7]);
    const predictions = Uint16Array.from([299, 256, 256, 1]);
    const rec = store.recordEvaluation(fgsm({ runId: e.runIds[0]!, count: 4, accuracy: 0.5, subset: { ...SUBSET, size: 4 }, labels, predictions, mask: maskOf(labels, predictions) }));
    const c = store.confusion(rec.id);
    expect(c.classes).toBe(300);
    expect(c.matrix[299]![299]).toBe(1);
    expect(c.matrix[0]![256]).toBe(1);
    expect(c.matrix[256]![256]).toBe(1);
    expect(c.matrix[7]![1]).toBe(1);
    expect(c.correct).toBe(2);
  });

  it('refuses labels or predictions of the wrong length, out of range, alone, or disagreeing with the mask, naming the field and storing nothing', () => {
    const cases: [Partial<NewEvaluation>, string, RegExp][] = [
      [{ predictions: PREDICTED.subarray(0, 7) }, 'predictions', /count 8 \(got 7\)/],
      [{ labels: Uint8Array.from([...LABELS, 0]) }, 'labels', /count 8 \(got 9\)/],
      [{ predictions: Uint8Array.from([0, 1, 1, 1, 2, 2, 10, 0]), mask: maskOf(LABELS, [0, 1, 1, 1, 2, 2, 10, 0]) }, 'predictions', /below the run's 10 classes \(got 10 at 6\)/],
      [{ labels: null }, 'labels', /both or neither/],
      [{ predictions: undefined }, 'predictions', /both or neither/],
      [{ predictions: Array.from(PREDICTED) as unknown as Uint8Array }, 'predictions', /Uint8Array or Uint16Array/],
      [{ mask: Uint8Array.from([1, 1, 1, 1, 0, 1, 1, 0]), accuracy: 6 / 8 }, 'predictions', /disagree at example 1/],
    ];
    for (const [over, field, message] of cases) {
      const err = refusal(fgsm(over));
      expect(err.code).toBe('invalid_argument');
      expect(err.field).toBe(field);
      expect(err.message).toMatch(message);
      expect(err.message.startsWith(field)).toBe(true);
    }
    expect(store.listEvaluations(adv)).toEqual([]);
  });

  it('an evaluation stored without them has no matrix; an unknown one is not_found', () => {
    const rec = store.recordEvaluation(fgsm({ labels: null, predictions: null }));
    expect(() => store.confusion(rec.id)).toThrow(expect.objectContaining({ code: 'failed_precondition', field: 'evaluationId', message: expect.stringMatching(/no per-example predictions/) }));
    expect(() => store.confusion(rec.id + 100)).toThrow(expect.objectContaining({ code: 'not_found', field: 'evaluationId' }));
  });
});
