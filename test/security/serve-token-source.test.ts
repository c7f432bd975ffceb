// Where a real `rlab serve` takes its token from: RLAB_TOKEN instead of argv (which `ps` shows), and a token file
// only when no other user can read it.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { badInputCounter } from './helpers/bad-inputs';
import { expectAlive, RLAB_BIN, startServe } from './helpers/serve-process';

const bad = badInputCounter('token sources');

function serveExit(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'rlab-security-home-'));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [RLAB_BIN, 'serve', '--port', '0', ...args], { env: { ...process.env, RLAB_HOME: home, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      rmSync(home, { recursive: true, force: true });
      resolve({ code, stderr });
    });
  });
}

describe('rlab serve token sources', () => {
  it('serves with the token from RLAB_TOKEN, which never appears in its argv', async () => {
    const s = await startServe({ tokenVia: 'env' });
    try {
      expect(s.child.spawnargs.join(' ')).not.toContain(s.token);
      await expectAlive(s);
    } finally {
      await s.stop();
    }
  });

  it('refuses a token file other users can read and weak tokens, with exit code 2 and nothing quoted (more cases: test/unit/main/server/token-source.test.ts)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rlab-security-token-'));
    try {
      const open = path.join(dir, 'open-token');
      writeFileSync(open, 'a-good-looking-token-0123\n');
      chmodSync(open, 0o644);
      const weak = path.join(dir, 'weak-token');
      writeFileSync(weak, 'root:x:0:0 weak\n');
      chmodSync(weak, 0o600);
      const cases: [string[], Record<string, string>, RegExp][] = [
        [['--token-file', open], {}, /can be read by other users \(mode 644\); make it user-only with `chmod 600/],
        [['--token-file', weak], {}, /the token in --token-file must be 16–256 characters/],
        [[], { RLAB_TOKEN: 'short' }, /RLAB_TOKEN must be 16–256 characters/],
      ];
      const results = await Promise.all(cases.map(([args, env]) => serveExit(args, env)));
      for (const [i, [, , message]] of cases.entries()) {
        bad.tried();
        const r = results[i]!;
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toMatch(message);
        expect(r.stderr).not.toContain('root:x');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
