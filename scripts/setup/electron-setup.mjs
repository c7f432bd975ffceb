// Fetches Electron's binary the way its own install script would, but without failing `npm install`
// where the download is unreachable: `rlab serve` and the CLI work without it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function setupElectron({ log = () => {} } = {}) {
  const pkg = path.join(root, 'node_modules', 'electron');
  if (!fs.existsSync(path.join(pkg, 'install.js'))) return { ok: false, reason: 'electron is not installed (dev dependency)' };
  if (fs.existsSync(path.join(pkg, 'path.txt')) && fs.existsSync(path.join(pkg, 'dist'))) return { ok: true };
  if (process.env.RLAB_SKIP_ELECTRON_DOWNLOAD === '1') return { ok: false, reason: 'skipped (RLAB_SKIP_ELECTRON_DOWNLOAD=1)' };
  log('fetching the Electron binary');
  const r = spawnSync(process.execPath, ['install.js'], { cwd: pkg, encoding: 'utf8', timeout: 300_000 });
  if (r.status === 0) return { ok: true };
  const line = (r.stderr || '').split('\n').find((l) => /Error/.test(l)) ?? `exit ${r.status}`;
  return { ok: false, reason: `download failed: ${line.trim()}` };
}
