// The host's sweep methods: plan (with its cost), create (every cell validated before anything is stored, then all of
// it in one transaction), list, read, cancel and resume (re-queues what did not finish, never what did).
import { type ExperimentEstimate, estimateExperiment, forwardMacs } from '../../../shared/cost-estimate';
import { type RunStatus, type RunSummary } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { type ExperimentConfig } from '../../../shared/schemas';
import { type SweepDetail, type SweepPlanView, type SweepSummary } from '../../../shared/sweep-contract';
import { planSweep, type SweepPlan } from '../../../shared/sweep-plan';
import { type SweepSpec } from '../../../shared/sweep-spec';
import { type NewRunInput } from '../store';
import { checkBaseModel } from '../service/base-model';
import { checkDataSplit } from '../service/data-split-check';
import { measuredNsPerMac } from '../service/estimate';
import { plannedExperiment, storeExperiment } from '../service/experiments';
import { plannedRunsOf } from '../service/run-config';
import { type ServiceContext } from '../service/service';

export interface SweepRunControl {
  cancelRun(req: { runId: string }): Promise<RunSummary>;
  resumeRun(runId: string): Promise<RunSummary>;
}

const RESUMABLE: ReadonlySet<RunStatus> = new Set(['interrupted', 'failed', 'cancelled']);
const UNFINISHED: ReadonlySet<RunStatus> = new Set(['queued', 'running', 'interrupted']);

/** A refusal from a cell's config, named under the sweep's base config (the field a person edits). */
function underCell(err: unknown, cell: string): LabError {
  const e = LabError.wrap(err, 'invalid_argument');
  return new LabError(e.code, `${cell}: ${e.message}`, e.field === undefined ? 'spec' : `spec.base.${e.field.replace(/^config\./, '')}`);
}

/** `defaultWorkers` is the machine's worker count, for a sweep that does not ask for its own. */
type Planned = { config: ExperimentConfig; inputs: NewRunInput[] };

/** What a base run trains and is attacked with: its advReg is unused (the base model has no adversarial term). */
const baseRunKey = (input: NewRunInput): string => JSON.stringify({ ...input.config, advReg: null });

/**
 * The one experiment of base runs every cell can share: when every cell trains base runs and they would be the same
 * (same seeds, model, data, split, attack suite), so the axes only change what the adv runs train with. Null otherwise.
 */
function sharedBase(spec: SweepSpec, cells: readonly Planned[]): Planned | null {
  // a cell must keep an adv run of its own: with base runs only there is nothing to share them with
  if (cells.length < 2 || !cells.every((c) => c.config.runs.includes('base') && c.config.runs.includes('adv'))) return null;
  const keys = cells.map((c) => c.inputs.filter((i) => i.role === 'base').map(baseRunKey).join('\n'));
  if (keys.some((k) => k !== keys[0])) return null;
  const first = cells[0]!.config;
  return plannedExperiment({ ...first, name: `${spec.name} · base`, runs: ['base'] });
}

export function sweepMethods(ctx: ServiceContext, runs: SweepRunControl, defaultWorkers: () => number) {
  const { store, bus, runner } = ctx;

  /**
   * Every cell's runs, checked as createExperiment checks one experiment; the files and models once per distinct use.
   * When every cell's base runs would be the same, they move into one shared experiment and the cells train adv only.
   */
  async function prepare(spec: SweepSpec, yes: boolean): Promise<{ plan: SweepPlan; cells: Planned[]; base: Planned | null }> {
    const plan = planSweep(spec, { yes });
    const plannedCells = plan.cells.map((c) => {
      try {
        return plannedExperiment(c.config);
      } catch (err) {
        throw underCell(err, c.name);
      }
    });
    const shared = sharedBase(spec, plannedCells);
    const cells = shared === null ? plannedCells : plannedCells.map(({ config }) => plannedExperiment({ ...config, runs: config.runs.filter((r) => r !== 'base') }));
    const checked = new Set<string>();
    for (const [i, { config }] of cells.entries()) {
      const key = JSON.stringify([config.data, config.hparams.inputShape, config.hparams.numClasses, config.baseModelPath ?? null]);
      if (checked.has(key)) continue;
      checked.add(key);
      try {
        await checkDataSplit(config.data, ctx.cacheDir, config.hparams);
        if (config.baseModelPath !== undefined) await checkBaseModel(ctx.inspectModel, config.baseModelPath, config.hparams);
      } catch (err) {
        throw underCell(err, plan.cells[i]!.name);
      }
    }
    return { plan, cells, base: shared };
  }

  async function planSweepView({ spec }: { spec: SweepSpec }): Promise<SweepPlanView> {
    const prepared = await prepare(spec, true);
    const { plan } = prepared;
    const cells = prepared.base === null ? prepared.cells : [...prepared.cells, prepared.base];
    let training = 0;
    let evaluation = 0;
    let basis: ExperimentEstimate['basis'] = 'measured';
    const speeds = new Map<number, number | undefined>();
    for (const { config } of cells) {
      const macs = forwardMacs(config.hparams);
      if (!speeds.has(macs)) speeds.set(macs, measuredNsPerMac(store, macs));
      const e = estimateExperiment(config, plannedRunsOf(config), speeds.get(macs));
      training += e.trainingSeconds;
      evaluation += e.evaluationSecondsAtMost;
      if (e.basis === 'default') basis = 'default';
    }
    return {
      gridSize: plan.gridSize,
      cells: plan.cells.map((c) => ({ index: c.index, name: c.name, values: c.values })),
      runs: cells.reduce((n, c) => n + c.inputs.length, 0),
      sharedBase: prepared.base !== null,
      estimate: { trainingSeconds: training, evaluationSecondsAtMost: evaluation, basis },
    };
  }

  async function createSweep(req: { spec: SweepSpec; yes: boolean; workers?: number | undefined }): Promise<SweepSummary> {
    const { plan, cells, base } = await prepare(req.spec, req.yes);
    const { sweep, created } = store.transaction(() => {
      // the shared base runs first: they are queued ahead of every adv run that waits for them
      const shared = base === null ? null : storeExperiment(store, base.config, base.inputs);
      const made = cells.map(({ config, inputs }) => storeExperiment(store, config, inputs));
      const s = store.createSweep({
        spec: req.spec,
        gridSize: plan.gridSize,
        workers: req.workers ?? null,
        baseExperimentId: shared?.experiment.id ?? null,
        cells: plan.cells.map((c, i) => ({ index: c.index, values: c.values, experimentId: made[i]!.experiment.id })),
      });
      return { sweep: s, created: shared === null ? made : [shared, ...made] };
    });
    runner.ensureSlots(req.workers ?? defaultWorkers());
    for (const { runs: list } of created) for (const run of list) bus.emit('run-status', { runId: run.id, experimentId: run.experimentId, status: run.status });
    bus.emit('log', { level: 'info', message: `sweep ${sweep.id} (${sweep.name}): ${sweep.cellCount} cells, ${created.reduce((n, c) => n + c.runs.length, 0)} runs queued` });
    runner.kick();
    return sweep;
  }

  /** Cancels every run of the sweep that has not finished (queued ones leave the queue; a running one stops at its next batch). */
  async function cancelSweep({ sweepId }: { sweepId: string }): Promise<SweepDetail> {
    const detail = store.getSweep(sweepId);
    store.setSweepCancelled(sweepId, true);
    const open = [...detail.baseRuns, ...detail.cells.flatMap((c) => c.runs)].filter((r) => UNFINISHED.has(r.status));
    // queued ones first, so the runner does not start one of them while the running one stops
    open.sort((a, b) => Number(a.status === 'running') - Number(b.status === 'running'));
    for (const r of open) await runs.cancelRun({ runId: r.id });
    return store.getSweep(sweepId);
  }

  /** Re-queues every run that did not finish, from its last checkpoint; completed runs are never run again. */
  async function resumeSweep({ sweepId }: { sweepId: string }): Promise<SweepDetail> {
    const detail = store.getSweep(sweepId);
    // the shared base runs first, so the adv runs that wait for them can follow
    const again = [...detail.baseRuns, ...detail.cells.flatMap((c) => c.runs)].filter((r) => RESUMABLE.has(r.status));
    store.setSweepCancelled(sweepId, false);
    const refused: string[] = [];
    for (const r of again) {
      try {
        await runs.resumeRun(r.id);
      } catch (err) {
        // one run that cannot go on (its checkpoint was removed by hand) must not keep the others waiting
        refused.push(`${r.id}: ${LabError.wrap(err).message}`);
      }
    }
    if (refused.length > 0) bus.emit('log', { level: 'warn', message: `sweep ${sweepId}: ${refused.length} run${refused.length === 1 ? '' : 's'} could not be resumed: ${refused.join('; ')}` });
    runner.ensureSlots(detail.workers ?? defaultWorkers());
    return store.getSweep(sweepId);
  }

  return {
    planSweep: planSweepView,
    createSweep,
    listSweeps: (): SweepSummary[] => store.listSweeps(),
    getSweep: ({ sweepId }: { sweepId: string }): SweepDetail => store.getSweep(sweepId),
    cancelSweep,
    resumeSweep,
  };
}
