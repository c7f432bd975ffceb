// Sandboxed preload: exposes exactly `window.lab` (a LabApi over IPC, built by makeLabApi) and nothing of ipcRenderer itself.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_CHANNELS, type LabMethod } from '../shared/contract';
import { LabError, type Envelope } from '../shared/errors';
import { EventHub, isEventMessage } from '../shared/event-hub';
import { makeLabApi } from '../shared/make-lab-api';

async function invoke(method: LabMethod, params: unknown): Promise<unknown> {
  const reply = (await ipcRenderer.invoke(IPC_CHANNELS.invoke, { method, params })) as Envelope<unknown> | undefined;
  if (reply?.ok === true) return reply.result;
  throw reply?.ok === false && reply.error ? reply.error : new LabError('internal', `malformed reply to ${method}`);
}

// One IPC listener for all events; subscriptions live here so the page never sees an IpcRendererEvent.
const hub = new EventHub();
ipcRenderer.on(IPC_CHANNELS.event, (_e: IpcRendererEvent, message: unknown) => {
  if (isEventMessage(message)) hub.emit(message);
});

// The context bridge copies an Error's message but drops its code and field, so failed calls reject with the plain
// `{ code, message, field? }` shape; the page's getLab() rebuilds the LabError from it.
contextBridge.exposeInMainWorld('lab', makeLabApi(invoke, (event, cb) => hub.on(event, cb), { rejectWith: (err) => err.toJSON() }));
