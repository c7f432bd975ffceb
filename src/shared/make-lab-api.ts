// The one builder of LabApi objects, whatever carries the calls (Electron IPC, the `rlab serve` WebSocket, a test):
// the methods come from the contract's schema table and the onX subscriptions from its event table, so a new LabApi
// method needs no change in any transport, and every failure reaches the caller as a LabError built here.
import { EVENT_SUBSCRIBERS, LAB_EVENTS, LAB_METHODS, type LabApi, type LabEventName, type LabEvents, type LabMethod } from './contract';
import { LabError, type LabErrorShape } from './errors';

/**
 * Carries one call. Resolves with the method's result; may reject (or throw) with a LabError, its plain
 * `{ code, message, field? }` shape (what a reply or Electron's context bridge carries), or anything else.
 */
export type LabCallTransport = (method: LabMethod, request: unknown) => Promise<unknown>;

/** Delivers one event's payloads to `cb` until the returned function is called. */
export type LabSubscribeTransport = <K extends LabEventName>(event: K, cb: (payload: LabEvents[K]) => void) => () => void;

export interface MakeLabApiOptions {
  /**
   * What a failed call rejects with, given its LabError; default the LabError itself. The preload passes
   * `(err) => err.toJSON()`: Electron's context bridge keeps only an Error's message (electron/electron#25596).
   */
  rejectWith?: (err: LabError) => unknown;
}

function isErrorShape(err: unknown): err is LabErrorShape {
  return err !== null && typeof err === 'object' && typeof (err as LabErrorShape).code === 'string' && typeof (err as LabErrorShape).message === 'string';
}

/** A LabError for anything a transport rejected with: a LabError as is, its plain shape rebuilt, anything else 'internal'. */
export function toLabError(err: unknown): LabError {
  if (err instanceof LabError) return err;
  if (isErrorShape(err)) return LabError.from(err);
  return LabError.wrap(err);
}

export function makeLabApi(call: LabCallTransport, subscribe: LabSubscribeTransport, options: MakeLabApiOptions = {}): LabApi {
  const rejectWith = options.rejectWith ?? ((err: LabError) => err);
  const api: Record<string, unknown> = {};
  for (const method of LAB_METHODS) {
    api[method] = (request: unknown) =>
      // a transport that throws synchronously still yields a rejected promise
      Promise.resolve()
        .then(() => call(method, request ?? {}))
        .catch((err: unknown) => {
          throw rejectWith(toLabError(err));
        });
  }
  for (const event of LAB_EVENTS) {
    const name = EVENT_SUBSCRIBERS[event];
    api[name] = (cb: unknown) => {
      if (typeof cb !== 'function') throw new TypeError(`${name} needs a callback function`);
      return subscribe(event, cb as (payload: LabEvents[typeof event]) => void);
    };
  }
  // The loops fill exactly the keys of the two tables, which is what LabApi is made of.
  return api as unknown as LabApi;
}
