// makeLabApi: the one builder of every LabApi (preload, WebSocket client, renderer, test fake). Methods from the
// schema table routed to `call` by name, failures rebuilt as LabError, onX subscriptions from the event table.
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { type z } from 'zod';
import {
  EVENT_SUBSCRIBERS,
  LAB_EVENTS,
  LAB_METHODS,
  LAB_REQUEST_SCHEMAS,
  type LabApi,
  type LabEventName,
  type LabMethod,
  type LabRequest,
  type LabResults,
  type ProgressEvent,
} from '../../../src/shared/contract';
import { LabError } from '../../../src/shared/errors';
import { EventHub, isEventMessage } from '../../../src/shared/event-hub';
import { makeLabApi, toLabError, type LabCallTransport, type LabSubscribeTransport } from '../../../src/shared/make-lab-api';
import { type MetricsRequestSchema } from '../../../src/shared/schemas';

const never: LabSubscribeTransport = () => {
  throw new Error('this test subscribes to nothing');
};

function recordingCall(answer: (method: LabMethod, request: unknown) => unknown = (m) => `${m} result`) {
  const calls: { method: LabMethod; request: unknown }[] = [];
  const call: LabCallTransport = async (method, request) => {
    calls.push({ method, request });
    return answer(method, request);
  };
  return { calls, call };
}

const progress: ProgressEvent = { runId: 'run_a1', phase: 'train', epoch: 1, epochs: 2, batch: 3, batches: 4, loss: 0.5, accuracy: 0.8, etaSeconds: 9 };

describe('makeLabApi', () => {
  it('has exactly one function per method of the schema table and one onX per event, nothing else', () => {
    const api = makeLabApi(recordingCall().call, never) as unknown as Record<string, unknown>;
    const expected = [...Object.keys(LAB_REQUEST_SCHEMAS), ...LAB_EVENTS.map((e) => EVENT_SUBSCRIBERS[e])].sort();
    expect(Object.keys(api).sort()).toEqual(expected);
    expect(Object.values(api).every((v) => typeof v === 'function')).toBe(true);
    // resumeRun and the job-finished event belong to the contract
    expect(LAB_METHODS).toContain('resumeRun');
    expect(EVENT_SUBSCRIBERS['job-finished']).toBe('onJobFinished');
  });

  it('routes every method to call with its own name and the request as given, and resolves with its answer', async () => {
    const { calls, call } = recordingCall();
    const api = makeLabApi(call, never) as unknown as Record<LabMethod, (req: unknown) => Promise<unknown>>;
    for (const method of LAB_METHODS) {
      const request = { marker: method };
      expect(await api[method](request)).toBe(`${method} result`);
      expect(calls.at(-1)).toEqual({ method, request });
      expect(calls.at(-1)!.request).toBe(request);
    }
    expect(calls).toHaveLength(LAB_METHODS.length);
  });

  it('sends an empty request when a caller passes none', async () => {
    const { calls, call } = recordingCall(() => []);
    const api = makeLabApi(call, never);
    await (api.listJobs as (req?: unknown) => Promise<unknown>)();
    expect(calls).toEqual([{ method: 'listJobs', request: {} }]);
  });

  it('rebuilds a plain { code, message, field } rejection as a LabError with the same code, field and message', async () => {
    const api = makeLabApi(() => Promise.reject({ code: 'invalid_argument', message: 'runId must be a run id like run_ab12cd (got "x")', field: 'runId' }), never);
    const err = await api.getRun({ runId: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect(err).toMatchObject({ code: 'invalid_argument', field: 'runId', message: 'runId must be a run id like run_ab12cd (got "x")' });
    expect((err as LabError).toJSON()).toEqual({ code: 'invalid_argument', message: 'runId must be a run id like run_ab12cd (got "x")', field: 'runId' });
  });

  it('keeps a LabError as is and makes any other failure, thrown synchronously or not, an internal LabError', async () => {
    const original = new LabError('not_found', 'no run run_zz', 'runId');
    const kept = await makeLabApi(() => Promise.reject(original), never)
      .getRun({ runId: 'run_zz' })
      .catch((e: unknown) => e);
    expect(kept).toBe(original);
    const sync = makeLabApi(() => {
      throw new TypeError('socket gone');
    }, never).listRuns({});
    await expect(sync).rejects.toBeInstanceOf(LabError);
    await expect(sync).rejects.toMatchObject({ code: 'internal', message: 'socket gone' });
    await expect(makeLabApi(() => Promise.reject('text'), never).listJobs({})).rejects.toMatchObject({ code: 'internal', message: 'text' });
  });

  it('rejects with what rejectWith makes of the LabError (the preload: its plain shape)', async () => {
    const api = makeLabApi(() => Promise.reject(new LabError('conflict', 'taken', 'outDir')), never, { rejectWith: (err) => err.toJSON() });
    const err = await api.exportModel({ runId: 'run_a1', outDir: '/x' }).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(Error);
    expect(err).toEqual({ code: 'conflict', message: 'taken', field: 'outDir' });
    expect(toLabError(err)).toMatchObject({ code: 'conflict', field: 'outDir' });
  });

  it('subscribes each onX to its own event and returns the transport unsubscribe', () => {
    const seen: { event: LabEventName; cb: unknown }[] = [];
    const offs = new Map<LabEventName, () => void>();
    const subscribe: LabSubscribeTransport = (event, cb) => {
      seen.push({ event, cb });
      const off = vi.fn();
      offs.set(event, off);
      return off;
    };
    const api = makeLabApi(recordingCall().call, subscribe) as unknown as Record<string, (cb: unknown) => () => void>;
    for (const event of LAB_EVENTS) {
      const cb = () => undefined;
      const off = api[EVENT_SUBSCRIBERS[event]]!(cb);
      expect(seen.at(-1)).toEqual({ event, cb });
      expect(off).toBe(offs.get(event));
    }
    expect(seen.map((s) => s.event)).toEqual([...LAB_EVENTS]);
  });

  it('refuses a callback that is not a function without subscribing', () => {
    let subscribed = 0;
    const api = makeLabApi(recordingCall().call, () => {
      subscribed++;
      return () => undefined;
    });
    expect(() => (api.onLog as (cb: unknown) => void)('nope')).toThrow(new TypeError('onLog needs a callback function'));
    expect(subscribed).toBe(0);
  });

  it('over an EventHub, delivers each event to its subscribers until they unsubscribe', () => {
    const hub = new EventHub();
    const api = makeLabApi(recordingCall().call, (event, cb) => hub.on(event, cb));
    const got: ProgressEvent[] = [];
    const other: unknown[] = [];
    const off = api.onProgress((p) => got.push(p));
    api.onJobFinished((j) => other.push(j));
    expect(hub.listenerCount()).toBe(2);
    hub.emit({ event: 'progress', payload: progress });
    off();
    hub.emit({ event: 'progress', payload: progress });
    expect(got).toEqual([progress]);
    expect(other).toEqual([]);
    expect(hub.listenerCount()).toBe(1);
  });

  it('rejects an unknown event: no subscription to it, and a message naming it is not an event', () => {
    const hub = new EventHub();
    expect(() => hub.on('nope' as LabEventName, () => undefined)).toThrow(LabError);
    expect(() => hub.on('nope' as LabEventName, () => undefined)).toThrow(/unknown lab event "nope"; known events: run-status, .*job-finished/);
    expect(hub.listenerCount()).toBe(0);
    expect(isEventMessage({ event: 'nope', payload: {} })).toBe(false);
    expect(isEventMessage({ event: 'toString', payload: {} })).toBe(false);
    expect(isEventMessage({ event: 'progress', payload: progress })).toBe(true);
  });

  it('types every request as its schema input and every result from the results table', () => {
    expectTypeOf<LabRequest<'getMetrics'>>().toEqualTypeOf<z.input<typeof MetricsRequestSchema>>();
    expectTypeOf<Parameters<LabApi['getRun']>[0]>().toEqualTypeOf<LabRequest<'getRun'>>();
    expectTypeOf<Parameters<LabApi['resumeRun']>[0]>().toEqualTypeOf<{ runId: string }>();
    expectTypeOf<ReturnType<LabApi['listRuns']>>().toEqualTypeOf<Promise<LabResults['listRuns']>>();
    expectTypeOf<Parameters<LabApi['onJobFinished']>[0]>().parameter(0).toHaveProperty('evaluationIds');
    expect(Object.keys(LAB_REQUEST_SCHEMAS)).toEqual(LAB_METHODS);
  });
});
