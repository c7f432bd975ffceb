// Window bounds survive restarts through a JSON file, and never come back off-screen or unusably small.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_WINDOW_STATE, fitToDisplays, loadWindowState, saveWindowState, WINDOW_STATE_FILE } from '../../../../src/main/electron/window-state';

const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }];
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlab-window-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('window state', () => {
  it('round-trips size, position and maximized through the user data folder', () => {
    const state = { x: 100, y: 80, width: 1500, height: 950, maximized: true };
    saveWindowState(dir, state);
    expect(JSON.parse(fs.readFileSync(path.join(dir, WINDOW_STATE_FILE), 'utf8'))).toEqual(state);
    expect(loadWindowState(dir, screen)).toEqual(state);
    expect(fs.readdirSync(dir)).toEqual([WINDOW_STATE_FILE]);
  });

  it('falls back to the default for a missing or corrupt file', () => {
    expect(loadWindowState(dir, screen)).toEqual(DEFAULT_WINDOW_STATE);
    fs.writeFileSync(path.join(dir, WINDOW_STATE_FILE), '{"width": 12');
    expect(loadWindowState(dir, screen)).toEqual(DEFAULT_WINDOW_STATE);
    fs.writeFileSync(path.join(dir, WINDOW_STATE_FILE), '{"width": "wide", "height": 800}');
    expect(loadWindowState(dir, screen)).toEqual(DEFAULT_WINDOW_STATE);
  });

  it('drops a position no display shows any more (an unplugged monitor) but keeps the size', () => {
    expect(fitToDisplays({ x: 2500, y: 100, width: 1400, height: 900, maximized: false }, screen)).toEqual({ width: 1400, height: 900, maximized: false });
    expect(fitToDisplays({ x: 2500, y: 100, width: 1400, height: 900, maximized: false }, [...screen, { x: 1920, y: 0, width: 1920, height: 1080 }])).toMatchObject({ x: 2500, y: 100 });
  });

  it('enforces the minimum usable size', () => {
    expect(fitToDisplays({ x: 10, y: 10, width: 300, height: 200, maximized: false }, screen)).toMatchObject({ width: 1024, height: 700 });
  });
});
