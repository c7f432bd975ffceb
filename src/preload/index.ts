// Sandboxed preload: exposes exactly `window.lab` (a LabApi over IPC) and nothing of ipcRenderer itself.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  EVENT_SUBSCRIBERS,
  IPC_CHANNELS,
  LAB_EVENTS,
  LAB_METHODS,
  type LabApi,
  type LabEventMessage,
  type LabEventName,
  type LabMethod,
  type LabMethods,
} from '../shared/contract';
import { type Envelope, type LabErrorShape } from '../shared/errors';

function isShape(e: unknown): e is LabErrorShape {
  return e !== null && typeof e === 'object' && typeof (e as LabErrorShape).code === 'string' && typeof (e as LabErrorShape).message === 'string';
}

/**
 * The context bridge copies an Error's message but drops its other properties (electron/electron#25596), so a
 * failed call rejects with the plain `{ code, message, field? }` shape; the renderer's getLab() rebuilds LabError from it.
 */
async function invoke(method: LabMethod, params: unknown): Promise<unknown> {
  const reply = (await ipcRenderer.invoke(IPC_CHANNELS.invoke, { method, params: params ?? {} })) as Envelope<unknown>;
  if (reply && reply.ok === true) return reply.result;
  const error: LabErrorShape = reply && reply.ok === false && isShape(reply.error) ? reply.error : { code: 'internal', message: `malformed reply to ${method}` };
  throw { ...error };
}

// One IPC listener for all events; subscriptions live here so the page never sees an IpcRendererEvent.
const listeners = new Map<LabEventName, Set<(payload: unknown) => void>>();
ipcRenderer.on(IPC_CHANNELS.event, (_e: IpcRendererEvent, message: LabEventMessage) => {
  const set = message && listeners.get(message.event);
  if (!set) return;
  for (const cb of [...set]) {
    try {
      cb(message.payload);
    } catch (err) {
      console.error(`window.lab ${message.event} listener failed`, err);
    }
  }
});

function subscribe(event: LabEventName, cb: (payload: unknown) => void): () => void {
  if (typeof cb !== 'function') throw new TypeError(`${EVENT_SUBSCRIBERS[event]} needs a callback function`);
  let set = listeners.get(event);
  if (!set) listeners.set(event, (set = new Set()));
  set.add(cb);
  return () => {
    set.delete(cb);
  };
}

// the method list comes from the contract's schema table, so a new LabApi method needs no change here
const methods = Object.fromEntries(LAB_METHODS.map((m) => [m, (params: unknown) => invoke(m, params)])) as unknown as LabMethods;
const subscriptions = Object.fromEntries(LAB_EVENTS.map((event) => [EVENT_SUBSCRIBERS[event], (cb: (payload: unknown) => void) => subscribe(event, cb)]));

const lab = { ...methods, ...subscriptions } as LabApi;

contextBridge.exposeInMainWorld('lab', lab);
