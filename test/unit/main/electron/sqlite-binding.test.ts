// Selection of better-sqlite3's Electron build: explicit override, then per-Electron-version, then per-ABI folders.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ELECTRON_SQLITE_DIR, electronSqliteBinding, electronSqliteCandidates, electronSqliteHint } from '../../../../src/main/electron/sqlite-binding';

let root: string;
const electron = { ...process.versions, electron: '40.10.2', modules: '143' } as NodeJS.ProcessVersions;
const plainNode = { ...process.versions, electron: undefined } as unknown as NodeJS.ProcessVersions;

function put(rel: string): string {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, 'not really a binary');
  return file;
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'rlab-sqlite-'));
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe('electronSqliteBinding', () => {
  it('returns nothing under plain Node, so better-sqlite3 loads its own build', () => {
    put(path.join(ELECTRON_SQLITE_DIR, 'electron-v40.10.2', 'better_sqlite3.node'));
    expect(electronSqliteBinding({ appRoot: root, versions: plainNode, env: {} })).toBeUndefined();
  });

  it('prefers the build for this Electron version, then the one for its module ABI', () => {
    const byAbi = put(path.join(ELECTRON_SQLITE_DIR, 'abi-143', 'better_sqlite3.node'));
    expect(electronSqliteBinding({ appRoot: root, versions: electron, env: {} })).toBe(byAbi);
    const byVersion = put(path.join(ELECTRON_SQLITE_DIR, 'electron-v40.10.2', 'better_sqlite3.node'));
    expect(electronSqliteBinding({ appRoot: root, versions: electron, env: {} })).toBe(byVersion);
  });

  it('honours RLAB_SQLITE_BINDING first, under Electron or not', () => {
    put(path.join(ELECTRON_SQLITE_DIR, 'electron-v40.10.2', 'better_sqlite3.node'));
    const custom = put('custom/better_sqlite3.node');
    expect(electronSqliteBinding({ appRoot: root, versions: electron, env: { RLAB_SQLITE_BINDING: custom } })).toBe(custom);
    expect(electronSqliteBinding({ appRoot: root, versions: plainNode, env: { RLAB_SQLITE_BINDING: custom } })).toBe(custom);
  });

  it('returns nothing when no Electron build exists, after trying every candidate', () => {
    expect(electronSqliteBinding({ appRoot: root, versions: electron, env: {} })).toBeUndefined();
    expect(electronSqliteCandidates({ appRoot: root, versions: electron, env: {} })).toEqual([
      path.join(root, ELECTRON_SQLITE_DIR, 'electron-v40.10.2', 'better_sqlite3.node'),
      path.join(root, ELECTRON_SQLITE_DIR, 'abi-143', 'better_sqlite3.node'),
    ]);
  });
});

describe('electronSqliteHint', () => {
  it('names the Electron version, the build command and where the file must go', () => {
    const hint = electronSqliteHint({ appRoot: '/app', versions: electron });
    expect(hint).toContain('Electron 40.10.2');
    expect(hint).toContain('--runtime=electron --target=40.10.2');
    expect(hint).toContain(path.join('/app', ELECTRON_SQLITE_DIR, 'electron-v40.10.2', 'better_sqlite3.node'));
  });
});
