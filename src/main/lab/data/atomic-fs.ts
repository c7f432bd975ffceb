// Crash-safe file writes for the cache: a file or dataset folder is either complete under its final name or absent.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { processAlive } from '../process-alive';

/** A sibling path for a temporary file; same folder so the final rename stays on one filesystem. */
export function tempSibling(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}


/**
 * Removes the temporary siblings in `dir` left by processes that are gone (a download cut short by Ctrl-C or a
 * kill): those of a live process, this one included, are its work in progress and stay. Returns the names removed.
 */
export async function removeOrphanTemps(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const orphans = names.filter((name) => {
    const pid = /^\..+\.tmp-(\d+)-[0-9a-f]{8}$/.exec(name)?.[1];
    return pid !== undefined && !processAlive(Number(pid));
  });
  await Promise.all(orphans.map((name) => fs.rm(path.join(dir, name), { recursive: true, force: true })));
  return orphans;
}

/** Writes `data` to a temporary sibling, flushes it, then renames it over `target`; `mode` applies from creation on (e.g. 0o600). */
export async function writeFileAtomic(target: string, data: Uint8Array | string, mode?: number): Promise<void> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = tempSibling(target);
  try {
    await writeFileDurable(tmp, data, mode);
    await fs.rename(tmp, target);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/** Writes and flushes a file, so a rename that publishes it never exposes unwritten bytes after a crash. */
export async function writeFileDurable(file: string, data: Uint8Array | string, mode?: number): Promise<void> {
  const handle = await fs.open(file, 'w', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Builds a folder under a temporary name with `fill`, then renames it to `target`.
 * If another process published `target` first, its copy wins and ours is discarded: both were built
 * from the same inputs, and replacing a folder someone may be reading is worse than losing the race.
 * Returns false when an existing folder was kept.
 */
export async function publishDirAtomic(target: string, fill: (dir: string) => Promise<void>): Promise<boolean> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = tempSibling(target);
  await fs.mkdir(tmp);
  try {
    await fill(tmp);
    try {
      await fs.rename(tmp, target);
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') return false;
      throw err;
    }
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

/** True when `file` exists (any kind of entry). */
export async function exists(file: string): Promise<boolean> {
  try {
    await fs.stat(file);
    return true;
  } catch {
    return false;
  }
}
