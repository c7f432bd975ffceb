// The run page's confusion panel: which evaluations it shows, how it names them, and its table's totals.
import { describe, expect, it } from 'vitest';
import { type EvaluationRecord } from '../../../src/shared/contract';
import { attackEvaluations, cleanEvaluation, confusionTotals, evaluationOption } from '../../../src/renderer/src/lib/confusion';

const ev = (over: Partial<EvaluationRecord>): EvaluationRecord =>
  ({ id: 1, runId: 'run_a', sourceRunId: null, attack: 'clean', norm: 'infinity', epsilon: 0, steps: 0, stepSize: null, restarts: 1, randomStart: false, spec: null, accuracy: 1, perClassAccuracy: [], count: 64, correct: 64, interval: { low: 0, high: 1 }, zeroGradFraction: null, subset: null, components: [], flags: [], hasMask: true, createdAt: '', hasGallery: false, ...over }) as EvaluationRecord;

describe('confusion panel', () => {
  it('shows the latest clean evaluation and lets one pick among the attacks', () => {
    const list = [ev({ id: 1 }), ev({ id: 2, attack: 'fgsm', epsilon: 0.1, steps: 1 }), ev({ id: 3 }), ev({ id: 4, attack: 'pgd', epsilon: 0.3, steps: 20, sourceRunId: 'run_b' })];
    expect(cleanEvaluation(list)?.id).toBe(3);
    expect(attackEvaluations(list).map((e) => e.id)).toEqual([2, 4]);
    expect(cleanEvaluation([])).toBeNull();
    expect(evaluationOption(list[3]!, (id) => `name of ${id}`)).toBe('PGD-20 L∞ ε 0.3 · transfer from name of run_b · 64 images');
  });

  it("pairs an attack with its own model's clean matrix and marks a checkpoint's evaluations", () => {
    const list = [ev({ id: 1, modelEpoch: 2 }), ev({ id: 2, attack: 'fgsm', epsilon: 0.1, steps: 1, modelEpoch: 2 }), ev({ id: 3, modelEpoch: null }), ev({ id: 4, attack: 'fgsm', epsilon: 0.1, steps: 1, modelEpoch: null })];
    expect(cleanEvaluation(list)?.id).toBe(3);
    expect(cleanEvaluation(list, 2)?.id).toBe(1);
    expect(cleanEvaluation(list.slice(0, 2))?.id).toBe(1);
    // the final model's attacks first
    expect(attackEvaluations(list).map((e) => e.id)).toEqual([4, 2]);
    expect(evaluationOption(list[1]!, String)).toBe('FGSM L∞ ε 0.1 · white-box · 64 images · epoch 2 checkpoint');
  });

  it('totals rows (true classes), columns (predictions), the diagonal and the whole', () => {
    expect(confusionTotals({ matrix: [[3, 1, 0], [0, 2, 2], [1, 0, 0]] })).toEqual({ rows: [4, 4, 1], columns: [4, 3, 2], diagonal: 5, total: 9 });
    expect(confusionTotals({ matrix: [] })).toEqual({ rows: [], columns: [], diagonal: 0, total: 0 });
  });
});
