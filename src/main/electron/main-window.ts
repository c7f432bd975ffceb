// The one app window: sandboxed renderer with the preload, remembered bounds, shown when ready.
import { BrowserWindow, dialog, nativeTheme, screen } from 'electron';
import path from 'node:path';
import { type RendererLocation } from './renderer-url';
import { loadWindowState, saveWindowState, type WindowState } from './window-state';

export interface MainWindowOptions {
  /** out/ — holds preload/index.cjs and renderer/. */
  outDir: string;
  renderer: RendererLocation;
  userDataDir: string;
}

export function createMainWindow(o: MainWindowOptions): BrowserWindow {
  const state = loadWindowState(o.userDataDir, screen.getAllDisplays().map((d) => d.workArea));
  const win = new BrowserWindow({
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    width: state.width,
    height: state.height,
    minWidth: 1024,
    minHeight: 700,
    show: false,
    title: 'Robustness Lab',
    // app.css's --bg of the system's scheme (the renderer follows it unless the user chose otherwise)
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#15181d' : '#f5f6f8',
    webPreferences: {
      preload: path.join(o.outDir, 'preload', 'index.cjs'),
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  });

  let saveTimer: ReturnType<typeof setTimeout> | null = null;
  const current = (): WindowState => {
    const b = win.getNormalBounds();
    return { x: b.x, y: b.y, width: b.width, height: b.height, maximized: win.isMaximized() };
  };
  const save = () => {
    try {
      saveWindowState(o.userDataDir, current());
    } catch (err) {
      console.warn(`could not save the window size: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const saveSoon = () => {
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = setTimeout(save, 500);
  };
  win.on('resize', saveSoon);
  win.on('move', saveSoon);
  win.on('close', () => {
    if (saveTimer) clearTimeout(saveTimer);
    save();
  });

  // The renderer cancels unloading (beforeunload) while a run's notes have unsaved edits. A browser then asks the
  // person; Electron would silently keep the window open, so ask here: leaving goes on with the close or reload.
  win.webContents.on('will-prevent-unload', (event) => {
    const choice = dialog.showMessageBoxSync(win, {
      type: 'question',
      title: 'Leave without saving?',
      message: 'This page has unsaved changes (a run\'s notes or name).',
      detail: 'Leave and lose them, or stay to save them.',
      buttons: ['Leave without saving', 'Stay'],
      defaultId: 1,
      cancelId: 1,
      noLink: true,
    });
    if (choice === 0) event.preventDefault();
  });

  win.once('ready-to-show', () => {
    if (state.maximized) win.maximize();
    win.show();
  });
  if (o.renderer.kind === 'dev') void win.loadURL(o.renderer.url);
  else void win.loadFile(o.renderer.file);
  return win;
}
