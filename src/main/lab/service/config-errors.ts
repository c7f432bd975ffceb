// Errors about an experiment config, named by their path under the request's `config` field.
import { LabError } from '../../../shared/errors';

/** Adds `config.` in front of a field named relative to the experiment config. */
export function underConfig(err: unknown): LabError {
  const e = LabError.wrap(err, 'invalid_argument');
  return new LabError(e.code, `config.${e.message}`, e.field === undefined ? 'config' : `config.${e.field}`);
}
