// Electron IPC for the LabApi: one invoke handler (sender frame check, then the shared dispatch wrapper, which parses
// with the request schemas and returns the envelope), and lab events forwarded to the app's windows.
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { IPC_CHANNELS, type LabMethods } from '../shared/contract';
import { LabError, type Envelope } from '../shared/errors';
import { dispatch } from './handlers/dispatch';
import { type LabEventSource, subscribeAll } from './handlers/events';
import { isRendererUrl, type RendererLocation } from './electron/renderer-url';

/** What an invoke carries: `{ method, params }` (the preload sends nothing else). */
export interface InvokePayload {
  method: unknown;
  params: unknown;
}

/** Reads the invoke argument without trusting it; a malformed one still reaches dispatch, which names the problem. */
export function readInvokePayload(payload: unknown): InvokePayload | LabError {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    return new LabError('invalid_argument', 'an IPC call must be an object { method, params }', 'message');
  }
  const p = payload as Record<string, unknown>;
  return { method: p.method, params: p.params === undefined ? {} : p.params };
}

/** A sender is trusted when the call comes from the top frame of our own renderer page. */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame'>, renderer: RendererLocation): boolean {
  const frame = event.senderFrame;
  if (!frame) return false; // the frame navigated away or was destroyed before the call arrived
  if (frame.parent !== null) return false;
  return isRendererUrl(frame.url, renderer);
}

export interface LabIpcOptions {
  service: LabMethods;
  renderer: RendererLocation;
  /** Told about refused calls (never their parameters). */
  log?: (line: string) => void;
}

/** Registers the one invoke handler; returns a function that removes it. */
export function registerLabIpc(o: LabIpcOptions): () => void {
  const log = o.log ?? ((line: string) => console.warn(`[ipc] ${line}`));
  ipcMain.handle(IPC_CHANNELS.invoke, async (event: IpcMainInvokeEvent, payload: unknown): Promise<Envelope<unknown>> => {
    const senderOk = isTrustedSender(event, o.renderer);
    if (!senderOk) log(`refused a call from ${event.senderFrame?.url ?? 'a destroyed frame'}`);
    const call = readInvokePayload(payload);
    // an untrusted sender learns only that it was refused, whatever it sent
    if (call instanceof LabError) return senderOk ? { ok: false, error: call.toJSON() } : dispatch(o.service, undefined, undefined, { senderOk });
    return dispatch(o.service, call.method, call.params, { senderOk });
  });
  return () => ipcMain.removeHandler(IPC_CHANNELS.invoke);
}

/** Sends every lab event to every live window showing our renderer; returns the unsubscribe. */
export function forwardLabEvents(source: LabEventSource, targets: () => Iterable<WebContents>, renderer: RendererLocation): () => void {
  return subscribeAll(source, (message) => {
    for (const wc of targets()) {
      if (wc.isDestroyed() || !isRendererUrl(wc.getURL(), renderer)) continue;
      wc.send(IPC_CHANNELS.event, message);
    }
  });
}
