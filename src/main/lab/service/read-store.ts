// The store as a read-only command sees it: it never creates, migrates, repairs or locks anything in the lab home.
//
// A writable lab at the newest schema is opened read-only in place, so a host training next door is read live
// (SQLite may create the -wal/-shm files a WAL reader needs when no other connection has them open).
// A lab that must not be touched at all (read-only folder or file, or an older schema that only a writer may
// upgrade) is read from a private copy in the temp folder, and a home without a database reads as an empty lab.
import { constants, accessSync, copyFileSync, existsSync, mkdtempSync, rmSync, statSync, type Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LabError } from '../../../shared/errors';
import { LATEST_SCHEMA_VERSION, openStore, readSchemaVersion, type Store } from '../store';

export const LAB_DB_FILE = 'lab.sqlite';
const WAL_SUFFIX = '-wal';

export interface ReadStore {
  store: Store;
  /** live: the lab's own file, read-only; copy: a private snapshot; empty: no database in the home yet. */
  source: 'live' | 'copy' | 'empty';
  /** Closes the store and removes a private copy. */
  close(): void;
}

function statOrNull(p: string): Stats | null {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}

/**
 * Whether this process may write `p` and is meant to: a `chmod -R a-w` copy counts as read-only even for root,
 * whom the kernel lets write anyway.
 */
function writable(p: string): boolean {
  try {
    accessSync(p, constants.W_OK);
  } catch {
    return false;
  }
  return ((statOrNull(p)?.mode ?? 0) & 0o222) !== 0;
}

function privateStore(home: string, source: 'copy' | 'empty', sqliteBinding: string | undefined): ReadStore {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rlab-read-'));
  try {
    const file = path.join(dir, LAB_DB_FILE);
    if (source === 'copy') {
      const original = path.join(home, LAB_DB_FILE);
      copyFileSync(original, file);
      // committed transactions not yet checkpointed live in the -wal file; SQLite replays it into the copy
      if (existsSync(original + WAL_SUFFIX)) copyFileSync(original + WAL_SUFFIX, file + WAL_SUFFIX);
    }
    const store = openStore(file, { runsDir: path.join(home, 'runs'), ...(sqliteBinding === undefined ? {} : { nativeBinding: sqliteBinding }) });
    return {
      store,
      source,
      close: () => {
        store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Opens the lab at `home` for reading only; see the file comment for what each case does. */
export function openReadStore(home: string, options: { sqliteBinding?: string } = {}): ReadStore {
  const homeStat = statOrNull(home);
  if (homeStat && !homeStat.isDirectory()) throw new LabError('invalid_argument', `the lab home ${home} is a file, not a folder; point RLAB_HOME at a lab folder`, 'home');
  const file = path.join(home, LAB_DB_FILE);
  const stat = statOrNull(file);
  if (stat === null || (stat.isFile() && stat.size === 0)) return privateStore(home, 'empty', options.sqliteBinding);
  if (!stat.isFile()) throw new LabError('io_error', `${file} is not a regular file; the lab needs a database file at that path`, 'home');
  const binding = options.sqliteBinding === undefined ? {} : { nativeBinding: options.sqliteBinding };
  if (!writable(home) || !writable(file)) return privateStore(home, 'copy', options.sqliteBinding);
  // an older schema is upgraded only by a writer; a newer one is refused below with the file's own name
  if (readSchemaVersion(file) < LATEST_SCHEMA_VERSION) return privateStore(home, 'copy', options.sqliteBinding);
  const store = openStore(file, { readonly: true, runsDir: path.join(home, 'runs'), ...binding });
  return { store, source: 'live', close: () => store.close() };
}
