// --out and --force of `rlab export` / `rlab report`: the path as the service needs it, and the hint when a target is taken.
import path from 'node:path';
import { LabError } from '../../shared/errors';
import { type FlagSpec } from './args';

export const FORCE_FLAG: FlagSpec = { name: 'force', type: 'boolean', help: 'overwrite the export\'s files in a folder that is not empty, or an existing .onnx file' };

/** The service takes absolute paths only; the CLI's relative ones mean the shell's current folder. */
export function outPath(out: string): string {
  return out === '' ? out : path.resolve(out);
}

/** A target that is taken is refused by the service; the CLI says how to overwrite it. */
export function forceHint(err: unknown): never {
  if (err instanceof LabError && err.code === 'conflict' && err.field === 'outDir') throw new LabError(err.code, `${err.message} (--force)`, err.field);
  throw err;
}
