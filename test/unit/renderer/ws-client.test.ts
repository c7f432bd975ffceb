/// <reference types="node" />
// The browser's LabApi over WebSocket, against a real `rlab serve` process: replies, LabErrors, events,
// reconnection after a server restart, and a wrong token.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_SUBSCRIBERS, LAB_EVENTS, LAB_METHODS, type JobFinishedEvent, type RunStatusEvent } from '../../../src/shared/contract';
import { LabError } from '../../../src/shared/errors';
import { type WebSocketCtor, WsLabClient, type ConnectionState } from '../../../src/shared/ws-client';
import { wsUrlFor } from '../../../src/renderer/src/api/lab';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const TOKEN = 'ws-client-test-token-0123456789';

interface Served {
  child: ChildProcess;
  url: string;
}

async function serve(home: string, port = 0): Promise<Served> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'rlab.mjs'), 'serve', '--port', String(port), '--token', TOKEN], {
    cwd: ROOT,
    env: { ...process.env, RLAB_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`rlab serve printed no URL:\n${out}\n${err}`)), 90_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/\S+\?token=\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`rlab serve exited with ${code}:\n${out}\n${err}`)));
  });
  return { child, url };
}

function stop(s: Served): Promise<void> {
  if (s.child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    s.child.once('exit', () => resolve());
    s.child.kill('SIGINT');
  });
}

function wsUrl(httpUrl: string, token = TOKEN): string {
  const u = new URL(httpUrl);
  return wsUrlFor({ protocol: u.protocol, host: u.host, search: `?token=${token}` });
}

function waitFor(client: WsLabClient, state: ConnectionState, timeoutMs = 60_000): Promise<number> {
  if (client.state === state) return Promise.resolve(client.generation);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`client never became ${state} (is ${client.state})`)), timeoutMs);
    const off = client.onStateChange((s, generation) => {
      if (s !== state) return;
      clearTimeout(timer);
      off();
      resolve(generation);
    });
  });
}

const Impl = WebSocket as unknown as WebSocketCtor;
let home: string;
let server: Served;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'rlab-wsclient-'));
  server = await serve(home);
});

afterAll(async () => {
  if (server) await stop(server);
  fs.rmSync(home, { recursive: true, force: true });
});

describe('WsLabClient against rlab serve', () => {
  it('builds the socket address from the page address and its token', () => {
    expect(wsUrlFor({ protocol: 'http:', host: '127.0.0.1:8717', search: '?token=abc' })).toBe('ws://127.0.0.1:8717/ws?token=abc');
    expect(wsUrlFor({ protocol: 'https:', host: 'lab.local', search: '?x=1&token=a%2Bb' })).toBe('wss://lab.local/ws?token=a%2Bb');
    expect(() => wsUrlFor({ protocol: 'http:', host: 'h', search: '' })).toThrow(LabError);
  });

  it('answers concurrent calls each with its own result, queued until the socket opens', async () => {
    const client = new WsLabClient({ url: wsUrl(server.url), WebSocketImpl: Impl });
    try {
      const [runs, experiments, jobs] = await Promise.all([client.api.listRuns({}), client.api.listExperiments({}), client.api.listJobs({})]);
      expect(runs).toEqual([]);
      expect(experiments).toEqual([]);
      expect(jobs).toEqual([]);
      expect(client.state).toBe('open');
    } finally {
      client.close();
    }
  });

  it('rejects with a LabError that keeps the code, field and message of the server', async () => {
    const client = new WsLabClient({ url: wsUrl(server.url), WebSocketImpl: Impl });
    try {
      const bad = await client.api.getRun({ runId: 'nope' }).catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(LabError);
      expect(bad).toMatchObject({ code: 'invalid_argument', field: 'runId' });
      expect((bad as LabError).message).toContain('runId');
      const missing = await client.api.getRun({ runId: 'run_missing' }).catch((e: unknown) => e);
      expect(missing).toMatchObject({ code: 'not_found' });
    } finally {
      client.close();
    }
  });

  it('delivers lab events to subscribers until they unsubscribe', async () => {
    const client = new WsLabClient({ url: wsUrl(server.url), WebSocketImpl: Impl });
    try {
      const seen: RunStatusEvent[] = [];
      const off = client.api.onRunStatus((e) => seen.push(e));
      const config = { name: 'ws-events', runs: ['base' as const], data: { trainSize: 32, testSize: 16 }, hparams: { model: 'mlp' as const, numFcUnits: [4], epochs: 1 } };
      const { runs } = await client.api.createExperiment({ config });
      const runId = runs[0]!.id;
      await expect.poll(() => seen.some((e) => e.runId === runId), { timeout: 30_000 }).toBe(true);
      off();
      const before = seen.length;
      await client.api.cancelRun({ runId }).catch(() => undefined);
      await client.api.listRuns({});
      expect(seen.length).toBe(before);
    } finally {
      client.close();
    }
  });

  it('has every LabApi method and subscription, and reports a finished job with its outcome through onJobFinished', async () => {
    const client = new WsLabClient({ url: wsUrl(server.url), WebSocketImpl: Impl });
    try {
      const api = client.api as unknown as Record<string, unknown>;
      expect(Object.keys(api).sort()).toEqual([...LAB_METHODS, ...LAB_EVENTS.map((e) => EVENT_SUBSCRIBERS[e])].sort());
      const finished: JobFinishedEvent[] = [];
      client.api.onJobFinished((e) => finished.push(e));
      const config = { name: 'ws-job-finished', runs: ['base' as const], data: { trainSize: 32, testSize: 16 }, hparams: { model: 'mlp' as const, numFcUnits: [4], epochs: 1, batchSize: 16 } };
      const { runs } = await client.api.createExperiment({ config });
      const runId = runs[0]!.id;
      await expect.poll(() => finished.find((e) => e.runId === runId), { timeout: 110_000, interval: 200 }).toMatchObject({ runId, kind: 'train', outcome: 'completed', evaluationIds: expect.any(Array) });
      expect((await client.api.getRun({ runId })).status).toBe('completed');
    } finally {
      client.close();
    }
  }, 150_000);

  it('reconnects after the server restarts and sends calls made while it was away', async () => {
    const port = new URL(server.url).port;
    const client = new WsLabClient({ url: wsUrl(server.url), WebSocketImpl: Impl, reconnectDelaysMs: [100, 200, 400] });
    try {
      await client.api.listJobs({});
      expect(client.generation).toBe(1);
      await stop(server);
      await waitFor(client, 'reconnecting');
      const whileAway = client.api.listExperiments({});
      server = await serve(home, Number(port));
      expect(await waitFor(client, 'open')).toBe(2);
      expect(Array.isArray(await whileAway)).toBe(true);
    } finally {
      client.close();
    }
  });

  it('stops at a wrong token and rejects calls instead of retrying', async () => {
    const client = new WsLabClient({ url: wsUrl(server.url, 'wrong-token-wrong-token'), WebSocketImpl: Impl, reconnectDelaysMs: [50] });
    try {
      const pending = client.api.listRuns({}).catch((e: unknown) => e);
      await waitFor(client, 'unauthorized');
      expect(await pending).toMatchObject({ code: 'permission_denied' });
      expect(await client.api.listRuns({}).catch((e: unknown) => e)).toBeInstanceOf(LabError);
    } finally {
      client.close();
    }
  });
});
