// The learning-rate step decay of HParams (lrMilestones, lrGamma): its rule, the rate per epoch and how it reads.
import { type HParams } from './schemas';

export const LR_MILESTONES_MAX = 16;

type Schedule = Pick<HParams, 'learningRate'> & Partial<Pick<HParams, 'lrMilestones' | 'lrGamma'>>;

/** The rate of 0-based epoch `epoch`: learningRate · lrGamma^(milestones ≤ epoch), as PyTorch's MultiStepLR. */
export function scheduledLearningRate(h: Schedule, epoch: number): number {
  const passed = (h.lrMilestones ?? []).filter((m) => m <= epoch).length;
  return h.learningRate * (h.lrGamma ?? 1) ** passed;
}

/** What is wrong with the milestones for a run of `epochs`, or undefined (the schema, the CLI and the form show it). */
export function lrMilestonesProblem(milestones: readonly number[], epochs: number): string | undefined {
  for (let i = 0; i < milestones.length; i++) {
    const m = milestones[i]!;
    if (i > 0 && m <= milestones[i - 1]!) return `must be strictly increasing (got ${milestones.join(', ')})`;
    if (m >= epochs) return `must each be below epochs (${epochs}): after epoch ${m} no epoch is left to decay`;
  }
  return undefined;
}

/** "lr 0.001", or "lr 0.001, × 0.1 after epochs 10, 11". */
export function learningRateText(h: Schedule): string {
  const m = h.lrMilestones ?? [];
  return m.length === 0 ? `lr ${h.learningRate}` : `lr ${h.learningRate}, × ${h.lrGamma ?? 1} after epoch${m.length > 1 ? 's' : ''} ${m.join(', ')}`;
}
