// The sanity checks (src/shared/sanity-flags.ts) over a run's evaluations, one test subset and one model at a time:
// points on different images, or of a checkpoint and the final model, are not comparable, so e.g. "accuracy
// non-increasing in ε" is only checked within one subset of one model.
import type { EvaluationRecord, SanityFlag } from '../../../shared/contract';
import { chanceFlag, sanityFlags, type ChanceInput, type SanityInput } from '../../../shared/sanity-flags';

function inputOf(e: EvaluationRecord): SanityInput {
  return {
    attack: e.attack,
    norm: e.norm,
    epsilon: e.epsilon,
    steps: e.steps,
    stepSize: e.stepSize,
    restarts: e.restarts,
    randomStart: e.randomStart,
    ...(e.spec ? { targets: e.spec.targets, queries: e.spec.queries } : {}),
    sourceRunId: e.sourceRunId,
    accuracy: e.accuracy,
    count: e.count,
    zeroGradFraction: e.zeroGradFraction,
    components: e.components,
  };
}

/**
 * Flags per evaluation id; an evaluation without flags is absent. With `run` (what its training did), a model that
 * stayed at chance gets the at-chance flag on its clean evaluations.
 */
export function flagsForRun(evals: readonly EvaluationRecord[], run?: Omit<ChanceInput, 'cleanAccuracy'>): Map<number, SanityFlag[]> {
  const groups = new Map<string, EvaluationRecord[]>();
  for (const e of evals) {
    const key = `${e.modelEpoch ?? 'final'}|${e.subset === null ? 'v1' : `${e.subset.dataset}|${e.subset.size}|${e.subset.indicesHash}`}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const out = new Map<number, SanityFlag[]>();
  for (const group of groups.values()) {
    sanityFlags(group.map(inputOf)).forEach((flags, i) => {
      if (flags.length) out.set(group[i]!.id, flags);
    });
  }
  if (run !== undefined) {
    for (const e of evals) {
      const f = e.attack === 'clean' ? chanceFlag({ ...run, cleanAccuracy: e.accuracy }) : null;
      if (f !== null) out.set(e.id, [...(out.get(e.id) ?? []), f]);
    }
  }
  return out;
}
