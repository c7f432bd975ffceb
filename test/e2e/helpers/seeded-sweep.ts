// A finished (or partly finished) sweep written straight into a lab's SQLite store, as the host's createSweep lays it
// out (one experiment per planned cell, its runs per seed and model; with `sharedBase`, one more experiment of the base
// runs every cell shares, the cells then adv only), with no training: each run's clean accuracy and
// headline robust accuracy come from a clean and a PGD-20 ∞ ε0.2 evaluation (per-example masks on one 64-image
// subset), or the run is left failed or queued, as `outcome` says.
import path from 'node:path';
import { plannedRunsOf } from '../../../src/main/lab/service/run-config';
import { openStore } from '../../../src/main/lab/store';
import { type RunRole, type TestSubset } from '../../../src/shared/contract';
import { type ExperimentConfig } from '../../../src/shared/schemas';
import { runName } from '../../../src/shared/seeds';
import { planSweep } from '../../../src/shared/sweep-plan';
import { SweepSpecSchema, type AxisValue, type SweepSpecInput } from '../../../src/shared/sweep-spec';

export const SWEEP_IMAGES = 64;
const SUBSET: TestSubset = { dataset: 'mnist-sample', splitSeed: 0, size: SWEEP_IMAGES, indicesHash: '5eeb5eeb5eeb5eeb' };
const LABELS = Uint8Array.from({ length: SWEEP_IMAGES }, (_, i) => i % 10);

/** Of the 64 test images, how many the run gets right clean and under the attack; or a run that failed or waits. */
export type RunOutcome = { clean: number; robust: number } | 'failed' | 'queued';

export interface SeededRun {
  role: RunRole;
  /** The model group's label: 'base', or the defence's ('adv' for NSL). */
  label: string;
  seed: number;
}

export interface SeededSweep {
  sweepId: string;
  /** The shared base runs (base first in Compare's order), empty without `sharedBase`. */
  baseRuns: (SeededRun & { id: string })[];
  /** Per cell in grid order: its index, values, experiment and run ids (base first, seed by seed). */
  cells: { index: number; values: Record<string, AxisValue>; experimentId: string; runIds: string[]; runs: (SeededRun & { id: string })[] }[];
}

const mask = (correct: number) => Uint8Array.from({ length: SWEEP_IMAGES }, (_, i) => (i < correct ? 1 : 0));
const predictions = (correct: number) => LABELS.map((label, i) => (i < correct ? label : (label + 1) % 10));

/** `outcome` of a shared base run gets cell -1. */
export function seedSweep(home: string, input: SweepSpecInput, outcome: (cell: number, run: SeededRun) => RunOutcome, opts: { sharedBase?: boolean; workers?: number | null } = {}): SeededSweep {
  const spec = SweepSpecSchema.parse(input);
  const plan = planSweep(spec, { yes: true });
  const store = openStore(path.join(home, 'lab.sqlite'));

  /** Creates the experiment with its runs and stores each run's outcome. */
  function experiment(config: ExperimentConfig, cell: number) {
    const planned = plannedRunsOf(config);
    const inputs = config.seeds.flatMap((seed) => planned.map((p) => ({ role: p.role, name: runName(config.name, p.label, seed, config.seeds.length), config: { ...p.config, seed, splitSeed: config.seed }, label: p.label })));
    const created = store.createExperiment(config, inputs.map(({ label: _label, ...rest }) => rest));
    const runs = created.runs.map((r, i) => ({ id: r.id, role: inputs[i]!.role, label: inputs[i]!.label, seed: inputs[i]!.config.seed }));
    for (const r of runs) {
      const o = outcome(cell, r);
      if (o === 'queued') continue;
      store.setRunStatus(r.id, 'running');
      if (o === 'failed') {
        store.setRunStatus(r.id, 'failed', { error: 'seeded failure' });
        continue;
      }
      store.recordEpoch(r.id, 1, { loss: 0.5, sparse_categorical_accuracy: o.clean / SWEEP_IMAGES }, 1000, []);
      const record = (attack: 'clean' | 'pgd', correct: number) =>
        store.recordEvaluation({
          runId: r.id, sourceRunId: null, attack, norm: 'infinity', epsilon: attack === 'clean' ? 0 : 0.2, steps: attack === 'pgd' ? 20 : 0, stepSize: attack === 'pgd' ? 0.025 : null,
          restarts: 1, randomStart: attack === 'pgd', accuracy: correct / SWEEP_IMAGES, perClassAccuracy: [], count: SWEEP_IMAGES, mask: mask(correct), labels: LABELS, predictions: predictions(correct), subset: SUBSET,
        });
      record('clean', o.clean);
      record('pgd', o.robust);
      store.setRunStatus(r.id, 'completed');
    }
    return { experimentId: created.experiment.id, runs };
  }

  try {
    return store.transaction(() => {
      const first = plan.cells[0]!.config;
      const base = opts.sharedBase ? experiment({ ...first, name: `${spec.name} · base`, runs: ['base'] }, -1) : null;
      const cells = plan.cells.map((c) => {
        const made = experiment(base ? { ...c.config, runs: c.config.runs.filter((r) => r !== 'base') } : c.config, c.index);
        return { index: c.index, values: c.values, experimentId: made.experimentId, runIds: made.runs.map((r) => r.id), runs: made.runs };
      });
      const sweep = store.createSweep({
        spec, gridSize: plan.gridSize, workers: opts.workers === undefined ? 2 : opts.workers, baseExperimentId: base?.experimentId ?? null,
        cells: cells.map((c) => ({ index: c.index, values: c.values, experimentId: c.experimentId })),
      });
      return { sweepId: sweep.id, baseRuns: base?.runs ?? [], cells };
    });
  } finally {
    store.close();
  }
}
