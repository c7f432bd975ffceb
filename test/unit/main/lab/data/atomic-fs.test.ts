// Temporary siblings of processes that are gone are removed; a live process's (this one's) stay.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeOrphanTemps, tempSibling } from '../../../../../src/main/lab/data/atomic-fs';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rlab-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('removeOrphanTemps', () => {
  it('removes the temporary files of a process that has exited, and nothing else', async () => {
    // a real process that has ended: its pid is free (unless reused in the meantime, when its file would stay)
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(gone.stdout);
    const target = path.join(dir, 'train-images-idx3-ubyte.gz');
    const orphan = path.join(dir, `.train-images-idx3-ubyte.gz.tmp-${deadPid}-0badc0de`);
    const mine = tempSibling(target);
    writeFileSync(orphan, 'partial');
    writeFileSync(mine, 'in progress');
    writeFileSync(target, 'complete');
    writeFileSync(path.join(dir, 'notes.tmp-1-zz'), 'not ours');
    expect(await removeOrphanTemps(dir)).toEqual([path.basename(orphan)]);
    expect(readdirSync(dir).sort()).toEqual([path.basename(mine), 'notes.tmp-1-zz', 'train-images-idx3-ubyte.gz'].sort());
  });

  it('is a no-op for a folder that does not exist', async () => {
    expect(await removeOrphanTemps(path.join(dir, 'missing'))).toEqual([]);
  });
});
