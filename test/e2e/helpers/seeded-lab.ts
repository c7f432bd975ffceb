// A lab with finished runs over several seeds, written through the real SQLite store (no training): an experiment's
// base and adv runs per seed with epoch metrics and FGSM/PGD evaluations at several ε (white-box, and transfer from
// each seed's own base run), each with a per-example mask on one shared test subset, so ensembles and headlines exist.
// Optionally the experiment's notes and batch points; seedGalleries adds gallery evaluations to seed 0's runs.
import path from 'node:path';
import { runConfigFor } from '../../../src/main/lab/service/run-config';
import { openStore } from '../../../src/main/lab/store';
import { type TestSubset } from '../../../src/shared/contract';
import { ExperimentConfigSchema, type RunRole } from '../../../src/shared/schemas';
import { runName } from '../../../src/shared/seeds';

export const SEEDED_COUNT = 64;
export const SEEDED_EPSILONS = [0.1, 0.2, 0.3] as const;
const SUBSET: TestSubset = { dataset: 'mnist-sample', splitSeed: 0, size: SEEDED_COUNT, indicesHash: '5eed5eed5eed5eed' };

/** The first `correct` examples are right: the ensemble of two attacks is then the smaller of their counts. */
function mask(correct: number): Uint8Array {
  return Uint8Array.from({ length: SEEDED_COUNT }, (_, i) => (i < correct ? 1 : 0));
}

/** Example i is of class i mod 10 (classes 0–3 have 7 of the 64 examples, 4–9 have 6). */
export const SEEDED_LABELS = Uint8Array.from({ length: SEEDED_COUNT }, (_, i) => i % 10);

/** Predictions agreeing with mask(correct): right for the first `correct` examples, the next class for the rest. */
function predictions(correct: number): Uint8Array {
  return SEEDED_LABELS.map((label, i) => (i < correct ? label : (label + 1) % 10));
}

/** Correct examples (of 64) per seed, role and attack, chosen so that means and stds are easy to check by hand. */
export function seededCorrect(role: RunRole, seed: number, attack: 'clean' | 'fgsm' | 'pgd' | 'transfer', epsilon: number): number {
  const base = role === 'adv' ? 48 : 24;
  const byAttack = { clean: 62, fgsm: base, pgd: base - 8, transfer: base + 6 }[attack];
  return attack === 'clean' ? byAttack - 2 * seed : Math.max(0, Math.round(byAttack - 40 * epsilon * (role === 'adv' ? 1 : 1.5)) - 4 * seed);
}

export interface SeedOptions {
  /** The experiment's notes (as typed in the New-experiment form). */
  notes?: string;
  /** Batch points stored per epoch (steps numbered on across epochs); none by default. */
  batchesPerEpoch?: number;
  /** Store each epoch's test loss and accuracy (val_loss, val_accuracy) too, as a trained run's epochs have them. */
  testCurves?: boolean;
}

/** Creates the experiment in `<home>/lab.sqlite` and returns its run ids by role, in seed order. */
export function seedLab(home: string, name: string, seeds: readonly number[], opts: SeedOptions = {}): Record<RunRole, string[]> {
  const store = openStore(path.join(home, 'lab.sqlite'));
  try {
    const config = ExperimentConfigSchema.parse({ name, seeds, seed: seeds[0], hparams: { epochs: 3 }, notes: opts.notes ?? '' });
    const perEpoch = opts.batchesPerEpoch ?? 0;
    const roles: RunRole[] = ['base', 'adv'];
    const created = store.createExperiment(
      config,
      seeds.flatMap((seed) => roles.map((role) => ({ role, name: runName(name, role, seed, seeds.length), config: { ...runConfigFor(config, role), seed, splitSeed: config.seed } }))),
    );
    const ids: Record<RunRole, string[]> = { base: [], adv: [] };
    created.runs.forEach((r) => ids[r.role].push(r.id));
    seeds.forEach((seed, i) => {
      for (const role of roles) {
        const runId = ids[role][i]!;
        store.setRunStatus(runId, 'running');
        [0.7, 0.85, 0.9].forEach((acc, e) => {
          const a = acc - 0.03 * seed - (role === 'adv' ? 0.05 : 0);
          const batches = Array.from({ length: perEpoch }, (_, b) => ({ epoch: e + 1, batch: b, step: e * perEpoch + b, metrics: { loss: 1.1 - a - 0.01 * b, sparse_categorical_accuracy: a - 0.02 + 0.001 * b } }));
          store.recordEpoch(runId, e + 1, { loss: 1 - a, sparse_categorical_crossentropy: 0.9 - a, sparse_categorical_accuracy: a, ...(opts.testCurves ? { val_loss: 1.05 - a, val_accuracy: a - 0.04 } : {}) }, 1000, batches);
        });
        const record = (attack: 'clean' | 'fgsm' | 'pgd' | 'transfer', epsilon: number) => {
          const correct = seededCorrect(role, seed, attack, epsilon);
          const kind = attack === 'transfer' ? 'fgsm' : attack;
          store.recordEvaluation({
            runId, sourceRunId: attack === 'transfer' ? ids.base[i]! : null, attack: kind, norm: 'infinity', epsilon: attack === 'clean' ? 0 : epsilon,
            steps: kind === 'pgd' ? 20 : kind === 'fgsm' ? 1 : 0, stepSize: kind === 'pgd' ? epsilon / 8 : null, restarts: 1, randomStart: kind === 'pgd',
            accuracy: correct / SEEDED_COUNT, perClassAccuracy: [], count: SEEDED_COUNT, mask: mask(correct), labels: SEEDED_LABELS, predictions: predictions(correct), subset: SUBSET,
          });
        };
        record('clean', 0);
        for (const eps of SEEDED_EPSILONS) {
          record('fgsm', eps);
          record('pgd', eps);
          if (role === 'adv') record('transfer', eps);
        }
        store.setRunStatus(runId, 'completed');
      }
    });
    return ids;
  } finally {
    store.close();
  }
}

/** Predictions (clean, adversarial) per gallery image of the base and the adv run, as `seedGalleries` stores them. */
export const GALLERY_PREDICTIONS = {
  /** FGSM crafted on the base run: it is fooled on image 0; the adv run (a transfer) holds. */
  baseWhiteBox: { base: [[0, 3], [1, 1]], adv: [[0, 0], [1, 1]] },
  /** FGSM crafted on the base run, stored as the adv run's transfer evaluation: the adv run is fooled on image 1. */
  advTransfer: { adv: [[0, 0], [1, 7]], base: [[0, 3], [1, 1]] },
} as const;

/**
 * Gallery evaluations (FGSM ∞ ε 0.25, two 28×28 images labelled 0 and 1) for seed 0's runs of a seeded lab, each
 * with both runs' predictions, as the worker stores them (the evaluated run first): a white-box one of the base run
 * and the adv run's transfer from the base run. Returns their evaluation ids.
 */
export function seedGalleries(home: string, ids: Record<RunRole, string[]>): { baseWhiteBox: number; advTransfer: number } {
  const store = openStore(path.join(home, 'lab.sqlite'));
  try {
    const base = ids.base[0]!;
    const adv = ids.adv[0]!;
    const record = (runId: string, sourceRunId: string | null, preds: Record<RunRole, readonly (readonly [number, number])[]>, order: RunRole[]) =>
      store.recordEvaluation(
        { runId, sourceRunId, attack: 'fgsm', norm: 'infinity', epsilon: 0.25, steps: 1, stepSize: null, restarts: 1, randomStart: false, accuracy: 0.5, perClassAccuracy: [], count: 2 },
        {
          width: 28, height: 28, classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
          samples: [0, 1].map((i) => ({
            index: i, label: i, clean: new Array<number>(784).fill(40 * i), adversarial: new Array<number>(784).fill(40 * i + 20),
            predictions: order.map((role) => ({ runId: role === 'base' ? base : adv, role, clean: preds[role][i]![0], adversarial: preds[role][i]![1] })),
          })),
        },
      ).id;
    return {
      baseWhiteBox: record(base, null, GALLERY_PREDICTIONS.baseWhiteBox, ['base', 'adv']),
      advTransfer: record(adv, base, GALLERY_PREDICTIONS.advTransfer, ['adv', 'base']),
    };
  } finally {
    store.close();
  }
}
