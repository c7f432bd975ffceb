// Electron main process: starts the LabService (engine worker in a utilityProcess, Electron's SQLite build),
// opens the hardened window, wires IPC and events. Nothing else lives here.
import { app, BrowserWindow, dialog, Menu, session, shell, webContents } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabError } from '../shared/errors';
import { type AppLab, openAppLab } from './electron/app-lab';
import { forwardLabEvents, registerLabIpc } from './ipc';
import { createMainWindow } from './electron/main-window';
import { menuTemplate } from './electron/menu';
import { rendererLocation } from './electron/renderer-url';
import { hardenApp, hardenSession } from './electron/security';
import { electronSqliteBinding, electronSqliteCandidates, electronSqliteHint } from './electron/sqlite-binding';
import { utilityWorkerFactory } from './electron/utility-worker';

const mainDir = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(mainDir, '..');
const renderer = rendererLocation(outDir);
const log = (line: string) => console.log(`[rlab] ${line}`);

let service: AppLab | null = null;
let stopEvents: (() => void) | null = null;
let stopIpc: (() => void) | null = null;
let win: BrowserWindow | null = null;

app.setName('Robustness Lab');
app.enableSandbox();
hardenApp(app, renderer, log);

if (!app.requestSingleInstanceLock()) {
  // a second copy would be a second writer of the same lab; focus the first instead
  app.quit();
} else {
  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app.whenReady().then(start, (err: unknown) => fail(err));
}

async function start(): Promise<void> {
  hardenSession(session.defaultSession, renderer);
  const sqliteBinding = electronSqliteBinding({ appRoot: app.getAppPath() });
  if (!sqliteBinding) log(`no Electron build of better-sqlite3 at ${electronSqliteCandidates({ appRoot: app.getAppPath() }).join(' or ')}; trying the default one`);
  try {
    service = await openAppLab(
      {
        workerFactory: utilityWorkerFactory(path.join(mainDir, 'engine-worker.js')),
        ...(sqliteBinding ? { sqliteBinding } : {}),
      },
      path.join(outDir, 'renderer'),
      log,
    );
  } catch (err) {
    const e = LabError.wrap(err);
    // Node's build of better-sqlite3 cannot load into Electron; say how to get the right one
    fail(!sqliteBinding && /sqlite/i.test(e.message) ? new LabError(e.code, `${e.message}\n\n${electronSqliteHint({ appRoot: app.getAppPath() })}`) : e);
    return;
  }
  log(service.hostedBy ? `lab at ${service.home}, through its host ${service.hostedBy}` : `lab at ${service.home}`);
  stopIpc = registerLabIpc({ service: service.api, renderer, log });
  stopEvents = forwardLabEvents(service.api, () => webContents.getAllWebContents(), renderer);
  const home = service.home;
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate({
        isMac: process.platform === 'darwin',
        appName: app.getName(),
        isDev: !app.isPackaged,
        navigate: (hash) => void win?.webContents.executeJavaScript(`location.hash = ${JSON.stringify(hash)}`),
        openDataFolder: () => void shell.openPath(home),
      }),
    ),
  );
  openWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openWindow();
  });
}

function openWindow(): void {
  win = createMainWindow({ outDir, renderer, userDataDir: app.getPath('userData') });
  win.on('closed', () => {
    win = null;
  });
}

function fail(err: unknown): void {
  const e = LabError.wrap(err);
  console.error(`[rlab] cannot start: ${e.message}`);
  dialog.showErrorBox('Robustness Lab cannot start', e.message);
  app.exit(1);
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let closing = false;
app.on('before-quit', (event) => {
  if (closing || !service) return;
  // let a training run become "interrupted" cleanly and the store close before the process goes
  event.preventDefault();
  closing = true;
  stopEvents?.();
  stopIpc?.();
  service
    .close()
    .catch((err: unknown) => console.error(`[rlab] closing the lab failed: ${err instanceof Error ? err.message : String(err)}`))
    .finally(() => app.quit());
});
