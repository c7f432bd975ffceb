// The application menu: standard roles (so copy/paste, zoom, full screen and quit behave natively) plus page shortcuts.
import { type MenuItemConstructorOptions } from 'electron';

export interface MenuOptions {
  isMac: boolean;
  appName: string;
  /** Moves the window to a hash route, e.g. "#/new". */
  navigate: (hash: string) => void;
  /** Opens the lab's data folder in the file manager. */
  openDataFolder: () => void;
  isDev: boolean;
}

export const PAGE_SHORTCUTS: readonly { label: string; hash: string; key: string }[] = [
  { label: 'Experiments', hash: '#/experiments', key: '1' },
  { label: 'New Experiment', hash: '#/new', key: '2' },
  { label: 'Compare', hash: '#/compare', key: '3' },
  { label: 'Gallery', hash: '#/gallery', key: '4' },
  { label: 'Export', hash: '#/export', key: '5' },
];

export function menuTemplate(o: MenuOptions): MenuItemConstructorOptions[] {
  const go: MenuItemConstructorOptions = {
    label: 'Go',
    submenu: PAGE_SHORTCUTS.map((p) => ({ label: p.label, accelerator: `CmdOrCtrl+${p.key}`, click: () => o.navigate(p.hash) })),
  };
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { label: 'New Experiment…', accelerator: 'CmdOrCtrl+N', click: () => o.navigate('#/new') },
      { label: 'Open Data Folder', click: () => o.openDataFolder() },
      { type: 'separator' },
      o.isMac ? { role: 'close' } : { role: 'quit' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      { role: 'reload' },
      ...(o.isDev ? ([{ role: 'toggleDevTools' }] as MenuItemConstructorOptions[]) : []),
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };
  return [
    ...(o.isMac ? [{ label: o.appName, role: 'appMenu' } as MenuItemConstructorOptions] : []),
    file,
    { role: 'editMenu' },
    view,
    go,
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ role: 'about' }] },
  ];
}
