// Checks a user's base model before an experiment is stored, so a bad model.json is refused as bad input and never
// becomes a queued run that fails later in the worker.
import { promises as fs } from 'node:fs';
import { LabError } from '../../../shared/errors';
import { type HParams } from '../../../shared/schemas';
import { readModelJson } from '../models/import-manifest';
import { hostTf } from './host-tf';

const FIELD = 'config.baseModelPath';
/** Fields the model importer names; an error on any of them is about the user's model file. */
const IMPORTER_FIELDS = new Set(['modelPath', 'inputShape', 'numClasses']);

/** The importer's error as a refused request: whatever it called the problem (corrupt, unsupported, unreadable), the file is bad input here. */
function refused(err: unknown): unknown {
  if (!(err instanceof LabError) || (err.field !== undefined && !IMPORTER_FIELDS.has(err.field))) return err;
  return new LabError('invalid_argument', `${FIELD} is not a usable TF.js layers model: ${err.message}`, FIELD);
}

/**
 * Validates the manifest first (paths inside the model's folder, float32 weights, byte sizes: no TF.js needed, no
 * weight read), then builds the model as the worker will and checks its input and output against `hparams`.
 */
export async function checkBaseModel(modelPath: string, hparams: Pick<HParams, 'inputShape' | 'numClasses'>): Promise<void> {
  try {
    await fs.access(modelPath);
  } catch {
    throw new LabError('invalid_argument', `${FIELD} must be the model.json of a saved TF.js layers model (${modelPath} does not exist)`, FIELD);
  }
  try {
    await readModelJson(modelPath);
  } catch (err) {
    throw refused(err);
  }
  // TF.js is loaded only now: most experiments have no base model, and the manifest check above needs none
  const [, { importTfjsModel }] = await Promise.all([hostTf(), import('../models/import-tfjs')]);
  let model;
  try {
    model = await importTfjsModel(modelPath, { inputShape: hparams.inputShape, numClasses: hparams.numClasses });
  } catch (err) {
    throw refused(err);
  }
  model.dispose();
}
