// The one rule for which of a run's evaluations speak for it: the final model's when it has any, else the latest
// checkpoint's; never a mix.
import { describe, expect, it } from 'vitest';
import { checkpointMarker, currentModelEpoch, currentModelEvaluations, modelName } from '../../../src/shared/model-evaluations';

const ev = (id: number, modelEpoch: number | null) => ({ id, modelEpoch });

describe('the model that speaks for a run', () => {
  it('is the final model as soon as it has one evaluation, whatever came before or after', () => {
    expect(currentModelEpoch([2, null, 3])).toBeNull();
    expect(currentModelEvaluations([ev(1, 2), ev(2, null), ev(3, 3), ev(4, null)]).map((e) => e.id)).toEqual([2, 4]);
  });

  it('is the latest evaluated checkpoint when the run has no final-model evaluation', () => {
    expect(currentModelEpoch([1, 3, 2])).toBe(3);
    expect(currentModelEvaluations([ev(1, 3), ev(2, 1), ev(3, 3)]).map((e) => e.id)).toEqual([1, 3]);
  });

  it('is the final model for a run without evaluations, and for records stored before checkpoints were evaluated', () => {
    expect(currentModelEpoch([])).toBeNull();
    expect(currentModelEvaluations([{ id: 1 }, { id: 2, modelEpoch: 2 }]).map((e) => e.id)).toEqual([1]);
  });

  it('names a checkpoint "epoch N checkpoint" and the saved model "final model"', () => {
    expect(checkpointMarker(3)).toBe('epoch 3 checkpoint');
    expect(checkpointMarker(null)).toBe('');
    expect(modelName(null)).toBe('final model');
    expect(modelName(1)).toBe('epoch 1 checkpoint');
  });
});
