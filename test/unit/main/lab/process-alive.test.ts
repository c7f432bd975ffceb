// A pid names a running process only while that process lives: this one does, a child that has exited does not.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { processAlive } from '../../../../src/main/lab/process-alive';

describe('processAlive', () => {
  it('is true for this process and false for a child that has exited', () => {
    expect(processAlive(process.pid)).toBe(true);
    const child = spawnSync(process.execPath, ['-e', 'process.exit(0)']);
    expect(child.pid).toBeGreaterThan(0);
    expect(processAlive(child.pid!)).toBe(false);
  });

  it('counts a process of another user (EPERM) as running: pid 1 always runs', () => {
    expect(processAlive(1)).toBe(true);
  });
});
