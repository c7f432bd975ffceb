// Numbers derived from stored evaluations: the 95% interval of an accuracy and the per-example ensemble of attacks.
import { LabError } from '../../../shared/errors';

export { wilsonInterval } from '../../../shared/wilson';

/** Examples robust to every attack: the element-wise AND of per-example correctness masks (1 = still correct). */
export function ensembleMask(masks: readonly Uint8Array[]): Uint8Array {
  if (masks.length === 0) throw new LabError('invalid_argument', 'an ensemble needs at least one evaluation', 'evaluationIds');
  const n = masks[0]!.length;
  const out = new Uint8Array(n).fill(1);
  for (const m of masks) {
    if (m.length !== n) throw new LabError('invalid_argument', `masks of ${n} and ${m.length} examples cannot be combined: the evaluations scored different test subsets`, 'evaluationIds');
    for (let i = 0; i < n; i++) if (m[i] !== 1) out[i] = 0;
  }
  return out;
}

export function countCorrect(mask: Uint8Array): number {
  let c = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] === 1) c++;
  return c;
}
