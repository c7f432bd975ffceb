// The Electron IPC layer: sender frame check, schema validation through dispatch, error envelopes, event forwarding.
// `electron` is mocked (ipcMain only); the service behind it is the real LabService on a temporary lab home.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_CHANNELS, type LabMethods } from '../../../src/shared/contract';
import { LabError, type Envelope } from '../../../src/shared/errors';
import { RunIdRequestSchema } from '../../../src/shared/schemas';
import { parseOrThrow } from '../../../src/shared/validate';
import { EventBus, eventSubscriptions } from '../../../src/main/lab/service/event-bus';
import { createLabService, type LabService } from '../../../src/main/lab/service/service';
import { type RendererLocation } from '../../../src/main/electron/renderer-url';

type Handler = (event: unknown, payload: unknown) => Promise<Envelope<unknown>>;
const ipc = vi.hoisted(() => ({ handlers: new Map<string, Handler>() }));

vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, fn: Handler) => {
      if (ipc.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      ipc.handlers.set(channel, fn);
    },
    removeHandler: (channel: string) => ipc.handlers.delete(channel),
  },
}));

const { forwardLabEvents, isTrustedSender, readInvokePayload, registerLabIpc } = await import('../../../src/main/ipc');

const outDir = path.join(os.tmpdir(), 'rlab-ipc-app', 'out');
const renderer: RendererLocation = { kind: 'file', file: path.join(outDir, 'renderer', 'index.html') };
const ourUrl = `${pathToFileURL(renderer.file).href}#/experiments`;

/** What Electron passes as the invoke event, reduced to the part the handler reads. */
function eventFrom(url: string | null, parent: unknown = null) {
  return { senderFrame: url === null ? null : { url, parent } };
}

let home: string;
let service: LabService;
let calls: string[];
let counted: LabMethods;
let unregister: () => void;

async function invoke(payload: unknown, url: string | null = ourUrl, parent: unknown = null): Promise<Envelope<unknown>> {
  const handler = ipc.handlers.get(IPC_CHANNELS.invoke);
  if (!handler) throw new Error('no invoke handler registered');
  return handler(eventFrom(url, parent), payload);
}

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'rlab-ipc-'));
  service = await createLabService({ home });
  calls = [];
  // the real service, with every method call recorded so a refused call can be shown never to reach it
  counted = new Proxy(service, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        calls.push(String(prop));
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
});

afterAll(async () => {
  await service?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

beforeEach(() => {
  ipc.handlers.clear();
  calls.length = 0;
  unregister = registerLabIpc({ service: counted, renderer, log: () => undefined });
});

describe('invoke handler', () => {
  it('answers a call from our renderer page with the service result', async () => {
    const reply = await invoke({ method: 'listRuns', params: {} });
    expect(reply).toEqual({ ok: true, result: [] });
    expect(calls).toEqual(['listRuns']);
  });

  it('treats missing params as an empty request', async () => {
    expect(await invoke({ method: 'listExperiments' })).toEqual({ ok: true, result: [] });
  });

  it('returns the schema message naming the field for invalid params, without calling the service', async () => {
    const reply = await invoke({ method: 'getRun', params: { runId: 'not-a-run' } });
    const expected = (() => {
      try {
        parseOrThrow(RunIdRequestSchema, { runId: 'not-a-run' });
      } catch (err) {
        return (err as LabError).toJSON();
      }
      throw new Error('the schema accepted a bad run id');
    })();
    expect(reply).toEqual({ ok: false, error: expected });
    expect(expected.field).toBe('runId');
    expect(calls).toEqual([]);
  });

  it('keeps the code and message of the service error (an unknown run is not_found)', async () => {
    const reply = await invoke({ method: 'getRun', params: { runId: 'run_doesnotexist' } });
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.error.code).toBe('not_found');
    expect(reply.error.message).toContain('run_doesnotexist');
  });

  it('refuses an unknown method as unsupported', async () => {
    const reply = await invoke({ method: 'dropDatabase', params: {} });
    expect(reply).toMatchObject({ ok: false, error: { code: 'unsupported', field: 'method' } });
  });

  it('refuses a payload that is not an object', async () => {
    expect(await invoke('listRuns')).toMatchObject({ ok: false, error: { code: 'invalid_argument', field: 'message' } });
    expect(await invoke(null)).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    expect(calls).toEqual([]);
  });

  it.each([
    ['another file', pathToFileURL(path.join(outDir, 'renderer', 'other.html')).href],
    ['a web page', 'https://example.com/#/experiments'],
    ['a blank page', 'about:blank'],
  ])('refuses calls from %s and never reaches the service', async (_name, url) => {
    const reply = await invoke({ method: 'listRuns', params: {} }, url);
    expect(reply).toMatchObject({ ok: false, error: { code: 'permission_denied' } });
    expect(calls).toEqual([]);
  });

  it('refuses calls from a subframe of our page and from a destroyed frame', async () => {
    expect(await invoke({ method: 'listRuns', params: {} }, ourUrl, { url: ourUrl })).toMatchObject({ ok: false, error: { code: 'permission_denied' } });
    expect(await invoke({ method: 'listRuns', params: {} }, null)).toMatchObject({ ok: false, error: { code: 'permission_denied' } });
    expect(calls).toEqual([]);
  });

  it('tells an untrusted sender only that it was refused, even for a malformed payload', async () => {
    expect(await invoke(42, 'https://example.com/')).toMatchObject({ ok: false, error: { code: 'permission_denied' } });
  });

  it('turns an unexpected service failure into an internal error envelope', async () => {
    ipc.handlers.clear();
    const broken = { ...service, listJobs: () => Promise.reject(new Error('disk on fire')) } as LabMethods;
    registerLabIpc({ service: broken, renderer, log: () => undefined });
    expect(await invoke({ method: 'listJobs', params: {} })).toEqual({ ok: false, error: { code: 'internal', message: 'disk on fire' } });
  });

  it('removes its handler when unregistered', () => {
    unregister();
    expect(ipc.handlers.has(IPC_CHANNELS.invoke)).toBe(false);
  });
});

describe('sender check', () => {
  it('accepts our index.html with any hash or query and nothing else', () => {
    expect(isTrustedSender(eventFrom(`${pathToFileURL(renderer.file).href}?x=1#/run/run_a`) as never, renderer)).toBe(true);
    expect(isTrustedSender(eventFrom(pathToFileURL(path.join(outDir, 'index.html')).href) as never, renderer)).toBe(false);
  });

  it('accepts only the dev server origin in development', () => {
    const dev: RendererLocation = { kind: 'dev', url: 'http://localhost:5173/' };
    expect(isTrustedSender(eventFrom('http://localhost:5173/#/new') as never, dev)).toBe(true);
    expect(isTrustedSender(eventFrom('http://localhost:5174/') as never, dev)).toBe(false);
    expect(isTrustedSender(eventFrom(ourUrl) as never, dev)).toBe(false);
  });
});

describe('readInvokePayload', () => {
  it('reads method and params and defaults params to {}', () => {
    expect(readInvokePayload({ method: 'getRun', params: { runId: 'run_a' } })).toEqual({ method: 'getRun', params: { runId: 'run_a' } });
    expect(readInvokePayload({ method: 'listJobs' })).toEqual({ method: 'listJobs', params: {} });
    expect(readInvokePayload([1, 2])).toBeInstanceOf(LabError);
  });
});

describe('event forwarding', () => {
  function contents(url: string, destroyed = false) {
    return { getURL: () => url, isDestroyed: () => destroyed, send: vi.fn() };
  }

  it('sends each lab event to our live windows only, and stops when unsubscribed', () => {
    const bus = new EventBus();
    const ours = contents(ourUrl);
    const foreign = contents('https://example.com/');
    const gone = contents(ourUrl, true);
    const stop = forwardLabEvents(eventSubscriptions(bus), () => [ours, foreign, gone] as never, renderer);
    const payload = { runId: 'run_a', experimentId: 'exp_a', status: 'running' as const };
    bus.emit('run-status', payload);
    expect(ours.send).toHaveBeenCalledWith(IPC_CHANNELS.event, { event: 'run-status', payload });
    expect(foreign.send).not.toHaveBeenCalled();
    expect(gone.send).not.toHaveBeenCalled();
    stop();
    bus.emit('log', { level: 'info', message: 'after stop' });
    expect(ours.send).toHaveBeenCalledTimes(1);
    expect(bus.listenerCount('run-status')).toBe(0);
  });
});
