// Chooses the better-sqlite3 binary built for Electron's ABI (Node's build cannot load inside Electron and vice versa).
import fs from 'node:fs';
import path from 'node:path';

/** Where the setup step puts the Electron build of better-sqlite3, relative to the app root. */
export const ELECTRON_SQLITE_DIR = path.join('node_modules', '.electron-sqlite');

export interface SqliteBindingOptions {
  /** Folder holding package.json and node_modules (app.getAppPath()). */
  appRoot: string;
  versions?: NodeJS.ProcessVersions;
  env?: NodeJS.ProcessEnv;
  exists?: (file: string) => boolean;
}

/** Paths tried, in order: $RLAB_SQLITE_BINDING, then a build named for this Electron version, then for its module ABI. */
export function electronSqliteCandidates(o: SqliteBindingOptions): string[] {
  const versions = o.versions ?? process.versions;
  const env = o.env ?? process.env;
  const out: string[] = [];
  if (env.RLAB_SQLITE_BINDING) out.push(path.resolve(env.RLAB_SQLITE_BINDING));
  if (versions.electron) {
    const dir = path.join(o.appRoot, ELECTRON_SQLITE_DIR);
    out.push(path.join(dir, `electron-v${versions.electron}`, 'better_sqlite3.node'));
    out.push(path.join(dir, `abi-${versions.modules}`, 'better_sqlite3.node'));
  }
  return out;
}

/**
 * The nativeBinding to open the store with under Electron, or undefined to let better-sqlite3 load its default
 * build (right under plain Node; under Electron it then fails with a message saying how to build the right one).
 */
export function electronSqliteBinding(o: SqliteBindingOptions): string | undefined {
  const versions = o.versions ?? process.versions;
  const env = o.env ?? process.env;
  if (!versions.electron && !env.RLAB_SQLITE_BINDING) return undefined;
  const exists = o.exists ?? ((f: string) => fs.existsSync(f));
  return electronSqliteCandidates(o).find(exists);
}

/** What to do when no Electron build was found and Node's build refused to load: one sentence a person can act on. */
export function electronSqliteHint(o: SqliteBindingOptions): string {
  const versions = o.versions ?? process.versions;
  const [first] = electronSqliteCandidates({ ...o, env: {} });
  return (
    `better-sqlite3 needs a build for Electron ${versions.electron ?? '?'} (module ABI ${versions.modules}): build it with ` +
    `\`node-gyp rebuild --release --runtime=electron --target=${versions.electron ?? '<version>'} --dist-url=https://electronjs.org/headers\` ` +
    `in a copy of node_modules/better-sqlite3 and put build/Release/better_sqlite3.node at ${first ?? path.join(o.appRoot, ELECTRON_SQLITE_DIR, '<electron-vVERSION>', 'better_sqlite3.node')}, ` +
    'or point RLAB_SQLITE_BINDING at one'
  );
}
