// importModel: a user's TF.js layers classifier becomes a completed run with no training, which can then be evaluated,
// compared, shown in galleries and exported like any run. The file is checked and converted in an engine worker
// (model-inspector.ts); the host only moves the worker's copy into the new run's folder.
import { randomUUID } from 'node:crypto';
import { mkdirSync, promises as fs, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { type ExperimentSummary, type LabParsedRequest, type RunConfig, type RunSummary } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { ExperimentConfigSchema, HParamsSchema } from '../../../shared/schemas';
import { listDatasets } from '../data/catalog';
import { IMAGE_HEIGHT, IMAGE_WIDTH } from '../data/dataset';
import { MODEL_JSON } from '../run/model-file-names';
import { inspectUserModel } from './base-model';
import { checkDataSplit } from './data-split-check';
import { type ServiceContext } from './service';

type Req = LabParsedRequest<'importModel'>;

const FIELD = 'modelPath';

/** The split check speaks of the experiment form's `config.data`; here the request's field is `data`. */
async function checkSplit(data: Req['data'], cacheDir: string): Promise<void> {
  try {
    await checkDataSplit(data, cacheDir);
  } catch (err) {
    const e = LabError.wrap(err, 'invalid_argument');
    throw new LabError(e.code, e.message.replace(/^config\./, ''), e.field?.replace(/^config\./, ''));
  }
}

/** Classes of the request's dataset; the model must output one score per class. */
async function classCount(data: Req['data'], cacheDir: string): Promise<number> {
  const spec = data.dataset;
  const id = spec.kind === 'imported' ? spec.id : spec.kind;
  const listing = (await listDatasets({ cacheDir })).find((d) => d.id === id);
  if (!listing) throw new LabError('invalid_argument', `data.dataset names no dataset the lab has: "${id}"; import it first`, 'data.dataset');
  // a run on a dataset that is not here could never be evaluated
  if (!listing.ready) throw new LabError('invalid_argument', `data.dataset "${id}" is not on this machine yet${listing.problem ? ` (${listing.problem})` : ''}; download it first`, 'data.dataset');
  return listing.classNames.length;
}

export function importModelMethods(ctx: ServiceContext) {
  const { store, bus } = ctx;

  async function importModel(req: Req): Promise<{ experiment: ExperimentSummary; run: RunSummary }> {
    // a relative path would mean the host's working directory, which means nothing to a UI user (the CLI resolves its own)
    if (!path.isAbsolute(req.modelPath)) throw new LabError('invalid_argument', `${FIELD} must be an absolute path on the machine running the lab (got "${req.modelPath}")`, FIELD);
    const sourcePath = path.normalize(req.modelPath);
    await checkSplit(req.data, ctx.cacheDir);
    const hparams = HParamsSchema.parse({ inputShape: [IMAGE_HEIGHT, IMAGE_WIDTH, 1], numClasses: await classCount(req.data, ctx.cacheDir), epochs: 1 });
    const staging = path.join(store.runsDir, `.import-${randomUUID()}`);
    const stagedModel = path.join(staging, 'model');
    try {
      // its clean accuracy on the run's own test split comes with the check, so the run is comparable at once
      const cleanOn = { dataset: req.data.dataset, testSize: req.data.testSize, splitSeed: req.seed, cacheDir: ctx.cacheDir };
      const inspection = await inspectUserModel(ctx.inspectModel, sourcePath, hparams, FIELD, stagedModel, cleanOn);
      if (inspection.savedModelPath === null) throw new LabError('internal', 'the engine worker did not save the checked model');
      const experimentConfig = ExperimentConfigSchema.parse({ name: req.name, hparams, advReg: { multiplier: 0 }, data: req.data, seed: req.seed, runs: ['base'], attacks: [], tags: req.tags });
      const config: RunConfig & { imported: NonNullable<RunConfig['imported']> } = {
        role: 'base',
        hparams,
        advReg: experimentConfig.advReg,
        data: experimentConfig.data,
        seed: req.seed,
        splitSeed: req.seed,
        attacks: [],
        imported: { sourcePath, layers: inspection.layers, parameters: inspection.parameters, inputKind: inspection.inputKind, outputKind: inspection.outputKind },
      };
      let placed: string | null = null;
      let created;
      try {
        created = store.createImportedRun({
          name: req.name,
          experimentConfig,
          config,
          tags: req.tags,
          placeModel: (runId) => {
            const dir = store.runFolder(runId);
            mkdirSync(dir, { recursive: true });
            placed = dir;
            renameSync(stagedModel, path.join(dir, 'model'));
            return path.join(dir, 'model', MODEL_JSON);
          },
        });
      } catch (err) {
        // the transaction rolled back: the run's folder must not outlive it
        if (placed !== null) rmSync(placed, { recursive: true, force: true });
        throw err;
      }
      if (inspection.clean !== undefined) {
        const evaluation = store.recordEvaluation({ ...inspection.clean, runId: created.run.id });
        bus.emit('evaluation', { runId: created.run.id, evaluation });
        created = { ...created, run: store.getRunSummary(created.run.id) };
      }
      bus.emit('run-status', { runId: created.run.id, experimentId: created.experiment.id, status: created.run.status });
      bus.emit('log', { level: 'info', runId: created.run.id, message: `${created.run.id}: imported ${sourcePath} (${inspection.layers} layers, ${inspection.parameters} parameters, outputs ${inspection.outputKind})` });
      return created;
    } finally {
      await fs.rm(staging, { recursive: true, force: true });
    }
  }

  return { importModel };
}
