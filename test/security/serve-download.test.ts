// Model downloads from a real `rlab serve`: a ticket is minted only over the token-checked WebSocket, downloads once
// as a ZIP that a real unzipper accepts, and every bad request (unknown, used or malformed ticket, traversal, wrong
// method, foreign Origin or Host, a body) gets a clear 4xx; neither token nor ticket reaches the log, the server lives
// on, and the temporary export folders are gone afterwards.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedLab } from '../e2e/helpers/seeded-lab';
import { seedTrainedModel } from '../e2e/helpers/trained-model';
import { connect, type TestClient } from '../unit/main/server/ws-test-client';
import { badInputCounter } from './helpers/bad-inputs';
import { rawExchange } from './helpers/raw';
import { expectAlive, SECRET, type ServeProcess, startServe } from './helpers/serve-process';

const PYTHON = ['/work/venv/bin/python', '/usr/bin/python3'].find((p) => existsSync(p));
const bad = badInputCounter('model downloads');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'rlab-dl-tmp-'));
let s: ServeProcess;
let runId = '';
let untrainedId = '';
let c: TestClient;
let nextId = 1;

beforeAll(async () => {
  s = await startServe({
    env: { TMPDIR: tmp },
    prepare: async (home) => {
      const ids = seedLab(home, 'dl', [0]);
      runId = ids.adv[0]!;
      untrainedId = ids.base[0]!;
      await seedTrainedModel(home, runId);
    },
  });
  c = await connect(`ws://127.0.0.1:${s.port}/ws?token=${s.token}`);
}, 120_000);
afterAll(async () => {
  c?.ws.close();
  expect(await s.stop()).toBe(0);
  rmSync(tmp, { recursive: true, force: true });
});

async function call(method: string, params: unknown): Promise<{ ok: boolean; result?: { url: string; filename: string; bytes: number; expiresAt: string }; error?: { code: string; message: string; field?: string } }> {
  const id = nextId++;
  c.ws.send(JSON.stringify({ id, method, params }));
  return (await c.nextMessage((m) => m.id === id && 'ok' in m, 120_000)) as never;
}

async function raw(request: string): Promise<{ status: number | null; head: string; body: Buffer }> {
  const r = await rawExchange(s.port, [request], { timeoutMs: 10_000 });
  const split = r.data.indexOf('\r\n\r\n');
  return { status: r.status, head: r.data.subarray(0, split).toString('latin1'), body: r.data.subarray(split + 4) };
}
const get = (target: string, headers = '') => raw(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\n${headers}Connection: close\r\n\r\n`);

describe('createModelDownload + GET /download/<ticket>', () => {
  it.skipIf(!PYTHON)('downloads the TF.js export once as a valid ZIP, with an attachment name, then refuses the used ticket', async () => {
    const reply = await call('createModelDownload', { runId, format: 'tfjs' });
    expect(reply.ok, JSON.stringify(reply.error)).toBe(true);
    const t = reply.result!;
    expect(t.url).toMatch(/^\/download\/[0-9a-f]{32}$/);
    expect(t.filename).toMatch(/^rlab-[A-Za-z0-9._-]+-run_[A-Za-z0-9]+-tfjs\.zip$/);
    expect(t.url).not.toContain(s.token);
    // the export is waiting in the server's temp folder until it is fetched
    expect(readdirSync(tmp).filter((n) => n.startsWith('rlab-download-'))).toHaveLength(1);

    const r = await get(t.url);
    expect(r.status).toBe(200);
    expect(r.head).toContain('Content-Type: application/zip');
    expect(r.head).toContain(`Content-Disposition: attachment; filename="${t.filename}"`);
    expect(r.head).toContain(`Content-Length: ${t.bytes}`);
    expect(r.head).toContain('Cache-Control: no-store');
    expect(r.body.length).toBe(t.bytes);
    const file = path.join(tmp, 'got.zip');
    writeFileSync(file, r.body);
    const names = JSON.parse(
      execFileSync(PYTHON!, ['-c', 'import json,sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(json.dumps(z.namelist()))', file], { encoding: 'utf8' }),
    ) as string[];
    const folder = t.filename.replace(/\.zip$/, '');
    expect(names.sort()).toEqual(['README.txt', 'metadata.json', 'model.json', 'weights.bin'].map((n) => `${folder}/${n}`));
    rmSync(file);
    // fetched: the temporary folder is gone, and no export artifact points at it
    await expect.poll(() => readdirSync(tmp).filter((n) => n.startsWith('rlab-download-'))).toEqual([]);
    const run = await call('getRun', { runId });
    expect((run.result as unknown as { artifacts: { kind: string }[] }).artifacts.filter((a) => a.kind === 'export')).toEqual([]);

    const again = await get(t.url);
    expect(again.status).toBe(410);
    expect(again.body.toString()).toContain('already used');
    bad.tried();
  });

  it('downloads an ONNX export as the one .onnx file', async () => {
    const reply = await call('createModelDownload', { runId, format: 'onnx' });
    expect(reply.ok, JSON.stringify(reply.error)).toBe(true);
    const r = await get(reply.result!.url);
    expect(r.status).toBe(200);
    expect(r.head).toContain('Content-Type: application/octet-stream');
    expect(r.head).toMatch(/Content-Disposition: attachment; filename="rlab-[A-Za-z0-9._-]+-onnx\.onnx"/);
    expect(r.body.length).toBe(reply.result!.bytes);
    expect(r.body.length).toBeGreaterThan(1000);
  });

  it('refuses bad calls over the WebSocket with the field that is wrong', async () => {
    const cases: [unknown, string, string | undefined][] = [
      [{ runId: 'run_missing' }, 'not_found', undefined],
      [{ runId: untrainedId }, 'failed_precondition', 'runId'],
      [{ runId: '../../etc' }, 'invalid_argument', 'runId'],
      [{ runId, format: 'pb' }, 'invalid_argument', 'format'],
      [{ runId, outDir: '/tmp/x' }, 'invalid_argument', undefined],
      [null, 'invalid_argument', undefined],
    ];
    for (const [params, code, field] of cases) {
      const r = await call('createModelDownload', params);
      expect(r.ok).toBe(false);
      expect(r.error).toMatchObject({ code, ...(field ? { field } : {}) });
      bad.tried();
    }
    expect(readdirSync(tmp).filter((n) => n.startsWith('rlab-download-'))).toEqual([]);
  });

  it('answers unknown, malformed and traversal tickets with 404, wrong methods with 405, others\' pages with 403', async () => {
    const targets = [
      '/download/0123456789abcdef0123456789abcdef',
      '/download/',
      '/download',
      '/download/../../secret.txt',
      '/download/..%2f..%2fsecret.txt',
      '/download/%2e%2e/%2e%2e/secret.txt',
      `/download/${'a'.repeat(5000)}`,
      '/download/0123456789ABCDEF0123456789ABCDEF',
      '/download/0123456789abcdef0123456789abcdef/x',
      '/download/0123456789abcdef0123456789abcdef%00',
      `/download/?token=${s.token}`,
    ];
    for (const target of targets) {
      const r = await get(target);
      expect([400, 404, 431], target).toContain(r.status);
      expect(r.body.toString()).not.toContain(SECRET);
      if (r.status === 404 && !/\.\.|%2e/i.test(target)) expect(r.body.toString()).toContain('no such download');
      bad.tried();
    }
    const live = (await call('createModelDownload', { runId })).result!;
    for (const method of ['POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS']) {
      const r = await raw(`${method} ${live.url} HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nConnection: close\r\n\r\n`);
      expect(r.status, method).toBe(405);
      expect(r.head).toContain('Allow: GET');
      bad.tried();
    }
    const foreign = await get(live.url, 'Origin: http://evil.example\r\n');
    expect(foreign.status).toBe(403);
    const rebinding = await raw(`GET ${live.url} HTTP/1.1\r\nHost: evil.example:${s.port}\r\nConnection: close\r\n\r\n`);
    expect(rebinding.status).toBe(403);
    const body = await raw(`GET ${live.url} HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc`);
    expect(body.status).toBe(413);
    bad.tried(3);
    // none of those used the ticket up
    expect((await get(live.url)).status).toBe(200);
  });

  it('never logs the token or a ticket, and keeps serving', async () => {
    const t = (await call('createModelDownload', { runId })).result!;
    expect((await get(t.url)).status).toBe(200);
    await get(t.url);
    const log = s.stderr();
    expect(log).toContain('refused GET /download/… from');
    expect(log).not.toContain(s.token);
    expect(log).not.toContain(t.url.slice('/download/'.length));
    await expectAlive(s);
    await expect.poll(() => readdirSync(tmp).filter((n) => n.startsWith('rlab-download-'))).toEqual([]);
  });
});

