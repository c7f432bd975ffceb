// `rlab serve` against clients without a token: malformed upgrade URLs, broken frames, bytes that are not HTTP, bad
// tokens and a flood. After each group the real server process is still alive and answers an authenticated call,
// and its peak memory stays under a ceiling during the flood.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../unit/main/server/ws-test-client';
import { badInputCounter } from './helpers/bad-inputs';
import { closeCodes, frame, OP_BINARY, OP_CLOSE, OP_PING, OP_TEXT, rawExchange, upgradeRequest } from './helpers/raw';
import { expectAlive, type ServeProcess, startServe } from './helpers/serve-process';

const bad = badInputCounter('pre-auth (no token)');
let s: ServeProcess;

beforeAll(async () => {
  s = await startServe();
});
afterAll(async () => {
  expect(await s.stop()).toBe(0);
});

const MIB = 1024 * 1024;

describe('upgrade requests whose URL cannot be parsed', () => {
  it.each([
    // a path that only looks like another host: not the API
    ['//[', 404],
    ['//[::1', 404],
    ['//evil.example/ws', 404],
    ['/%', 404],
    ['*', 400],
  ])('answers an upgrade to %s with %i and keeps running', async (target, status) => {
    bad.tried();
    const r = await rawExchange(s.port, [upgradeRequest(s.port, target)]);
    expect(r.status).toBe(status);
    expect(r.closedByServer).toBe(true);
  });

  it('treats /ws/../ws as /ws, which still wants the token', async () => {
    bad.tried();
    const r = await rawExchange(s.port, [upgradeRequest(s.port, '/ws/../ws')]);
    expect(r.status).toBe(101);
    expect(closeCodes(r.data)).toEqual([4401]);
  });

  it('answers an absolute-form upgrade target and one with a broken query without crashing', async () => {
    for (const target of [`http://127.0.0.1:${s.port}/ws`, '/ws?token=%zz%', `/ws?token=${'%'.repeat(2000)}`, `/${'a'.repeat(7000)}`]) {
      bad.tried();
      const r = await rawExchange(s.port, [upgradeRequest(s.port, target)]);
      expect(r.closedByServer).toBe(true);
      expect(r.status === 101 ? closeCodes(r.data) : [r.status]).not.toContain(null);
    }
  });

  it('is still alive and answers an authenticated call', async () => {
    await expectAlive(s);
  });
});

const HOSTILE_FRAMES: readonly [string, Buffer][] = [
  ['an unmasked text frame', frame(OP_TEXT, '{"id":1,"method":"listRuns"}', { mask: false })],
  ['a frame claiming 2^63-1 bytes', frame(OP_TEXT, 'x', { declaredLength: 2n ** 63n - 1n })],
  ['a frame claiming 100 MiB that brings 64 KiB', frame(OP_BINARY, Buffer.alloc(64 * 1024, 7), { declaredLength: 100n * 1024n * 1024n })],
  ['a 5,000-byte text frame', frame(OP_TEXT, 'y'.repeat(5000))],
  ['a frame with reserved opcode 3', frame(0x3, 'z')],
  ['a frame with RSV bits set', frame(OP_TEXT, 'z', { rsv: 7 })],
  ['a fragmented ping', frame(OP_PING, 'p', { fin: false })],
  ['a ping longer than 125 bytes', frame(OP_PING, 'p'.repeat(200))],
  ['a close frame with code 999', frame(OP_CLOSE, Buffer.from([0x03, 0xe7]))],
  ['a text frame that is not UTF-8', frame(OP_TEXT, Buffer.from([0xff, 0xfe, 0xfd]))],
  ['a continuation frame with nothing to continue', frame(0x0, 'c')],
  ['random bytes', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))],
];

describe('hostile frames on a connection refused for its token', () => {
  it.each(HOSTILE_FRAMES)('closes with 4401 after %s, without reading it into memory', async (_name, bytes) => {
    for (const target of ['/ws', `/ws?token=${'0'.repeat(32)}`]) {
      bad.tried();
      const r = await rawExchange(s.port, [upgradeRequest(s.port, target), bytes], { timeoutMs: 5000 });
      expect(r.status).toBe(101);
      expect(closeCodes(r.data)[0]).toBe(4401);
      expect(r.closedByServer).toBe(true);
    }
  });

  it('is still alive and answers an authenticated call', async () => {
    await expectAlive(s);
  });
});

describe('hostile frames on an authenticated connection', () => {
  it.each(HOSTILE_FRAMES)('closes the connection on %s and serves the others', async (_name, bytes) => {
    bad.tried();
    const r = await rawExchange(s.port, [upgradeRequest(s.port, `/ws?token=${s.token}`), bytes], { timeoutMs: 1500 });
    expect(r.status).toBe(101);
    // 1002 protocol error, 1007 bad UTF-8, 1009 too big; a 5,000-byte frame is a readable (bad JSON) message instead
    if (closeCodes(r.data).length > 0) expect([1002, 1007, 1009]).toContain(closeCodes(r.data)[0]);
    else expect(r.data.toString('latin1')).toContain('invalid_argument');
  });

  it('is still alive and answers an authenticated call', async () => {
    await expectAlive(s);
  });
});

describe('bytes that are not a well-formed HTTP request', () => {
  const port = () => s.port;
  const cases: readonly [string, () => (string | Buffer)[], number | null][] = [
    ['random binary garbage', () => [Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 31 + 17) % 256))], 400],
    ['a TLS ClientHello', () => [Buffer.from('16030100a5010000a10303', 'hex')], 400],
    ['HTTP/0.9 (no version, no Host)', () => ['GET /\r\n\r\n'], 403],
    ['a header line without a colon', () => [`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port()}\r\nno colon here\r\n\r\n`], 400],
    ['a NUL in the request line', () => [`GET /\0 HTTP/1.1\r\nHost: 127.0.0.1:${port()}\r\n\r\n`], 400],
    ['20 KiB of headers', () => [`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port()}\r\nX-Big: ${'b'.repeat(20 * 1024)}\r\n\r\n`], 431],
    ['2,000 small headers', () => [`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port()}\r\n${Array.from({ length: 2000 }, (_, i) => `X-${i}: v\r\n`).join('')}\r\n`], 431],
    ['a negative Content-Length', () => [`POST / HTTP/1.1\r\nHost: 127.0.0.1:${port()}\r\nContent-Length: -1\r\n\r\n`], 400],
    ['two different Content-Lengths', () => [`POST / HTTP/1.1\r\nHost: 127.0.0.1:${port()}\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab`], 400],
    ['Content-Length with chunked (request smuggling)', () => [`POST / HTTP/1.1\r\nHost: 127.0.0.1:${port()}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`], 400],
    ['a broken chunked body', () => [`POST /api/health HTTP/1.1\r\nHost: 127.0.0.1:${port()}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`], null],
    ['an upgrade with a bad Sec-WebSocket-Key', () => [upgradeRequest(port(), `/ws?token=${s.token}`, { 'Sec-WebSocket-Key': 'short' })], 400],
    ['an upgrade with WebSocket version 99', () => [upgradeRequest(port(), `/ws?token=${s.token}`, { 'Sec-WebSocket-Version': '99' })], 400],
    ['an upgrade by POST', () => [upgradeRequest(port(), `/ws?token=${s.token}`).replace(/^GET/, 'POST')], 405],
    ['an upgrade to something else than websocket', () => [upgradeRequest(port(), `/ws?token=${s.token}`, { Upgrade: 'h2c' })], 400],
  ];

  it.each(cases)('refuses %s', async (_name, chunks, status) => {
    bad.tried();
    const r = await rawExchange(s.port, chunks());
    if (status !== null) expect(r.status).toBe(status);
    expect(r.closedByServer).toBe(true);
  });

  it('survives connections reset or half-closed in the middle of a request or handshake', async () => {
    const partial = [
      'GET / HT',
      `GET /ws?token=${s.token} HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nUpgrade: websocket\r\n`,
      upgradeRequest(s.port, '/ws'),
      upgradeRequest(s.port, `/ws?token=${s.token}`),
      Buffer.concat([Buffer.from(upgradeRequest(s.port, `/ws?token=${s.token}`)), frame(OP_TEXT, 'x'.repeat(1000)).subarray(0, 500)]),
    ];
    for (const p of partial) {
      bad.tried(2);
      await rawExchange(s.port, [p], { reset: true, timeoutMs: 500 });
      await rawExchange(s.port, [p], { halfClose: true, timeoutMs: 2000 });
    }
  });

  it('keeps serving while 20 connections sit on half-sent headers', async () => {
    bad.tried(20);
    const net = await import('node:net');
    const idle = Array.from({ length: 20 }, () => {
      const c = net.connect(s.port, '127.0.0.1');
      c.on('error', () => undefined);
      c.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nX-Slow: `);
      return c;
    });
    try {
      await expectAlive(s);
    } finally {
      for (const c of idle) c.destroy();
    }
  });

  it('is still alive and answers an authenticated call', async () => {
    await expectAlive(s);
  });
});

describe('bad tokens', () => {
  const tokens = (real: string): readonly [string, string | null][] => [
    ['no token', null],
    ['an empty token', ''],
    ['a wrong 32-hex token', '0'.repeat(32)],
    ['a short token', 'abc'],
    ['the real token minus its last character', real.slice(0, -1)],
    ['the real token plus one character', `${real}x`],
    ['the real token in upper case', real.toUpperCase()],
    ['a 6,000-character token', 'k'.repeat(6000)],
    ['percent-encoded bytes that are not UTF-8', '%ff%fe%fd'],
    ['a non-ASCII token', 'tökén-ünïcödé-ß-0123456789'],
    ['a token with a NUL', `${real}%00`],
  ];

  it('closes every WebSocket with a bad token with 4401 and answers the HTTP API with 401', async () => {
    for (const [name, t] of tokens(s.token)) {
      bad.tried(2);
      const q = t === null ? '' : `?token=${t.startsWith('%') ? t : encodeURIComponent(t)}`;
      const c = await connect(`ws://127.0.0.1:${s.port}/ws${q}`);
      c.ws.send(JSON.stringify({ id: 1, method: 'listRuns', params: {} }));
      expect((await c.closed).code, name).toBe(4401);
      expect(c.messages, name).toHaveLength(0);
      const res = await fetch(`http://127.0.0.1:${s.port}/api/health${q}`);
      expect(res.status, name).toBe(401);
    }
    bad.tried();
    expect((await fetch(`http://127.0.0.1:${s.port}/api/health`, { headers: { Authorization: 'Bearer nope-nope-nope-nope' } })).status).toBe(401);
    expect(s.stderr()).toMatch(/refused WebSocket from \S+: missing token/);
    expect(s.stderr()).toMatch(/refused WebSocket from \S+: wrong token/);
    expect(s.stderr()).not.toContain(s.token);
  });

  it('is still alive and answers an authenticated call', async () => {
    await expectAlive(s);
  });
});

describe('a flood of unauthenticated clients', () => {
  it('keeps the server within a few MiB of its peak while 120 clients send megabytes without a token', async () => {
    await expectAlive(s);
    s.resetPeak();
    const before = s.memoryKb();
    const big = Buffer.alloc(1.5 * MIB, 0x61);
    // 40 refused WebSockets each sending a 1.5 MiB frame, 40 HTTP requests with 1.5 MiB bodies, 40 with 8 KiB headers
    const refusedFrames = Array.from({ length: 40 }, () => rawExchange(s.port, [upgradeRequest(s.port, '/ws'), frame(OP_BINARY, big)], { timeoutMs: 8000 }));
    const bodies = Array.from({ length: 40 }, () =>
      rawExchange(s.port, [`POST /api/health HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nContent-Length: ${big.length}\r\n\r\n`, big], { timeoutMs: 8000 }),
    );
    const headers = Array.from({ length: 40 }, () => rawExchange(s.port, [`GET / HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nX-Pad: ${'h'.repeat(7800)}\r\n\r\n`], { timeoutMs: 8000 }));
    bad.tried(120);
    const results = await Promise.all([...refusedFrames, ...bodies, ...headers]);
    const after = s.memoryKb();
    const grewMiB = (after.hwm - before.rss) / 1024;
    console.log(`rlab serve RSS ${(before.rss / 1024).toFixed(1)} MiB before the flood, peak (VmHWM) during it ${(after.hwm / 1024).toFixed(1)} MiB (+${grewMiB.toFixed(1)} MiB)`);
    // 80 clients send 120 MiB; holding each refused socket's frame, or reading the bodies through, adds 20 to 60 MiB
    expect(grewMiB).toBeLessThan(16);
    const statuses = (rs: typeof results) => [...new Set(rs.map((r) => r.status))].sort();
    // a reset may beat the answer to the client (the server stops reading at once), hence null
    expect(statuses(results.slice(0, 40)).every((x) => x === 101 || x === null)).toBe(true);
    expect(statuses(results.slice(40, 80)).every((x) => x === 413 || x === null)).toBe(true);
    expect(statuses(results.slice(80))).toEqual([200]);
    await expectAlive(s);
  });
});
