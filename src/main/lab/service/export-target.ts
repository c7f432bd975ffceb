// Where exportModel and exportReport write: the request's outDir resolved and checked before any file is touched.
import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { LabError } from '../../../shared/errors';

/** The file an ONNX export gets inside a folder. */
export const ONNX_FILE = 'model.onnx';
const ONNX_SUFFIX = /\.onnx$/i;
const FIELD = 'outDir';

export type ExportTarget = { format: 'tfjs'; dir: string } | { format: 'onnx'; file: string };

async function statOf(p: string): Promise<Stats | null> {
  try {
    return await fs.stat(p);
  } catch {
    return null;
  }
}

const bad = (message: string): LabError => new LabError('invalid_argument', message, FIELD);

/**
 * TF.js: `outDir` is a folder (created if missing). ONNX: a path ending in .onnx is the file itself, anything
 * else a folder that gets model.onnx. An existing file where a folder is meant is refused, so a typo never
 * turns a file into a folder or scatters model files next to it.
 */
export async function exportTarget(format: 'tfjs' | 'onnx', outDir: string): Promise<ExportTarget> {
  const target = path.resolve(outDir);
  const stat = await statOf(target);
  if (format === 'tfjs') {
    if (stat && !stat.isDirectory()) throw bad(`${FIELD} must be a folder for a TF.js export; ${target} is an existing file`);
    if (!stat && ONNX_SUFFIX.test(target)) throw bad(`${FIELD} ${target} ends in .onnx, which names an ONNX file; give a folder for a TF.js export, or export as onnx`);
    return { format, dir: target };
  }
  if (ONNX_SUFFIX.test(target) && !stat?.isDirectory()) return { format, file: target };
  if (stat && !stat.isDirectory()) throw bad(`${FIELD} must be a folder or a file path ending in .onnx for an ONNX export; ${target} is an existing file`);
  const file = path.join(target, ONNX_FILE);
  if ((await statOf(file))?.isDirectory()) throw bad(`${FIELD} ${target} already holds a folder named ${ONNX_FILE}; give a file path ending in .onnx instead`);
  return { format, file };
}

/** A report folder: created if missing; an existing file there is refused. */
export async function reportDir(outDir: string): Promise<string> {
  const target = path.resolve(outDir);
  const stat = await statOf(target);
  if (stat && !stat.isDirectory()) throw bad(`${FIELD} must be a folder for the report; ${target} is an existing file`);
  return target;
}
