// Writes an export or a report so that a failure leaves the target as it was: everything is built in a temporary
// sibling folder first, and only complete files are moved into place.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LabError } from '../../../shared/errors';
import { tempSibling } from '../data/atomic-fs';

/**
 * Runs `build` on a fresh temporary folder next to `target`, then publishes what it wrote: a new target is the
 * temporary folder renamed (one atomic step); an existing one (empty, or allowed to be overwritten) gets the
 * files moved in one by one, the first file (the one readers look for: model.json, report.json) last.
 * Files in `target` that the build did not write are left alone. Returns the published paths, in `build`'s order.
 */
export async function publishFolder(target: string, build: (dir: string) => Promise<{ files: string[] }>): Promise<string[]> {
  const tmp = tempSibling(target);
  try {
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.mkdir(tmp);
  } catch (err) {
    throw new LabError('io_error', `cannot write into ${path.dirname(target)}: ${(err as Error).message}`, 'outDir');
  }
  try {
    let names: string[];
    try {
      names = (await build(tmp)).files.map((f) => path.relative(tmp, f));
    } catch (err) {
      const e = LabError.wrap(err, 'io_error');
      throw new LabError(e.code, e.message.split(tmp).join(target), e.field === undefined ? 'outDir' : e.field);
    }
    if (names.length === 0 || names.some((n) => n === '' || n.startsWith('..') || path.dirname(n) !== '.')) throw new LabError('internal', `the export wrote outside its folder: ${names.join(', ')}`);
    const published = names.map((n) => path.join(target, n));
    if (await moveFolder(tmp, target)) return published;
    for (const n of names) {
      const stat = await fs.lstat(path.join(target, n)).catch(() => null);
      if (stat?.isDirectory()) throw new LabError('invalid_argument', `outDir ${target} holds a folder named ${n} where the export writes a file; remove it or choose another folder`, 'outDir');
    }
    for (const n of [...names.slice(1), names[0]!]) {
      try {
        await fs.rename(path.join(tmp, n), path.join(target, n));
      } catch (err) {
        throw new LabError('io_error', `cannot write ${path.join(target, n)}: ${(err as Error).message}`, 'outDir');
      }
    }
    return published;
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

/** Renames `from` to `to` when `to` does not exist; false when it does (then nothing moved). */
async function moveFolder(from: string, to: string): Promise<boolean> {
  if (await fs.lstat(to).then(() => true, () => false)) return false;
  try {
    await fs.rename(from, to);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // created meanwhile by someone else: publish file by file instead
    if (code === 'EEXIST' || code === 'ENOTEMPTY') return false;
    throw new LabError('io_error', `cannot create ${to}: ${(err as Error).message}`, 'outDir');
  }
}
