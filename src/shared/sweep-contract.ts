// What the lab says about a sweep: its summary in listings, and each cell with its experiment's runs.
import { type RunStatus, type RunSummary } from './contract';
import { type CellStatus } from './sweep-results';
import { type AxisValue, type SweepSpec } from './sweep-spec';

/** queued: nothing started · running · completed: every run completed ·
 * failed: nothing left to run but some run failed · cancelled · interrupted: runs wait for `resume` ·
 * paused: its job queue (Redis) is unreachable; it goes on by itself once the queue is back (see pausedReason). */
export type SweepStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted' | 'paused';

export interface SweepSummary {
  id: string;
  name: string;
  createdAt: string;
  spec: SweepSpec;
  /** Cells of the whole grid; `cellCount` of them are run (all, or a random draw). */
  gridSize: number;
  cellCount: number;
  status: SweepStatus;
  /** Runs by status over every cell (each cell trains its roles × defences × seeds) and the shared base runs. */
  runs: Record<RunStatus, number>;
  /** Cells by status (each from its own runs, as src/shared/sweep-results.ts says). */
  cellsByStatus: Record<CellStatus, number>;
  /** Engine workers asked for (null: the host's default). */
  workers: number | null;
  /**
   * The experiment holding the base runs every cell shares (one per seed), when no axis changes what the base model
   * trains on; null when each cell trains its own.
   */
  baseExperimentId: string | null;
  cancelledAt: string | null;
  /** Why its queue is paused ("Redis at redis://host:6379 is unreachable since …"); null while it is not. */
  pausedReason: string | null;
}

export interface SweepCell {
  /** Position in the full grid (see src/shared/sweep-plan.ts). */
  index: number;
  values: Record<string, AxisValue>;
  experimentId: string;
  name: string;
  runs: RunSummary[];
}

export interface SweepDetail extends SweepSummary {
  /** In grid order. */
  cells: SweepCell[];
  /** The shared base runs (see baseExperimentId); empty when each cell has its own. */
  baseRuns: RunSummary[];
}

/** A sweep before it starts: its cells and what they will cost at this lab's speed (stores nothing). */
export interface SweepPlanView {
  gridSize: number;
  cells: { index: number; name: string; values: Record<string, AxisValue> }[];
  /** Runs to train over every cell and seed (the shared base runs once). */
  runs: number;
  /** Whether the cells share one base run per seed (no axis changes what the base model trains on). */
  sharedBase: boolean;
  estimate: { trainingSeconds: number; evaluationSecondsAtMost: number; basis: 'measured' | 'default' };
}
