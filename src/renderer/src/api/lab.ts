// Picks the LabApi once: the preload's window.lab inside Electron, a WebSocket client against `rlab serve` in a browser.
import { type LabApi } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { makeLabApi } from '../../../shared/make-lab-api';
import { overPreload } from './over-preload';
import { takePageToken } from './page-token';
import { WsLabClient } from '../../../shared/ws-client';

let lab: LabApi | undefined;
let wsClient: WsLabClient | null = null;
let unavailable: LabError | null = null;

/** A LabApi whose every call fails with `err`: the page still renders and shows why instead of crashing. */
export function failingLab(err: LabError): LabApi {
  return makeLabApi(
    () => Promise.reject(err),
    () => () => undefined,
  );
}

/** ws://host/ws?token=… for the page at `location` (http → ws, https → wss); the token defaults to the one in its address. */
export function wsUrlFor(location: { protocol: string; host: string; search: string }, token = new URLSearchParams(location.search).get('token')): string {
  if (!token) throw new LabError('permission_denied', 'this page was opened without its access token: open the address `rlab serve` printed (it ends in ?token=…)', 'token');
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws?token=${encodeURIComponent(token)}`;
}

export function getLab(): LabApi {
  if (lab) return lab;
  if (typeof window !== 'undefined' && typeof window.lab !== 'undefined') {
    lab = overPreload(window.lab);
    return lab;
  }
  try {
    wsClient = new WsLabClient({ url: wsUrlFor(window.location, takePageToken(window)) });
    lab = wsClient.api;
  } catch (err) {
    unavailable = LabError.wrap(err);
    lab = failingLab(unavailable);
  }
  return lab;
}

/** Why the lab cannot be reached at all (no token in the page address), or null. */
export function labUnavailable(): LabError | null {
  getLab();
  return unavailable;
}

/** The WebSocket client when the page talks to `rlab serve`; null inside Electron or when the lab is unavailable. */
export function getWsClient(): WsLabClient | null {
  getLab();
  return wsClient;
}
