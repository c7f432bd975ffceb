// Where exportModel and exportReport write: the request's outDir checked before any file is touched.
//
// Rules: an absolute path (a relative one would land in the host's working directory, which means nothing to a
// browser user; the CLI resolves against its own cwd first); never the lab home itself nor anything in the
// folders where the lab keeps its own files (runs/: every run's models; data/), symbolic links resolved; a new or
// empty folder (or a new .onnx file), unless `force` allows replacing the export's own files there.
import { constants, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { LabError } from '../../../shared/errors';

/** The file an ONNX export gets inside a folder. */
export const ONNX_FILE = 'model.onnx';
const ONNX_SUFFIX = /\.onnx$/i;
const FIELD = 'outDir';
/** The lab's own folders under its home; nothing is ever exported into them. */
const LAB_FOLDERS = ['runs', 'data'];

export type ExportTarget = { format: 'tfjs'; dir: string } | { format: 'onnx'; file: string };

export interface TargetRules {
  /** The lab home (RLAB_HOME). */
  home: string;
  /** Replace the export's own files in a non-empty folder, or an existing .onnx file. */
  force: boolean;
}

async function statOf(p: string): Promise<Stats | null> {
  try {
    return await fs.stat(p);
  } catch {
    return null;
  }
}

const bad = (message: string): LabError => new LabError('invalid_argument', message, FIELD);

/** `p` with every symbolic link resolved, also when its last parts do not exist yet. */
async function realPath(p: string): Promise<string> {
  const rest: string[] = [];
  let cur = path.resolve(p);
  for (;;) {
    try {
      return path.join(await fs.realpath(cur), ...rest.reverse());
    } catch (err) {
      const lstat = await fs.lstat(cur).catch(() => null);
      if (lstat?.isSymbolicLink()) throw bad(`${FIELD} ${p} goes through a broken symbolic link (${cur}); give a real folder`);
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && lstat !== null) throw bad(`${FIELD} ${p} cannot be used: ${(err as Error).message}`);
      const parent = path.dirname(cur);
      if (parent === cur) return path.join(cur, ...rest.reverse());
      rest.push(path.basename(cur));
      cur = parent;
    }
  }
}

const within = (p: string, dir: string): boolean => p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);

/** Refuses a path that is, or resolves to, the lab home itself or anything in its runs/ or data/ folder. */
async function checkOutside(target: string, home: string): Promise<void> {
  const real = await realPath(target);
  const realHome = await realPath(home);
  if (real === realHome) throw bad(`${FIELD} ${target} is the lab's own folder (RLAB_HOME); choose a folder outside it`);
  for (const name of LAB_FOLDERS) {
    const own = await realPath(path.join(home, name));
    if (within(real, own)) throw bad(`${FIELD} ${target} is inside the lab's ${name} folder (${own}), where the lab keeps its own files; choose a folder outside it`);
  }
}

/** Fails fast, before any model is loaded, when the folder the export would be created in cannot be written. */
async function checkWritable(target: string): Promise<void> {
  let dir = target;
  for (let stat = await statOf(dir); !stat?.isDirectory(); stat = await statOf(dir)) {
    if (stat && dir !== target) throw bad(`${FIELD} ${target} cannot be created: ${dir} is a file`);
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  try {
    await fs.access(dir, constants.W_OK);
  } catch (err) {
    throw new LabError('io_error', `cannot write into ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, FIELD);
  }
}

function absolute(outDir: string): string {
  if (!path.isAbsolute(outDir)) throw bad(`${FIELD} must be an absolute path on the machine running the lab (got "${outDir}")`);
  return path.resolve(outDir);
}

/** A folder that must be new or empty unless `force`; an existing file there is refused either way. */
async function checkFolder(dir: string, force: boolean, what: string): Promise<void> {
  const stat = await statOf(dir);
  if (stat === null) return;
  if (!stat.isDirectory()) throw bad(`${FIELD} must be a folder for ${what}; ${dir} is an existing file`);
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch (err) {
    throw new LabError('io_error', `cannot read the folder ${dir}: ${(err as Error).message}`, FIELD);
  }
  if (entries.length > 0 && !force) {
    throw new LabError('conflict', `${FIELD} ${dir} is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}); choose a new or empty folder, or confirm overwriting its files`, FIELD);
  }
}

/**
 * TF.js: `outDir` is a folder (created if missing). ONNX: a path ending in .onnx is the file itself, anything
 * else a folder that gets model.onnx. An existing file where a folder is meant is refused, so a typo never
 * turns a file into a folder or scatters model files next to it.
 */
export async function exportTarget(format: 'tfjs' | 'onnx', outDir: string, rules: TargetRules): Promise<ExportTarget> {
  const target = absolute(outDir);
  await checkOutside(target, rules.home);
  await checkWritable(target);
  const stat = await statOf(target);
  if (format === 'tfjs') {
    if (!stat && ONNX_SUFFIX.test(target)) throw bad(`${FIELD} ${target} ends in .onnx, which names an ONNX file; give a folder for a TF.js export, or export as onnx`);
    await checkFolder(target, rules.force, 'a TF.js export');
    return { format, dir: target };
  }
  if (ONNX_SUFFIX.test(target) && !stat?.isDirectory()) {
    if (stat && !rules.force) throw new LabError('conflict', `${FIELD} ${target} already exists; choose a new file name, or confirm overwriting it`, FIELD);
    return { format, file: target };
  }
  if (stat && !stat.isDirectory()) throw bad(`${FIELD} must be a folder or a file path ending in .onnx for an ONNX export; ${target} is an existing file`);
  const file = path.join(target, ONNX_FILE);
  if ((await statOf(file))?.isDirectory()) throw bad(`${FIELD} ${target} already holds a folder named ${ONNX_FILE}; give a file path ending in .onnx instead`);
  await checkFolder(target, rules.force, 'an ONNX export');
  return { format, file };
}

/** A report folder: new or empty (unless `force`), outside the lab's own folders. */
export async function reportDir(outDir: string, rules: TargetRules): Promise<string> {
  const target = absolute(outDir);
  await checkOutside(target, rules.home);
  await checkWritable(target);
  await checkFolder(target, rules.force, 'the report');
  return target;
}
