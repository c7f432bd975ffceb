// Deep galleries for a seeded lab (helpers/seeded-lab.ts): FGSM ∞ ε 0.2 evaluations over the seeded lab's whole
// 64-example test subset, each with its per-example mask and the first 40 images stored with every class's
// probability (the rest are covered by the mask only, as the examples past the worker's first 256 are), so paging, the
// enlarge dialog and the fooled-in-one-not-the-other filter have known answers.
import path from 'node:path';
import { openStore } from '../../../src/main/lab/store';
import { type TestSubset } from '../../../src/shared/contract';
import { type RunRole } from '../../../src/shared/schemas';
import { SEEDED_COUNT } from './seeded-lab';

/** The seeded lab's own test subset (its evaluations' masks are over these images too). */
const SUBSET: TestSubset = { dataset: 'mnist-sample', splitSeed: 0, size: SEEDED_COUNT, indicesHash: '5eed5eed5eed5eed' };
export const DEEP_STORED = 40;
const CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const SIDE = 28;

/** Which examples each deep gallery keeps right under attack (1 = still correct), by its place in DEEP_MASKS. */
export const DEEP_MASKS: readonly ((i: number) => boolean)[] = [(i) => i % 2 === 0, (i) => i % 3 === 0, (i) => i % 5 !== 0];
export const deepLabel = (i: number): number => i % 10;
/** Pixels changed by 51/255 = 0.2 in image i: L∞ 0.2, L2 0.2·√(changed). */
export const deepChanged = (i: number): number => (i % 4) + 1;

function probabilities(top: number, p: number): number[] {
  const rest = (1 - p) / (CLASSES.length - 1);
  return CLASSES.map((_, c) => (c === top ? p : rest));
}

/** One deep gallery evaluation per run given (at most three, DEEP_MASKS in order); returns their ids. */
export function seedDeepGalleries(home: string, runs: readonly { runId: string; role: RunRole }[]): number[] {
  const store = openStore(path.join(home, 'lab.sqlite'));
  try {
    return runs.map(({ runId, role }, k) => {
      const right = DEEP_MASKS[k]!;
      const mask = Uint8Array.from({ length: SEEDED_COUNT }, (_, i) => (right(i) ? 1 : 0));
      const correct = mask.reduce((s, v) => s + v, 0);
      const samples = Array.from({ length: DEEP_STORED }, (_, i) => {
        const clean = Array.from({ length: SIDE * SIDE }, (_, p) => ((p + 7 * i) % 28) * 6);
        const adversarial = clean.map((v, p) => (p < deepChanged(i) ? (v > 200 ? v - 51 : v + 51) : v));
        const label = deepLabel(i);
        const adv = right(i) ? label : (label + 1) % 10;
        return {
          index: i, label, clean, adversarial,
          predictions: [{ runId, role, clean: label, adversarial: adv, cleanProbabilities: probabilities(label, 0.91), adversarialProbabilities: probabilities(adv, 0.55) }],
        };
      });
      return store.recordEvaluation(
        {
          runId, sourceRunId: null, attack: 'fgsm', norm: 'infinity', epsilon: 0.2, steps: 1, stepSize: null, restarts: 1, randomStart: false,
          accuracy: correct / SEEDED_COUNT, perClassAccuracy: [], count: SEEDED_COUNT, mask, subset: SUBSET,
        },
        { width: SIDE, height: SIDE, classNames: CLASSES, samples },
      ).id;
    });
  } finally {
    store.close();
  }
}
