// Remembers the main window's size, position and maximized state in a JSON file in the user data folder.
import fs from 'node:fs';
import path from 'node:path';

export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const WINDOW_STATE_FILE = 'window-state.json';
export const DEFAULT_WINDOW_STATE: WindowState = { width: 1440, height: 900, maximized: false };
const MIN = { width: 1024, height: 700 };

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Keeps a saved window only where a display still shows it (a monitor may have been unplugged). */
export function fitToDisplays(state: WindowState, workAreas: readonly Area[]): WindowState {
  const width = Math.max(MIN.width, Math.round(state.width));
  const height = Math.max(MIN.height, Math.round(state.height));
  const out: WindowState = { width, height, maximized: state.maximized };
  if (finite(state.x) && finite(state.y)) {
    const x = state.x;
    const y = state.y;
    // at least 100×50 pixels of the title bar area must be on one display
    const visible = workAreas.some((a) => x + width - 100 >= a.x && x + 100 <= a.x + a.width && y >= a.y && y + 50 <= a.y + a.height);
    if (visible) {
      out.x = Math.round(x);
      out.y = Math.round(y);
    }
  }
  return out;
}

/** The saved state, or the default when the file is missing or unreadable. */
export function loadWindowState(userDataDir: string, workAreas: readonly Area[]): WindowState {
  try {
    const raw = JSON.parse(fs.readFileSync(path.join(userDataDir, WINDOW_STATE_FILE), 'utf8')) as Partial<WindowState>;
    if (!finite(raw.width) || !finite(raw.height)) return { ...DEFAULT_WINDOW_STATE };
    return fitToDisplays({ x: raw.x, y: raw.y, width: raw.width, height: raw.height, maximized: raw.maximized === true }, workAreas);
  } catch {
    return { ...DEFAULT_WINDOW_STATE };
  }
}

/** Writes through a temporary file so a crash mid-write never leaves half a JSON behind. */
export function saveWindowState(userDataDir: string, state: WindowState): void {
  fs.mkdirSync(userDataDir, { recursive: true });
  const file = path.join(userDataDir, WINDOW_STATE_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2));
  fs.renameSync(tmp, file);
}
