// A lab with finished runs over several seeds, written through the real SQLite store (no training): an experiment's
// base and adv runs per seed with epoch metrics and FGSM/PGD evaluations at several ε (white-box, and transfer from
// each seed's own base run), each with a per-example mask on one shared test subset, so ensembles and headlines exist.
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

/** Correct examples (of 64) per seed, role and attack, chosen so that means and stds are easy to check by hand. */
export function seededCorrect(role: RunRole, seed: number, attack: 'clean' | 'fgsm' | 'pgd' | 'transfer', epsilon: number): number {
  const base = role === 'adv' ? 48 : 24;
  const byAttack = { clean: 62, fgsm: base, pgd: base - 8, transfer: base + 6 }[attack];
  return attack === 'clean' ? byAttack - 2 * seed : Math.max(0, Math.round(byAttack - 40 * epsilon * (role === 'adv' ? 1 : 1.5)) - 4 * seed);
}

/** Creates the experiment in `<home>/lab.sqlite` and returns its run ids by role, in seed order. */
export function seedLab(home: string, name: string, seeds: readonly number[]): Record<RunRole, string[]> {
  const store = openStore(path.join(home, 'lab.sqlite'));
  try {
    const config = ExperimentConfigSchema.parse({ name, seeds, seed: seeds[0], hparams: { epochs: 3 } });
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
          store.recordEpoch(runId, e + 1, { loss: 1 - a, sparse_categorical_crossentropy: 0.9 - a, sparse_categorical_accuracy: a }, 1000, []);
        });
        const record = (attack: 'clean' | 'fgsm' | 'pgd' | 'transfer', epsilon: number) => {
          const correct = seededCorrect(role, seed, attack, epsilon);
          const kind = attack === 'transfer' ? 'fgsm' : attack;
          store.recordEvaluation({
            runId, sourceRunId: attack === 'transfer' ? ids.base[i]! : null, attack: kind, norm: 'infinity', epsilon: attack === 'clean' ? 0 : epsilon,
            steps: kind === 'pgd' ? 20 : kind === 'fgsm' ? 1 : 0, stepSize: kind === 'pgd' ? epsilon / 8 : null, restarts: 1, randomStart: kind === 'pgd',
            accuracy: correct / SEEDED_COUNT, perClassAccuracy: [], count: SEEDED_COUNT, mask: mask(correct), subset: SUBSET,
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
