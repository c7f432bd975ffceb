// Whether a folder named as a lab home (`--home`) can be one: a lab, an empty folder or a path not made yet. Checked
// before anything is opened or created, so a typo never turns a file or someone's documents folder into a lab.
import { readdirSync, statSync } from 'node:fs';
import { LabError } from '../../../shared/errors';

/** What a lab home holds: the database (and its WAL files), the lock, the endpoint file, run folders, the data cache. */
const LAB_ENTRIES = new Set(['lab.sqlite', 'lab.sqlite-wal', 'lab.sqlite-shm', 'lab.lock', 'host.json', 'runs', 'data']);

/** Throws LabError('invalid_argument', field `home`) naming `label` (e.g. "--home") when `home` cannot be a lab. */
export function checkHomeFolder(home: string, label: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(home).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return; // a new lab
    if (code === 'ENOTDIR') throw new LabError('invalid_argument', `${label} ${home} lies inside a file, not a folder; point ${label} at a lab folder, an empty folder or a new path`, 'home');
    throw new LabError('invalid_argument', `${label} ${home} cannot be read (${code ?? 'error'})`, 'home');
  }
  if (!isDir) throw new LabError('invalid_argument', `${label} ${home} is a file, not a folder; point ${label} at a lab folder (one with lab.sqlite), an empty folder or a new path`, 'home');
  let entries: string[];
  try {
    entries = readdirSync(home);
  } catch (err) {
    throw new LabError('invalid_argument', `${label} ${home} cannot be listed (${(err as NodeJS.ErrnoException).code ?? 'error'})`, 'home');
  }
  if (entries.includes('lab.sqlite')) return;
  const foreign = entries.filter((e) => !LAB_ENTRIES.has(e) && !e.startsWith('.'));
  if (foreign.length > 0) {
    throw new LabError('invalid_argument', `${label} ${home} is not a lab: it has no lab.sqlite and holds ${foreign.length} other entr${foreign.length === 1 ? 'y' : 'ies'}; point ${label} at a lab folder, an empty folder or a new path`, 'home');
  }
}
