// `rlab serve`'s static files never leave the UI folder, whatever the encoding of `..`, slashes, NULs, absolute paths
// or symbolic links; a file beside the UI folder is the target every variant tries to reach.
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badInputCounter } from './helpers/bad-inputs';
import { rawExchange } from './helpers/raw';
import { expectAlive, SECRET, type ServeProcess, startServe } from './helpers/serve-process';

const bad = badInputCounter('static file traversal');
let s: ServeProcess;

beforeAll(async () => {
  s = await startServe();
  // links inside the UI folder that point out of it
  symlinkSync(path.join(s.dir, 'secret.txt'), path.join(s.uiDir, 'leak.txt'));
  symlinkSync(s.dir, path.join(s.uiDir, 'assets', 'outside'));
  mkdirSync(path.join(s.uiDir, 'sub'));
});
afterAll(async () => {
  expect(await s.stop()).toBe(0);
});

async function get(target: string): Promise<{ status: number | null; body: string }> {
  const r = await rawExchange(s.port, [`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nConnection: close\r\n\r\n`]);
  const text = r.data.toString('latin1');
  return { status: r.status, body: text.slice(text.indexOf('\r\n\r\n') + 4) };
}

describe('path traversal on static files', () => {
  const targets = (dir: string): string[] => [
    '/../secret.txt',
    '/../../../../../../etc/passwd',
    '/..%2fsecret.txt',
    '/..%2Fsecret.txt',
    '/%2e%2e/secret.txt',
    '/%2e%2e%2fsecret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/.%2e/secret.txt',
    '/assets/../../secret.txt',
    '/assets/%2e%2e/%2e%2e/secret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/%252e%252e/secret.txt',
    '/%252e%252e%252fsecret.txt',
    '/..%5csecret.txt',
    '/..\\secret.txt',
    '/assets\\..\\..\\secret.txt',
    '/%c0%ae%c0%ae/secret.txt',
    '/%c0%af..%c0%afsecret.txt',
    '/secret.txt%00.html',
    '/index.html%00',
    '/%00',
    '/..%00/secret.txt',
    '//etc/passwd',
    '/etc/passwd',
    '/%2fetc%2fpasswd',
    '/%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd',
    `/${dir}/secret.txt`,
    `/%2F${dir.replace(/\//g, '%2F')}%2Fsecret.txt`,
    `/${'../'.repeat(1500)}etc/passwd`,
    '/./../secret.txt',
    '/assets/./../../secret.txt',
    '/.../secret.txt',
    '/sub/../../secret.txt',
    '/leak.txt',
    '/assets/outside/secret.txt',
    '/assets/outside/ui/../secret.txt',
    '/?file=../secret.txt',
    `http://127.0.0.1:${s.port}/../secret.txt`,
    'file:///etc/passwd',
  ];

  it('never answers with a file from outside the UI folder', async () => {
    const answers: Record<string, number | null> = {};
    for (const t of targets(s.dir)) {
      bad.tried();
      const { status, body } = await get(t);
      answers[t] = status;
      expect(body, t).not.toContain(SECRET);
      expect(body, t).not.toContain('root:x:0:0');
      expect([200, 400, 403, 404], t).toContain(status);
      // 200 only as the UI's own index page (paths without an extension fall back to it)
      if (status === 200) expect(body, t).toContain('rlab security test ui');
    }
    expect(answers['/leak.txt']).toBe(404);
    expect(answers['/assets/outside/secret.txt']).toBe(404);
  });

  it('still serves the UI folder itself', async () => {
    expect((await get('/assets/app.js')).body).toBe('console.log("ui")');
    expect((await get('/')).body).toContain('rlab security test ui');
  });

  it('is still alive and answers an authenticated call', async () => {
    await expectAlive(s);
  });
});
