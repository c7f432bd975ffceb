// One LabService per lab home: a lock file naming the owning process, so a second host cannot run crash recovery
// (and mark the first host's running runs interrupted) or write the store alongside it.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LabError } from '../../../shared/errors';
import { processAlive } from '../process-alive';

export const LOCK_FILE = 'lab.lock';

interface LockInfo {
  pid: number;
  host: string;
  since: string;
}

/** Homes locked by this process (a second service in the same process is a second writer too). */
const heldHere = new Set<string>();


function readLock(file: string): LockInfo | null {
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockInfo>;
    return typeof info.pid === 'number' ? { pid: info.pid, host: String(info.host ?? ''), since: String(info.since ?? '') } : null;
  } catch {
    return null;
  }
}

/**
 * Takes the lock of `home` or throws LabError('conflict') naming the process that holds it. A lock left by a
 * process that no longer runs (killed, crashed) is taken over. Returns the function that releases it.
 */
export function acquireHomeLock(home: string): () => void {
  const file = path.join(home, LOCK_FILE);
  if (heldHere.has(file)) throw new LabError('conflict', `the lab at ${home} is already open in this process; use that LabService or close it first`, 'home');
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new LabError('io_error', `cannot create ${file}: ${(err as Error).message}`, 'home');
      const owner = readLock(file);
      if (owner && owner.host !== os.hostname()) {
        throw new LabError('conflict', `the lab at ${home} is open on ${owner.host} (pid ${owner.pid}); close it there, or delete ${file} if that machine is gone`, 'home');
      }
      if (owner && processAlive(owner.pid) && owner.pid !== process.pid) {
        throw new LabError('conflict', `the lab at ${home} is open in another process (pid ${owner.pid}, since ${owner.since}): close the desktop app, \`rlab serve\` or the running rlab command first`, 'home');
      }
      // stale: its owner is gone (or the file is unreadable, i.e. its owner died while writing it)
      try {
        unlinkSync(file);
      } catch {
        // another process removed it first; try again
      }
      continue;
    }
    const info: LockInfo = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
    writeSync(fd, JSON.stringify(info));
    closeSync(fd);
    heldHere.add(file);
    return () => {
      heldHere.delete(file);
      if (readLock(file)?.pid === process.pid) {
        try {
          unlinkSync(file);
        } catch {
          // already gone
        }
      }
    };
  }
  throw new LabError('conflict', `could not take the lock ${file}: other processes keep replacing it`, 'home');
}
