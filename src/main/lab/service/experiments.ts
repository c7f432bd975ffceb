// createExperiment / deleteExperiment: one run per (seed, role) from one config (base: multiplier 0), queued seed by seed, base → adv.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { type z } from 'zod';
import { type ExperimentSummary, type LAB_REQUEST_SCHEMAS, type RunSummary } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { type RunRole } from '../../../shared/schemas';
import { runName } from '../../../shared/seeds';
import { type NewRunInput } from '../store';
import { checkAdvReg } from '../worker/adv-reg-input';
import { checkBaseModel } from './base-model';
import { checkDataSplit } from './data-split-check';
import { checkAttackSuite, runConfigFor } from './run-config';
import { type ServiceContext } from './service';

type Req<M extends keyof typeof LAB_REQUEST_SCHEMAS> = z.infer<(typeof LAB_REQUEST_SCHEMAS)[M]>;

/** Base first: the adv run's transfer attacks need the base model, and the queue runs jobs in order. */
const ROLE_ORDER: Record<RunRole, number> = { base: 0, adv: 1 };

/** Adds `config.` in front of a field named relative to the experiment config. */
function underConfig(err: unknown): LabError {
  const e = LabError.wrap(err, 'invalid_argument');
  return new LabError(e.code, `config.${e.message}`, e.field === undefined ? 'config' : `config.${e.field}`);
}

export function experimentMethods(ctx: ServiceContext) {
  const { store, bus, runner } = ctx;

  async function createExperiment({ config: requested }: Req<'createExperiment'>): Promise<{ experiment: ExperimentSummary; runs: RunSummary[] }> {
    // the worker may run in another folder than the caller: a relative base model path is pinned to the caller's
    const config = requested.baseModelPath === undefined ? requested : { ...requested, baseModelPath: path.resolve(requested.baseModelPath) };
    const roles = [...config.runs].sort((a, b) => ROLE_ORDER[a] - ROLE_ORDER[b]);
    // every run shares the experiment's split; each seed's base and adv share init, data order and attack suite
    const inputs: NewRunInput[] = config.seeds.flatMap((seed) =>
      roles.map((role) => ({ role, name: runName(config.name, role, seed, config.seeds.length), config: { ...runConfigFor(config, role), seed, splitSeed: config.seed } })),
    );
    try {
      for (const input of inputs) {
        checkAttackSuite(input.config);
        checkAdvReg(input.config);
      }
    } catch (err) {
      throw underConfig(err);
    }
    await checkDataSplit(config.data, ctx.cacheDir);
    if (config.baseModelPath !== undefined) await checkBaseModel(ctx.inspectModel, config.baseModelPath, config.hparams);
    const created = store.transaction(() => {
      const r = store.createExperiment(config, inputs);
      for (const run of r.runs) store.enqueueJob({ kind: 'train', runId: run.id, payload: {} });
      return r;
    });
    for (const run of created.runs) bus.emit('run-status', { runId: run.id, experimentId: run.experimentId, status: run.status });
    runner.kick();
    return created;
  }

  async function deleteExperiment({ experimentId }: Req<'deleteExperiment'>): Promise<{ deleted: string[] }> {
    const experiment = store.getExperiment(experimentId);
    const busy = runner.current;
    if (busy && experiment.runIds.includes(busy.runId)) {
      throw new LabError('failed_precondition', `experiment ${experimentId} cannot be deleted while its run ${busy.runId} is ${busy.kind === 'train' ? 'training' : 'being evaluated'}; cancel it first`, 'experimentId');
    }
    const { runIds, folders } = store.deleteExperiment(experimentId);
    await Promise.all(folders.map((f) => fs.rm(f, { recursive: true, force: true })));
    return { deleted: [experimentId, ...runIds] };
  }

  return { createExperiment, deleteExperiment };
}
