// AutoAttack (Croce & Hein 2020) as this lab runs it: APGD-CE, then APGD-T (targeted DLR over the top `targets`
// classes), then Square, each on the examples still robust after the previous ones; an example counts as robust only
// if it survives all three (the per-example worst case). The authors' standard version also runs FAB-T, which is
// not part of this lab's suite.
import { AUTOATTACK_SUITE, resolveAttack } from '../../../shared/attacks';
import { type Best } from './best';
import { type ResolvedAttack } from './spec';

/** The resolved component attacks of an `autoattack` spec, in the order they run. */
export function autoAttackComponents(a: ResolvedAttack): ResolvedAttack[] {
  return AUTOATTACK_SUITE.map((attack) =>
    resolveAttack({
      attack,
      norm: a.norm,
      epsilon: a.epsilon,
      seed: a.seed,
      ...(attack === 'square' ? { queries: a.queries, pInit: a.pInit } : { steps: a.steps }),
      ...(attack === 'apgd-t' ? { targets: a.targets } : {}),
    }),
  );
}

/** Runs the components one after the other; `stage` (dispatching one component) returns the merged best. */
export function runAutoAttack(a: ResolvedAttack, best: Best, stage: (component: ResolvedAttack, index: number, best: Best) => Best, onStage?: (index: number, best: Best) => void): Best {
  let merged = best;
  autoAttackComponents(a).forEach((component, index) => {
    merged = stage(component, index, merged);
    onStage?.(index, merged);
  });
  return merged;
}
