// Checks a user's base model before an experiment is stored, so a bad model.json is refused as bad input and never
// becomes a queued run that fails later in the worker. The check itself runs in an engine worker (model-inspector.ts):
// the host only tests that the path exists.
import { promises as fs } from 'node:fs';
import { LabError } from '../../../shared/errors';
import { type HParams } from '../../../shared/schemas';
import { type InspectModelRequest, type ModelInspection } from '../worker/protocol';
import { type InspectModel } from './model-inspector';

/** Fields the model importer names; an error on any of them is about the user's model file. */
const IMPORTER_FIELDS = new Set(['modelPath', 'inputShape', 'numClasses']);

/** The importer's error as a refused request on `field`: whatever it called the problem (corrupt, unsupported, unreadable), the file is bad input here. */
export function refusedModel(err: unknown, field: string): unknown {
  if (!(err instanceof LabError) || err.code === 'engine_error' || (err.field !== undefined && !IMPORTER_FIELDS.has(err.field))) return err;
  return new LabError('invalid_argument', `${field} is not a usable TF.js layers model: ${err.message}`, field);
}

/** Refuses a path that does not name an existing file, before any worker is started. */
export async function checkModelFileExists(modelPath: string, field: string): Promise<void> {
  let isFile = false;
  try {
    isFile = (await fs.stat(modelPath)).isFile();
  } catch {
    throw new LabError('invalid_argument', `${field} must be the model.json of a saved TF.js layers model (${modelPath} does not exist)`, field);
  }
  if (!isFile) throw new LabError('invalid_argument', `${field} must be the model.json of a saved TF.js layers model (${modelPath} is not a file)`, field);
}

/**
 * Has an engine worker validate the model as the training worker will load it (manifest, topology, input and output
 * against `hparams`, weights); returns what it found. `saveTo` also saves the validated model there.
 */
export async function inspectUserModel(
  inspect: InspectModel,
  modelPath: string,
  hparams: Pick<HParams, 'inputShape' | 'numClasses'>,
  field: string,
  saveTo: string | null = null,
  cleanOn?: InspectModelRequest['cleanOn'],
): Promise<ModelInspection> {
  await checkModelFileExists(modelPath, field);
  try {
    return await inspect({ modelPath, inputShape: hparams.inputShape, numClasses: hparams.numClasses, saveTo, ...(cleanOn ? { cleanOn } : {}) });
  } catch (err) {
    throw refusedModel(err, field);
  }
}

/** The experiment form's check of config.baseModelPath. */
export async function checkBaseModel(inspect: InspectModel, modelPath: string, hparams: Pick<HParams, 'inputShape' | 'numClasses'>): Promise<void> {
  await inspectUserModel(inspect, modelPath, hparams, 'config.baseModelPath');
}
