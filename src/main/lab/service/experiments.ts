// createExperiment / deleteExperiment: one run per (seed, role, defence) from one config, queued seed by seed, base first.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { type ExperimentSummary, type LabParsedRequest as Req, type RunSummary } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { runName } from '../../../shared/seeds';
import { type ExperimentConfig } from '../../../shared/schemas';
import { type NewRunInput, type Store } from '../store';
import { checkAdvReg } from '../worker/adv-reg-input';
import { checkBaseModel } from './base-model';
import { checkDataSplit } from './data-split-check';
import { underConfig } from './config-errors';
import { checkAttackSuite, plannedRunsOf } from './run-config';
import { type ServiceContext } from './service';

/**
 * An experiment's runs, one per (seed, role, defence), each config checked by the worker's own rules (attack suite,
 * adversarial settings) — what needs no file or worker; refusals name the config field.
 */
export function plannedExperiment(requested: ExperimentConfig): { config: ExperimentConfig; inputs: NewRunInput[] } {
  // the worker may run in another folder than the caller: a relative base model path is pinned to the caller's
  const config = requested.baseModelPath === undefined ? requested : { ...requested, baseModelPath: path.resolve(requested.baseModelPath) };
  // every run shares the experiment's split; each seed's base and adv runs share init, data order and attack suite
  let planned: ReturnType<typeof plannedRunsOf>;
  try {
    planned = plannedRunsOf(config);
  } catch (err) {
    throw underConfig(err);
  }
  const inputs: NewRunInput[] = config.seeds.flatMap((seed) =>
    planned.map((p) => ({ role: p.role, name: runName(config.name, p.label, seed, config.seeds.length), config: { ...p.config, seed, splitSeed: config.seed } })),
  );
  try {
    for (const input of inputs) {
      checkAttackSuite(input.config);
      checkAdvReg(input.config);
    }
  } catch (err) {
    throw underConfig(err);
  }
  return { config, inputs };
}

/** Stores the experiment with its runs queued, seed by seed, base first; call inside a store transaction. */
export function storeExperiment(store: Store, config: ExperimentConfig, inputs: readonly NewRunInput[]): { experiment: ExperimentSummary; runs: RunSummary[] } {
  const r = store.createExperiment(config, inputs);
  for (const run of r.runs) store.enqueueJob({ kind: 'train', runId: run.id, payload: {} });
  return r;
}

export function experimentMethods(ctx: ServiceContext) {
  const { store, bus, runner } = ctx;

  async function createExperiment({ config: requested }: Req<'createExperiment'>): Promise<{ experiment: ExperimentSummary; runs: RunSummary[] }> {
    const { config, inputs } = plannedExperiment(requested);
    await checkDataSplit(config.data, ctx.cacheDir, config.hparams);
    if (config.baseModelPath !== undefined) await checkBaseModel(ctx.inspectModel, config.baseModelPath, config.hparams);
    const created = store.transaction(() => storeExperiment(store, config, inputs));
    for (const run of created.runs) bus.emit('run-status', { runId: run.id, experimentId: run.experimentId, status: run.status });
    runner.kick();
    return created;
  }

  async function deleteExperiment({ experimentId }: Req<'deleteExperiment'>): Promise<{ deleted: string[] }> {
    const experiment = store.getExperiment(experimentId);
    const busy = runner.running.find((a) => experiment.runIds.includes(a.runId));
    if (busy) {
      throw new LabError('failed_precondition', `experiment ${experimentId} cannot be deleted while its run ${busy.runId} is ${busy.kind === 'train' ? 'training' : 'being evaluated'}; cancel it first`, 'experimentId');
    }
    const { runIds, folders } = store.deleteExperiment(experimentId);
    await Promise.all(folders.map((f) => fs.rm(f, { recursive: true, force: true })));
    return { deleted: [experimentId, ...runIds] };
  }

  return { createExperiment, deleteExperiment };
}
