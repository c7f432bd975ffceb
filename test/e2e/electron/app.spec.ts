// Electron E2E on the built app: it launches isolated, shows the Experiments page, and window.lab answers over IPC.
// Skips, saying why, where the Electron binary (a download) or better-sqlite3's Electron build is not available.
import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronSqliteBinding } from '../../../src/main/electron/sqlite-binding';
import { LAB_EVENTS, LAB_METHODS } from '../../../src/shared/contract';
import { snap } from '../helpers/page-watch';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The Electron executable, or why there is none. */
function findElectron(): { path: string } | { why: string } {
  if (process.env.RLAB_ELECTRON_PATH) return fs.existsSync(process.env.RLAB_ELECTRON_PATH) ? { path: process.env.RLAB_ELECTRON_PATH } : { why: `RLAB_ELECTRON_PATH=${process.env.RLAB_ELECTRON_PATH} does not exist` };
  try {
    // the electron package exports the binary's path, and throws when its download never happened
    const p = createRequire(import.meta.url)('electron') as unknown;
    if (typeof p === 'string' && fs.existsSync(p)) return { path: p };
    return { why: `the electron package points at ${String(p)}, which does not exist` };
  } catch (err) {
    return { why: `the Electron binary is not installed (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); it is downloaded by npm install when online` };
  }
}

function electronVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }).version;
}

const found = findElectron();
const abi = fs.existsSync(path.join(ROOT, 'node_modules', 'electron', 'abi_version')) ? fs.readFileSync(path.join(ROOT, 'node_modules', 'electron', 'abi_version'), 'utf8').trim() : '';
const sqlite = electronSqliteBinding({ appRoot: ROOT, versions: { ...process.versions, electron: electronVersion(), modules: abi } });
const skipReason =
  'why' in found
    ? `Electron E2E skipped: ${found.why}`
    : !sqlite
      ? 'Electron E2E skipped: better-sqlite3 has no Electron build in node_modules/.electron-sqlite (see README: building it needs the Electron headers)'
      : '';
if (skipReason) console.log(skipReason);

test.describe('desktop app', () => {
  test.skip(skipReason !== '', skipReason);

  let app: ElectronApplication;
  let home: string;

  test.beforeAll(async () => {
    if (!fs.existsSync(path.join(ROOT, 'out', 'main', 'index.js'))) throw new Error('out/ is missing: run `npm run build` first');
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'rlab-electron-'));
    app = await electron.launch({
      executablePath: (found as { path: string }).path,
      args: [ROOT, ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
      env: { ...process.env, RLAB_HOME: home, ELECTRON_RENDERER_URL: '' },
      cwd: ROOT,
    });
  });

  test.afterAll(async () => {
    await app?.close();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  test('launches isolated on the Experiments page and answers a call over IPC', async () => {
    const win = await app.firstWindow();
    await expect(win).toHaveTitle('Robustness Lab');
    await expect(win.getByRole('heading', { name: 'Experiments' })).toBeVisible();
    await expect(win.getByText('No experiments yet')).toBeVisible();
    await expect(win.getByTestId('connection')).toHaveText('desktop');

    // contextIsolation + sandbox + no nodeIntegration: the page sees window.lab and no Node or Electron globals
    const globals = await win.evaluate(() => ({
      labKeys: Object.keys((window as unknown as { lab: object }).lab).length,
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
      ipcRenderer: typeof (window as unknown as { ipcRenderer?: unknown }).ipcRenderer,
    }));
    expect(globals).toEqual({ labKeys: LAB_METHODS.length + LAB_EVENTS.length, require: 'undefined', process: 'undefined', ipcRenderer: 'undefined' });

    const reply = await win.evaluate(async () => {
      const lab = (window as unknown as { lab: { listRuns(r: object): Promise<unknown>; getRun(r: object): Promise<unknown> } }).lab;
      const runs = await lab.listRuns({});
      const error = await lab.getRun({ runId: 'not a run' }).then(
        () => null,
        (e: unknown) => e,
      );
      return { runs, error };
    });
    expect(reply.runs).toEqual([]);
    expect(reply.error).toMatchObject({ code: 'invalid_argument', field: 'runId' });
    await snap(win, 'electron-experiments');
  });
});
