// The page's getLab(): over the preload's window.lab inside Electron (LabErrors rebuilt from what the context bridge
// lets through), and a LabApi that explains itself when a browser page was opened without its token.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EVENT_SUBSCRIBERS, LAB_EVENTS, LAB_METHODS, type LabEventName, type ProgressEvent } from '../../../src/shared/contract';

/** getLab() keeps its choice for the page's life: each test loads the modules afresh (LabError included, so instanceof holds). */
async function fresh() {
  vi.resetModules();
  const [api, errors, hub, make] = await Promise.all([
    import('../../../src/renderer/src/api/lab'),
    import('../../../src/shared/errors'),
    import('../../../src/shared/event-hub'),
    import('../../../src/shared/make-lab-api'),
  ]);
  return { ...api, LabError: errors.LabError, EventHub: hub.EventHub, makeLabApi: make.makeLabApi };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

const progress: ProgressEvent = { runId: 'run_a1', phase: 'train', epoch: 1, epochs: 1, batch: 1, batches: 2, loss: 1, accuracy: 0.5, etaSeconds: 3 };

describe('getLab inside Electron', () => {
  it('rebuilds LabErrors from the plain shapes window.lab rejects with, and passes events through', async () => {
    const { getLab, getWsClient, labUnavailable, LabError, EventHub, makeLabApi } = await fresh();
    const hub = new EventHub();
    const calls: string[] = [];
    // what the preload exposes: makeLabApi over IPC with rejections made plain for the context bridge
    const bridged = makeLabApi(
      async (method) => {
        calls.push(method);
        if (method === 'getRun') throw new LabError('not_found', 'no run run_zz', 'runId');
        return [];
      },
      (event, cb) => hub.on(event, cb),
      { rejectWith: (err) => err.toJSON() },
    );
    vi.stubGlobal('window', { lab: bridged });
    const lab = getLab();
    expect(lab).toBe(getLab());
    expect(await lab.listRuns({})).toEqual([]);
    const err = await lab.getRun({ runId: 'run_zz' }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(LabError);
    expect(err).toMatchObject({ code: 'not_found', field: 'runId', message: 'no run run_zz' });
    expect(calls).toEqual(['listRuns', 'getRun']);
    const got: ProgressEvent[] = [];
    const off = lab.onProgress((p) => got.push(p));
    hub.emit({ event: 'progress', payload: progress });
    off();
    hub.emit({ event: 'progress', payload: progress });
    expect(got).toEqual([progress]);
    expect(getWsClient()).toBeNull();
    expect(labUnavailable()).toBeNull();
  });
});

describe('getLab in a browser page opened without its token', () => {
  it('answers every method with the same permission_denied LabError naming the token, and never subscribes', async () => {
    const storage = new Map<string, string>();
    vi.stubGlobal('window', {
      location: { protocol: 'http:', host: '127.0.0.1:8717', search: '', pathname: '/', hash: '' },
      history: { state: null, replaceState: () => undefined },
      sessionStorage: { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => storage.set(k, v) },
    });
    const { getLab, getWsClient, labUnavailable, LabError } = await fresh();
    const lab = getLab() as unknown as Record<string, (arg: unknown) => unknown>;
    const why = labUnavailable();
    expect(why).toBeInstanceOf(LabError);
    expect(why).toMatchObject({ code: 'permission_denied', field: 'token' });
    expect(getWsClient()).toBeNull();
    for (const method of LAB_METHODS) await expect(lab[method]!({})).rejects.toBe(why);
    for (const event of LAB_EVENTS) {
      const off = lab[EVENT_SUBSCRIBERS[event as LabEventName]]!(() => undefined);
      expect(typeof off).toBe('function');
    }
    expect(Object.keys(lab).sort()).toEqual([...LAB_METHODS, ...LAB_EVENTS.map((e) => EVENT_SUBSCRIBERS[e])].sort());
  });
});
