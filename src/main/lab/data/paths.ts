// Where the lab keeps user data on disk: one home folder (RLAB_HOME) with the dataset cache under it.
import os from 'node:os';
import path from 'node:path';
import { LabError } from '../../../shared/errors';

/** The lab's user data folder: $RLAB_HOME when set, else ~/.robustness-lab. Read on every call so tests can point it elsewhere. */
export function labHome(): string {
  const fromEnv = process.env.RLAB_HOME;
  return fromEnv && fromEnv.trim() !== '' ? path.resolve(fromEnv) : path.join(os.homedir(), '.robustness-lab');
}

/** Root of the dataset cache: <labHome>/data. */
export function dataCacheDir(): string {
  return path.join(labHome(), 'data');
}

/** Folder holding one dataset in the compact format (manifest.json, images.idx, labels.idx). */
export function datasetDir(cacheDir: string, id: string): string {
  checkDatasetId(id);
  return path.join(cacheDir, 'datasets', id);
}

/** Folder keeping the verified archives of one downloaded dataset, so a rebuild needs no network. */
export function downloadsDir(cacheDir: string, id: string): string {
  checkDatasetId(id);
  return path.join(cacheDir, 'downloads', id);
}

const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Dataset ids become folder names, so they are restricted to lower-case letters, digits and dashes. */
export function checkDatasetId(id: string, field = 'id'): void {
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    throw new LabError('invalid_argument', `${field} must be 1–64 characters of a-z, 0-9 and '-', starting with a letter or digit (got ${JSON.stringify(id)})`, field);
  }
}
