// Builds a second better-sqlite3 binary for Electron's ABI (the CLI and tests keep Node's build) into
// node_modules/.electron-sqlite/electron-v<version>/, where src/main/electron/sqlite-binding.ts looks for it.
// Needs the Electron binary and, for the build, Electron's headers (or a prebuilt binary) from the internet.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function nodeGypScript() {
  const candidates = [process.env.npm_config_node_gyp, path.resolve(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')];
  return candidates.find((p) => p && fs.existsSync(p));
}

export async function setupElectronSqlite({ log = () => {} } = {}) {
  const electronPkg = path.join(root, 'node_modules', 'electron', 'package.json');
  const sqlitePkg = path.join(root, 'node_modules', 'better-sqlite3');
  if (!fs.existsSync(electronPkg) || !fs.existsSync(sqlitePkg)) return { ok: false, reason: 'electron or better-sqlite3 is not installed' };
  if (!fs.existsSync(path.join(root, 'node_modules', 'electron', 'path.txt'))) return { ok: false, reason: 'no Electron binary, so no Electron build of better-sqlite3 is needed yet' };
  const version = JSON.parse(fs.readFileSync(electronPkg, 'utf8')).version;
  const dest = path.join(root, 'node_modules', '.electron-sqlite', `electron-v${version}`, 'better_sqlite3.node');
  if (fs.existsSync(dest)) return { ok: true, path: dest };
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rlab-electron-sqlite-'));
  try {
    fs.cpSync(sqlitePkg, work, { recursive: true, filter: (src) => !src.includes(`${path.sep}build${path.sep}`) });
    const env = { ...process.env, npm_config_runtime: 'electron', npm_config_target: version, npm_config_disturl: 'https://electronjs.org/headers' };
    const prebuilt = spawnSync(path.join(root, 'node_modules', '.bin', 'prebuild-install'), ['--runtime', 'electron', '--target', version], { cwd: work, env, encoding: 'utf8', timeout: 120_000 });
    if (prebuilt.status !== 0) {
      const gyp = nodeGypScript();
      if (!gyp) return { ok: false, reason: 'node-gyp not found' };
      log(`building better-sqlite3 for Electron ${version}`);
      const built = spawnSync(process.execPath, [gyp, 'rebuild', '--release', '--runtime=electron', `--target=${version}`, '--dist-url=https://electronjs.org/headers'], { cwd: work, env, encoding: 'utf8', timeout: 900_000 });
      if (built.status !== 0) return { ok: false, reason: `could not build better-sqlite3 for Electron ${version}: ${(built.stderr || '').trim().split('\n').slice(-1)[0] ?? ''}` };
    }
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(path.join(work, 'build', 'Release', 'better_sqlite3.node'), dest);
    return { ok: true, path: dest };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
