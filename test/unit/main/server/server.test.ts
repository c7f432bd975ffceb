import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { get as httpGet } from 'node:http';
import { type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { LAB_EVENTS, LAB_PROTOCOL_VERSION } from '../../../../src/shared/contract';
import { startServer, type RunningServer } from '../../../../src/main/server/server';
import { CLOSE_UNAUTHORIZED } from '../../../../src/main/server/ws-hub';
import { HARD_MAX_MESSAGE_BYTES, MAX_MESSAGE_BYTES } from '../../../../src/main/server/ws-protocol';
import { createFakeLab, type FakeLab } from '../handlers/fake-lab';
import { connect, type TestClient } from './ws-test-client';

let server: RunningServer | undefined;
const clients: TestClient[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await server?.close();
  server = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmpDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'rlab-serve-'));
  dirs.push(d);
  return d;
}

async function start(lab: FakeLab, rendererDir = tmpDir(), extra: Partial<Parameters<typeof startServer>[0]> = {}): Promise<{ server: RunningServer; logs: string[] }> {
  const logs: string[] = [];
  server = await startServer({ service: lab.service, port: 0, rendererDir, log: (l) => logs.push(l), ...extra });
  return { server, logs };
}

async function open(url: string): Promise<TestClient> {
  const c = await connect(url);
  clients.push(c);
  return c;
}

describe('rlab serve: WebSocket', () => {
  it('binds 127.0.0.1 with a 32-hex token in the URL', async () => {
    const { server: s } = await start(createFakeLab());
    expect(s.host).toBe('127.0.0.1');
    expect(s.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${s.port}/\\?token=[0-9a-f]{32}$`));
    expect(s.wsUrl).toBe(`ws://127.0.0.1:${s.port}/ws?token=${s.token}`);
  });

  it.each([
    ['missing', (s: RunningServer) => `ws://127.0.0.1:${s.port}/ws`],
    ['wrong', (s: RunningServer) => `ws://127.0.0.1:${s.port}/ws?token=${'0'.repeat(32)}`],
  ])('closes a connection with a %s token with 4401, logs it, and never reaches the service', async (kind, url) => {
    const lab = createFakeLab();
    lab.answer('listJobs', () => []);
    const { server: s, logs } = await start(lab);
    const c = await open(url(s));
    c.ws.send(JSON.stringify({ id: 1, method: 'listJobs', params: {} }));
    const closed = await c.closed;
    expect(closed.code).toBe(CLOSE_UNAUTHORIZED);
    expect(lab.calls).toHaveLength(0);
    expect(c.messages).toHaveLength(0);
    expect(logs.some((l) => l.includes(`${kind} token`))).toBe(true);
    expect(logs.join('\n')).not.toContain(s.token);
  });

  it('answers calls on an authenticated connection', async () => {
    const lab = createFakeLab();
    lab.answer('listJobs', () => [{ id: 'job_1' }]);
    const { server: s } = await start(lab);
    const c = await open(s.wsUrl);
    expect(await c.call(7, 'listJobs', {})).toEqual({ id: 7, ok: true, result: [{ id: 'job_1' }] });
    expect(await c.call(8, 'listJobs')).toEqual({ id: 8, ok: true, result: [{ id: 'job_1' }] });
  });

  it('answers bad JSON, a missing id, unknown methods and bad params with errors and stays usable', async () => {
    const lab = createFakeLab();
    lab.answer('listJobs', () => []);
    const { server: s } = await start(lab);
    const c = await open(s.wsUrl);
    c.ws.send('{not json');
    const bad = await c.nextMessage((m) => m.id === 0);
    expect(bad).toMatchObject({ id: 0, ok: false, error: { code: 'invalid_argument', field: 'message' } });
    c.messages.length = 0;
    c.ws.send(JSON.stringify({ method: 'listJobs' }));
    expect(await c.nextMessage((m) => m.id === 0)).toMatchObject({ ok: false, error: { field: 'id' } });
    expect(await c.call(2, 'dropTables', {})).toMatchObject({ id: 2, ok: false, error: { code: 'unsupported', field: 'method' } });
    expect(await c.call(3, 'getRun', { runId: 42 })).toMatchObject({ id: 3, ok: false, error: { code: 'invalid_argument', field: 'runId' } });
    expect(await c.call(4, 'listJobs', {})).toEqual({ id: 4, ok: true, result: [] });
    expect(lab.calls.map((x) => x.method)).toEqual(['listJobs']);
  });

  it('answers a message over 1 MiB with an error and keeps the connection', async () => {
    const lab = createFakeLab();
    lab.answer('listJobs', () => []);
    const { server: s } = await start(lab);
    const c = await open(s.wsUrl);
    c.ws.send(JSON.stringify({ id: 1, method: 'listJobs', params: { pad: 'x'.repeat(MAX_MESSAGE_BYTES) } }));
    const reply = await c.nextMessage((m) => m.id === 0);
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid_argument', message: expect.stringContaining('limit is 1048576 bytes') } });
    expect(await c.call(2, 'listJobs', {})).toEqual({ id: 2, ok: true, result: [] });
    expect(lab.calls).toHaveLength(1);
  });

  it('closes with 1009 a message beyond the hard limit', async () => {
    const { server: s } = await start(createFakeLab());
    const c = await open(s.wsUrl);
    c.ws.send('x'.repeat(HARD_MAX_MESSAGE_BYTES + 1));
    expect((await c.closed).code).toBe(1009);
  });

  it('fans events out to every authenticated client and to no refused one', async () => {
    const lab = createFakeLab();
    const { server: s } = await start(lab);
    const a = await open(s.wsUrl);
    const b = await open(s.wsUrl);
    const refused = await open(`ws://127.0.0.1:${s.port}/ws?token=nope`);
    await refused.closed;
    expect(s.clientCount()).toBe(2);
    const payload = { runId: 'run_a1', phase: 'train' as const, epoch: 1, epochs: 5, batch: 3, batches: 50, loss: 0.5, accuracy: 0.8, etaSeconds: 12 };
    const sent = performance.now();
    lab.emit('progress', payload);
    const [ma, mb] = await Promise.all([a.nextMessage((m) => m.event === 'progress'), b.nextMessage((m) => m.event === 'progress')]);
    const latencyMs = performance.now() - sent;
    expect(ma).toEqual({ event: 'progress', payload });
    expect(mb).toEqual({ event: 'progress', payload });
    expect(refused.messages).toHaveLength(0);
    // A bench figure, not an assertion: loopback fan-out to two clients.
    console.log(`rlab serve event latency to 2 clients: ${latencyMs.toFixed(2)} ms`);
  });

  it('keeps delivering to the remaining client after another disconnects', async () => {
    const lab = createFakeLab();
    const { server: s } = await start(lab);
    const a = await open(s.wsUrl);
    const b = await open(s.wsUrl);
    a.ws.close();
    await a.closed;
    await waitFor(() => s.clientCount() === 1);
    lab.emit('log', { level: 'info', message: 'still here' });
    expect(await b.nextMessage((m) => m.event === 'log')).toEqual({ event: 'log', payload: { level: 'info', message: 'still here' } });
  });

  it('closes clients with 1001 and unsubscribes from the service on close', async () => {
    const lab = createFakeLab();
    const { server: s } = await start(lab);
    const c = await open(s.wsUrl);
    expect(lab.listenerCount()).toBe(LAB_EVENTS.length);
    await s.close();
    expect((await c.closed).code).toBe(1001);
    expect(lab.listenerCount()).toBe(0);
    server = undefined;
  });

  it('answers a WebSocket upgrade on another path with 404', async () => {
    const { server: s } = await start(createFakeLab());
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}/other?token=${s.token}`);
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)).on('error', () => resolve(-1)));
    expect(status).toBe(404);
  });
});

describe('rlab serve: HTTP', () => {
  it('serves the built UI with security headers', async () => {
    const dir = tmpDir();
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>lab</title>');
    writeFileSync(path.join(dir, 'assets', 'app.js'), 'console.log(1)');
    const { server: s } = await start(createFakeLab(), dir);
    const res = await fetch(s.url);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>lab</title>');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'; connect-src 'self' ws:");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const js = await fetch(`http://127.0.0.1:${s.port}/assets/app.js`);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await js.text()).toBe('console.log(1)');
    expect((await fetch(`http://127.0.0.1:${s.port}/runs/run_1`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${s.port}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${s.port}/`, { method: 'POST' })).status).toBe(405);
  });

  it('explains a missing build with a page that says to run npm run build', async () => {
    const { server: s } = await start(createFakeLab(), path.join(tmpDir(), 'nothing-here'));
    const res = await fetch(s.url);
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('npm run build');
  });

  it('requires the token on the HTTP API and logs refusals', async () => {
    const { server: s, logs } = await start(createFakeLab());
    const base = `http://127.0.0.1:${s.port}/api/health`;
    expect((await fetch(base)).status).toBe(401);
    expect((await fetch(`${base}?token=${'f'.repeat(32)}`)).status).toBe(401);
    expect(logs.filter((l) => l.includes('refused HTTP'))).toHaveLength(2);
    const ok = await fetch(`${base}?token=${s.token}`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true, result: { clients: 0, pid: process.pid, protocol: LAB_PROTOCOL_VERSION } });
    expect((await fetch(base, { headers: { Authorization: `Bearer ${s.token}` } })).status).toBe(200);
  });

  it('answers a plain GET on /ws with 426', async () => {
    const { server: s } = await start(createFakeLab());
    expect((await fetch(`http://127.0.0.1:${s.port}/ws`)).status).toBe(426);
  });

  it('reports a port in use as an io_error naming the port', async () => {
    const { server: s } = await start(createFakeLab());
    await expect(startServer({ service: createFakeLab().service, port: s.port, log: () => {} })).rejects.toMatchObject({ code: 'io_error', field: 'port' });
  });

  it('refuses a weak user token before listening', async () => {
    await expect(startServer({ service: createFakeLab().service, port: 0, token: 'abc', log: () => {} })).rejects.toMatchObject({ code: 'invalid_argument', field: 'token' });
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('rlab serve: Origin, Host and slow clients', () => {
  it('refuses a WebSocket opened by another web page with 403 and a log line, token or not', async () => {
    const { server: s, logs } = await start(createFakeLab());
    const ws = new WebSocket(s.wsUrl, { origin: 'http://evil.example' });
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)).on('error', () => resolve(-1)));
    expect(status).toBe(403);
    expect(logs).toContain('refused WebSocket from 127.0.0.1: Origin "http://evil.example" is not this server (another web page tried to connect)');
    const own = await open(s.wsUrl.replace('127.0.0.1', 'localhost'));
    expect(own.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('answers to the address it is bound to when --host names one', async () => {
    const { server: s } = await start(createFakeLab(), tmpDir(), { host: '127.0.0.2' });
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+\//);
    const c = await open(s.wsUrl);
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    const ws = new WebSocket(s.wsUrl, { origin: `http://127.0.0.2:${s.port}` });
    await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
    ws.terminate();
    const status = (host: string) =>
      new Promise<number>((resolve, reject) =>
        httpGet({ host: '127.0.0.2', port: s.port, path: `/api/health?token=${s.token}`, headers: { Host: host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject),
      );
    expect(await status(`127.0.0.2:${s.port}`)).toBe(200);
    expect(await status(`evil.example:${s.port}`)).toBe(403);
  });

  it('disconnects a client that stops reading once its unsent replies pass the limit, and keeps serving the others', async () => {
    const lab = createFakeLab();
    const big = 'r'.repeat(512 * 1024);
    lab.answer('listJobs', () => [big]);
    const { server: s, logs } = await start(lab, tmpDir(), { maxBufferedBytes: 1024 * 1024 });
    const other = await open(s.wsUrl);
    const slow = await open(s.wsUrl);
    (slow.ws as unknown as { _socket: Socket })._socket.pause();
    for (let i = 1; i <= 60; i++) slow.ws.send(JSON.stringify({ id: i, method: 'listJobs' }));
    await waitFor(() => logs.some((l) => l.startsWith('disconnected a client that is not reading')), 20_000);
    expect(logs.find((l) => l.startsWith('disconnected'))).toMatch(/MiB waiting to be sent \(limit 1 MiB\)$/);
    await waitFor(() => s.clientCount() === 1, 5000);
    expect(await other.call(1, 'listJobs')).toMatchObject({ id: 1, ok: true });
  });

  it('lets a single reply larger than the limit through to a client that reads', async () => {
    const lab = createFakeLab();
    lab.answer('listJobs', () => ['j'.repeat(3 * 1024 * 1024)]);
    const { server: s, logs } = await start(lab, tmpDir(), { maxBufferedBytes: 1024 * 1024 });
    const c = await open(s.wsUrl);
    for (let i = 1; i <= 3; i++) expect(await c.call(i, 'listJobs')).toMatchObject({ id: i, ok: true });
    expect(logs.filter((l) => l.startsWith('disconnected'))).toEqual([]);
  });
});
