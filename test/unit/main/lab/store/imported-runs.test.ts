// Imported runs in a real SQLite file: one completed run of kind 'imported' with its model artifact, or, when putting
// the model in place fails, nothing at all.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunConfig } from '../../../../../src/shared/contract';
import { AdvRegSchema, ExperimentConfigSchema, HParamsSchema } from '../../../../../src/shared/schemas';
import { type Store } from '../../../../../src/main/lab/store';
import { cleanup, makeTempDir, openTemp } from './helpers';

let dir: string;
let store: Store;

beforeEach(() => {
  dir = makeTempDir();
  store = openTemp(dir);
});
afterEach(() => {
  store.close();
  cleanup(dir);
});

function input(placeModel: (runId: string) => string) {
  const experimentConfig = ExperimentConfigSchema.parse({ name: 'mine', runs: ['base'], advReg: { multiplier: 0 } });
  const config: RunConfig & { imported: NonNullable<RunConfig['imported']> } = {
    role: 'base',
    hparams: HParamsSchema.parse({ epochs: 1 }),
    advReg: AdvRegSchema.parse({ multiplier: 0 }),
    data: experimentConfig.data,
    seed: 3,
    splitSeed: 3,
    attacks: [],
    imported: { sourcePath: '/models/m/model.json', layers: 2, parameters: 7850, inputKind: 'flat', outputKind: 'logits' },
  };
  return { name: ' mine ', experimentConfig, config, tags: ['byo'], placeModel };
}

describe('createImportedRun', () => {
  it('stores one completed, never-trained run with its output kind and model artifact', () => {
    const { experiment, run } = store.createImportedRun(input((runId) => `${store.runFolder(runId)}/model/model.json`));
    expect(run).toMatchObject({ name: 'mine', role: 'base', status: 'completed', kind: 'imported', outputKind: 'logits', epochsDone: 0, seed: 3, tags: ['byo'], experimentId: experiment.id });
    expect(run.startedAt).toBe(run.finishedAt);
    expect(experiment).toMatchObject({ name: 'mine', runIds: [run.id], tags: ['byo'] });
    const detail = store.getRun(run.id);
    expect(detail.config.imported).toEqual(input(() => '').config.imported);
    expect(detail.artifacts).toEqual([{ kind: 'model', path: `${store.runFolder(run.id)}/model/model.json`, createdAt: expect.any(String) }]);
    expect(store.listJobs()).toEqual([]);
  });

  it('stores nothing when the model cannot be put in place', () => {
    expect(() => store.createImportedRun(input(() => {
      throw new Error('disk full');
    }))).toThrow('disk full');
    expect(store.listExperiments()).toEqual([]);
    expect(store.listRuns()).toEqual([]);
  });

  it('keeps trained runs as kind trained with no output kind recorded', () => {
    const config = ExperimentConfigSchema.parse({ name: 'trained', runs: ['base'] });
    const runConfig: RunConfig = { role: 'base', hparams: config.hparams, advReg: config.advReg, data: config.data, seed: 0, attacks: [] };
    const { runs } = store.createExperiment(config, [{ role: 'base', name: 'trained · base', config: runConfig }]);
    expect(runs[0]).toMatchObject({ kind: 'trained', outputKind: null, status: 'queued' });
  });
});
