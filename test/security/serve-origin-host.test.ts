// `rlab serve` refuses requests that name another host (DNS rebinding) and WebSockets opened by other web pages
// (cross-site WebSocket hijacking), token or not, and says so in its log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badInputCounter } from './helpers/bad-inputs';
import { closeCodes, rawExchange, upgradeRequest } from './helpers/raw';
import { expectAlive, type ServeProcess, startServe } from './helpers/serve-process';

const bad = badInputCounter('Origin and Host');
let s: ServeProcess;

beforeAll(async () => {
  s = await startServe();
});
afterAll(async () => {
  expect(await s.stop()).toBe(0);
});

function httpGet(target: string, headers: Record<string, string | null>): Promise<number | null> {
  const lines = Object.entries({ Host: `127.0.0.1:${s.port}`, ...headers })
    .filter((e): e is [string, string] => e[1] !== null)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return rawExchange(s.port, [`GET ${target} HTTP/1.1\r\n${lines}Connection: close\r\n\r\n`]).then((r) => r.status);
}

describe('Origin on the WebSocket upgrade', () => {
  const foreign = (port: number) => [
    'http://evil.example',
    'null',
    '',
    `http://127.0.0.1.evil.example:${port}`,
    `https://127.0.0.1:${port}`,
    `http://127.0.0.1:${port + 1}`,
    `http://localhost:${port}.evil.example`,
    `http://127.0.0.1:${port}/ws`,
    `http://evil.example@127.0.0.1:${port}`,
    `http://0.0.0.0:${port}`,
    `file://`,
  ];

  it('refuses a WebSocket from another web page with 403 even with the right token, and logs why', async () => {
    for (const origin of foreign(s.port)) {
      bad.tried();
      const r = await rawExchange(s.port, [upgradeRequest(s.port, `/ws?token=${s.token}`, { Origin: origin })]);
      expect(r.status, origin).toBe(403);
    }
    expect(s.stderr()).toContain('refused WebSocket from 127.0.0.1: Origin "http://evil.example" is not this server');
    expect(s.stderr()).not.toContain(s.token);
  });

  it('accepts the server’s own loopback origins, and programs that send no Origin', async () => {
    for (const origin of [`http://127.0.0.1:${s.port}`, `http://localhost:${s.port}`, `http://LOCALHOST:${s.port}`, `http://[::1]:${s.port}`, null]) {
      const r = await rawExchange(s.port, [upgradeRequest(s.port, `/ws?token=${s.token}`, { Origin: origin })], { timeoutMs: 300 });
      expect(r.status, String(origin)).toBe(101);
      expect(closeCodes(r.data)).toEqual([]);
    }
  });

  it('refuses the HTTP API to another web page', async () => {
    bad.tried();
    expect(await httpGet(`/api/health?token=${s.token}`, { Origin: 'http://evil.example' })).toBe(403);
    expect(await httpGet(`/api/health?token=${s.token}`, { Origin: `http://localhost:${s.port}` })).toBe(200);
  });

  it('is still alive and answers an authenticated call', async () => {
    await expectAlive(s);
  });
});

describe('Host on every request (DNS rebinding)', () => {
  const forged = (port: number) => [
    'evil.example',
    `evil.example:${port}`,
    `rebind.127.0.0.1.nip.io:${port}`,
    '127.0.0.1',
    `127.0.0.1:${port + 1}`,
    `localhost.:${port}`,
    `0.0.0.0:${port}`,
    '[::1]',
    `127.0.0.1:${port}@evil.example`,
    `127.0.0.1:${port}\tx`,
  ];

  it('refuses a forged Host on static files, the API and the WebSocket, and logs why', async () => {
    for (const host of forged(s.port)) {
      bad.tried(3);
      expect(await httpGet('/', { Host: host }), host).toBe(403);
      expect(await httpGet(`/api/health?token=${s.token}`, { Host: host }), host).toBe(403);
      const r = await rawExchange(s.port, [upgradeRequest(s.port, `/ws?token=${s.token}`, { Host: host })]);
      expect([400, 403], host).toContain(r.status);
    }
    bad.tried(2);
    // no Host at all, and two of them (Node keeps the first)
    expect([400, 403]).toContain(await httpGet('/', { Host: null }));
    expect(await httpGet('/', { Host: 'evil.example', 'X-Dummy': `x\r\nHost: 127.0.0.1:${s.port}` })).toBe(403);
    expect(s.stderr()).toContain('Host "evil.example" is not this server\'s own address');
  });

  it('serves the loopback names of its own port', async () => {
    for (const host of [`127.0.0.1:${s.port}`, `localhost:${s.port}`, `LocalHost:${s.port}`, `[::1]:${s.port}`]) {
      expect(await httpGet('/', { Host: host }), host).toBe(200);
      expect(await httpGet(`/api/health?token=${s.token}`, { Host: host }), host).toBe(200);
    }
  });

  it('is still alive and answers an authenticated call', async () => {
    await expectAlive(s);
  });
});
