// The New-sweep form's live plan: a moment after the last edit, planSweep of the sweep as typed (the host validates
// every cell and prices it, storing nothing); its answer or refusal for exactly that request, never an older one.
import { LabError } from '../../../shared/errors';
import { type SweepPlanView } from '../../../shared/sweep-contract';
import { type SweepSpecInput } from '../../../shared/sweep-spec';
import { getLab } from '../api/lab';
import { debounce } from './debounce';

export const PLAN_DEBOUNCE_MS = 400;

export class SweepPlanner {
  plan = $state.raw<SweepPlanView | null>(null);
  error = $state.raw<LabError | null>(null);
  /** Waiting for the quiet period or the host's answer. */
  pending = $state(false);
  /** The request the plan or error answers (JSON), '' for none. */
  answered = $state('');
  private wanted: { key: string; spec: SweepSpecInput } | null = null;
  private readonly ask = debounce(() => void this.send(), PLAN_DEBOUNCE_MS);

  /** Plans `spec` soon; null (no base config yet) clears the plan. */
  request(spec: SweepSpecInput | null): void {
    if (spec === null) {
      this.ask.cancel();
      this.wanted = null;
      this.plan = null;
      this.error = null;
      this.pending = false;
      this.answered = '';
      return;
    }
    const key = JSON.stringify(spec);
    if (this.wanted?.key === key) return;
    this.wanted = { key, spec };
    this.pending = true;
    this.ask();
  }

  stop(): void {
    this.ask.cancel();
    this.wanted = null;
  }

  private async send(): Promise<void> {
    const wanted = this.wanted;
    if (!wanted) return;
    try {
      const plan = await getLab().planSweep({ spec: wanted.spec });
      if (this.wanted !== wanted) return;
      this.plan = plan;
      this.error = null;
    } catch (err) {
      if (this.wanted !== wanted) return;
      this.plan = null;
      this.error = LabError.wrap(err);
    }
    this.answered = wanted.key;
    this.pending = false;
  }
}
