// The store puts the at-chance flag on the clean evaluation of a run that stayed at chance (its last training epoch
// or its clean test accuracy), and on no other evaluation and no run that learned.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveAttack } from '../../../../../src/shared/attacks';
import { type NewEvaluation, type Store } from '../../../../../src/main/lab/store';
import { cleanup, createExperiment, makeTempDir, openTemp } from './helpers';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = makeTempDir();
  store = openTemp(dir);
});
afterEach(() => {
  store.close();
  cleanup(dir);
});

const pgd = resolveAttack({ attack: 'pgd', norm: 'infinity', epsilon: 0.3 });
function evaluation(runId: string, accuracy: number, attacked: boolean): NewEvaluation {
  return {
    runId, sourceRunId: null, attack: attacked ? 'pgd' : 'clean', norm: 'infinity', epsilon: attacked ? 0.3 : 0, steps: attacked ? pgd.steps : 0, stepSize: attacked ? pgd.stepSize : null,
    restarts: 1, randomStart: attacked, spec: attacked ? pgd : null, accuracy, perClassAccuracy: [], count: 100,
  };
}
const epoch = (accuracy: number) => ({ loss: 2.3, sparse_categorical_crossentropy: 2.3, scaled_adversarial_loss: 2.3, sparse_categorical_accuracy: accuracy });

describe('the at-chance flag', () => {
  it('lands on the clean evaluation of a run whose last epoch trained at chance', () => {
    const [run] = createExperiment(store, { hparams: { epochs: 2 } }, ['adv']).runIds;
    store.recordEpoch(run!, 1, epoch(0.4), 10, []);
    store.recordEpoch(run!, 2, epoch(0.102), 10, []);
    const clean = store.recordEvaluation(evaluation(run!, 0.3, false));
    store.recordEvaluation(evaluation(run!, 0.1, true));
    const byId = new Map(store.listEvaluations(run!).map((e) => [e.id, e]));
    expect(byId.get(clean.id)!.flags).toEqual([{ check: 'at-chance', reason: expect.stringMatching(/^stayed at chance \(train accuracy 10\.2% after 2 epochs; chance is 10\.0%\): for NSL/) }]);
    expect([...byId.values()].filter((e) => e.attack === 'pgd').flatMap((e) => e.flags.map((f) => f.check))).not.toContain('at-chance');
  });

  it('lands on a clean test accuracy at chance, and not on a run that learned', () => {
    const [low, good] = createExperiment(store, { hparams: { epochs: 1 } }, ['base', 'adv']).runIds;
    store.recordEpoch(low!, 1, epoch(0.5), 10, []);
    store.recordEpoch(good!, 1, epoch(0.9), 10, []);
    const c1 = store.recordEvaluation(evaluation(low!, 0.12, false));
    const c2 = store.recordEvaluation(evaluation(good!, 0.88, false));
    expect(store.listEvaluations(low!).find((e) => e.id === c1.id)!.flags.map((f) => f.reason)).toEqual([expect.stringMatching(/^stayed at chance \(clean test accuracy 12\.0%; chance is 10\.0%\): train longer/)]);
    expect(store.listEvaluations(good!).find((e) => e.id === c2.id)!.flags).toEqual([]);
  });
});
