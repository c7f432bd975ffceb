import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireHomeLock, LOCK_FILE } from '../../../../../src/main/lab/service/home-lock';
import { createLabService } from '../../../../../src/main/lab/service/service';
import { tempHome } from './helpers';

let home: ReturnType<typeof tempHome>;
beforeAll(() => {
  home = tempHome('rlab-lock-');
});
afterAll(() => home.remove());

describe('the lab home lock', () => {
  it('lets one service per home in this process, and frees the home on release', () => {
    const release = acquireHomeLock(home.home);
    expect(() => acquireHomeLock(home.home)).toThrow(expect.objectContaining({ code: 'conflict', field: 'home' }));
    release();
    expect(existsSync(path.join(home.home, LOCK_FILE))).toBe(false);
    acquireHomeLock(home.home)();
  });

  it('refuses a home held by another live process, naming it, and takes over once that process is gone', async () => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      writeFileSync(path.join(home.home, LOCK_FILE), JSON.stringify({ pid: other.pid, host: os.hostname(), since: 'earlier' }));
      expect(() => acquireHomeLock(home.home)).toThrow(expect.objectContaining({ code: 'conflict', message: expect.stringContaining(`pid ${other.pid}`) }));
    } finally {
      other.kill('SIGKILL');
      await new Promise((r) => other.once('exit', r));
    }
    const release = acquireHomeLock(home.home);
    release();
  });

  it('a second LabService on the same home is refused until the first is closed', async () => {
    const first = await createLabService({ home: home.home });
    await expect(createLabService({ home: home.home })).rejects.toMatchObject({ code: 'conflict' });
    await first.close();
    const second = await createLabService({ home: home.home });
    await second.close();
  });
});
