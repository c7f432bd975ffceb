// Whether a process id names a running process: the one test behind stale lock files, temp files and endpoint files.

/** True when `pid` runs; EPERM means it exists under another user, which still counts as running. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
