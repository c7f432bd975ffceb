// The preload's window.lab end to end inside one process: the page's LabApi (overPreload) → preload → IPC handler → dispatch →
// the real LabService. `electron` is mocked: contextBridge records what is exposed, ipcRenderer.invoke calls the
// handler that src/main/ipc.ts registers on ipcMain, with a sender frame that is our renderer page.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EVENT_SUBSCRIBERS, IPC_CHANNELS, LAB_EVENTS, LAB_METHODS, type LabApi, type LabEventMessage } from '../../../src/shared/contract';
import { LabError } from '../../../src/shared/errors';
import { createLabService, type LabService } from '../../../src/main/lab/service/service';

type Handler = (event: unknown, payload: unknown) => Promise<unknown>;
const e = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  handlers: new Map<string, Handler>(),
  listeners: new Map<string, ((event: unknown, message: unknown) => void)[]>(),
  senderUrl: '',
}));

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => e.exposed.set(key, api) },
  ipcRenderer: {
    invoke: (channel: string, payload: unknown) => {
      const h = e.handlers.get(channel);
      if (!h) return Promise.reject(new Error(`No handler registered for '${channel}'`));
      return h({ senderFrame: { url: e.senderUrl, parent: null } }, structuredClone(payload));
    },
    on: (channel: string, cb: (event: unknown, message: unknown) => void) => e.listeners.set(channel, [...(e.listeners.get(channel) ?? []), cb]),
  },
  ipcMain: {
    handle: (channel: string, fn: Handler) => e.handlers.set(channel, fn),
    removeHandler: (channel: string) => e.handlers.delete(channel),
  },
}));

const renderer = { kind: 'file' as const, file: path.join(os.tmpdir(), 'rlab-preload-app', 'out', 'renderer', 'index.html') };
let home: string;
let service: LabService;
let lab: LabApi;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'rlab-preload-'));
  service = await createLabService({ home });
  const { registerLabIpc } = await import('../../../src/main/ipc');
  registerLabIpc({ service, renderer, log: () => undefined });
  e.senderUrl = `${pathToFileURL(renderer.file).href}#/experiments`;
  await import('../../../src/preload/index');
  const { overPreload } = await import('../../../src/renderer/src/api/over-preload');
  lab = overPreload(e.exposed.get('lab') as LabApi);
});

afterAll(async () => {
  await service?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

function emit(message: LabEventMessage): void {
  for (const cb of e.listeners.get(IPC_CHANNELS.event) ?? []) cb({ sender: 'main' }, message);
}

describe('preload', () => {
  it('exposes exactly window.lab with every LabApi method and subscription, and nothing else', () => {
    expect([...e.exposed.keys()]).toEqual(['lab']);
    const api = e.exposed.get('lab') as Record<string, unknown>;
    const expected = [...LAB_METHODS, ...LAB_EVENTS.map((ev) => EVENT_SUBSCRIBERS[ev])].sort();
    expect(Object.keys(api).sort()).toEqual(expected);
    expect(Object.values(api).every((v) => typeof v === 'function')).toBe(true);
    expect(e.listeners.get(IPC_CHANNELS.event)).toHaveLength(1);
  });

  it('round-trips a call to the real service', async () => {
    expect(await lab.listRuns({})).toEqual([]);
    expect(await lab.listExperiments({})).toEqual([]);
  });

  it('rejects with a LabError carrying the service code, field and message', async () => {
    const err = await lab.getRun({ runId: 'bad id' }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(LabError);
    expect(err).toMatchObject({ code: 'invalid_argument', field: 'runId' });
    const raw = await (e.exposed.get('lab') as LabApi).getRun({ runId: 'run_nothere' }).catch((x: unknown) => x);
    // what crosses the context bridge is a plain object, since Electron keeps only an Error's message
    expect(raw).not.toBeInstanceOf(Error);
    expect(raw).toMatchObject({ code: 'not_found' });
  });

  it('routes resumeRun to the service like every other method', async () => {
    await expect(lab.resumeRun({ runId: 'run_nothere' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(lab.resumeRun({ runId: 'nope' })).rejects.toMatchObject({ code: 'invalid_argument', field: 'runId' });
  });

  it('turns a reply that is not an envelope into an internal LabError naming the method', async () => {
    const real = e.handlers.get(IPC_CHANNELS.invoke)!;
    e.handlers.set(IPC_CHANNELS.invoke, async () => undefined);
    try {
      const err = await lab.listJobs({}).catch((x: unknown) => x);
      expect(err).toBeInstanceOf(LabError);
      expect(err).toMatchObject({ code: 'internal', message: 'malformed reply to listJobs' });
    } finally {
      e.handlers.set(IPC_CHANNELS.invoke, real);
    }
  });

  it('is refused when the page is not our renderer', async () => {
    const saved = e.senderUrl;
    e.senderUrl = 'https://example.com/';
    try {
      const err = await lab.listRuns({}).catch((x: unknown) => x);
      expect(err).toBeInstanceOf(LabError);
      expect((err as LabError).code).toBe('permission_denied');
    } finally {
      e.senderUrl = saved;
    }
  });

  it('delivers events to each subscriber of that event until it unsubscribes', () => {
    const progress: unknown[] = [];
    const status: unknown[] = [];
    const offProgress = lab.onProgress((p) => progress.push(p));
    lab.onRunStatus((s) => status.push(s));
    const payload = { runId: 'run_a', phase: 'train' as const, epoch: 1, epochs: 1, batch: 1, batches: 2, loss: 1, accuracy: 0.5, etaSeconds: 3 };
    emit({ event: 'progress', payload });
    offProgress();
    emit({ event: 'progress', payload });
    expect(progress).toEqual([payload]);
    expect(status).toEqual([]);
  });

  it('delivers job-finished to onJobFinished and ignores messages that are not lab events', () => {
    const finished: unknown[] = [];
    const off = lab.onJobFinished((j) => finished.push(j));
    const payload = { jobId: 'job_1', runId: 'run_a', kind: 'evaluate' as const, outcome: 'completed' as const, evaluationIds: [3, 4] };
    for (const junk of [null, 'text', { event: 'nope', payload }, { event: 'job-finished' }]) {
      for (const cb of e.listeners.get(IPC_CHANNELS.event) ?? []) cb({ sender: 'main' }, junk);
    }
    emit({ event: 'job-finished', payload });
    off();
    expect(finished).toEqual([payload]);
  });

  it('keeps delivering when one subscriber throws, and refuses a non-function callback', () => {
    const got: unknown[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      lab.onLog(() => {
        throw new Error('broken view');
      });
      lab.onLog((m) => got.push(m));
      emit({ event: 'log', payload: { level: 'info', message: 'hi' } });
      expect(got).toEqual([{ level: 'info', message: 'hi' }]);
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
    expect(() => (e.exposed.get('lab') as { onLog: (cb: unknown) => void }).onLog('nope')).toThrow(TypeError);
  });
});
