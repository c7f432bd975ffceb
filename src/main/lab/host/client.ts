// A front end's LabApi when another process hosts the lab: the shared WebSocket client over the `ws` package, one
// connection for the life of a command, closed for good (no reconnection) if the host goes away.
import { WebSocket } from 'ws';
import { type LabMethods } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { type WebSocketCtor, WsLabClient } from '../../../shared/ws-client';
import { type LabEventSource } from '../../handlers/events';
import { endpointWsUrl, type HostEndpoint } from './endpoint-file';

export type HostClient = LabMethods &
  LabEventSource & {
    readonly endpoint: HostEndpoint;
    /** Closes this connection; the host and its jobs go on. */
    close(): Promise<void>;
    /** Calls `cb` once when the connection is lost other than by close(). */
    onLost(cb: (err: LabError) => void): () => void;
    /** e.g. "rlab serve (pid 4242)". */
    readonly hostedBy: string;
  };

/** Connects to the host; rejects with a LabError naming it when it cannot be reached or refuses the token. */
export async function connectHost(endpoint: HostEndpoint): Promise<HostClient> {
  const name = `the lab host (${endpoint.command}, pid ${endpoint.pid})`;
  const client = new WsLabClient({ url: endpointWsUrl(endpoint), WebSocketImpl: WebSocket as unknown as WebSocketCtor, reconnect: false, serverName: name });
  await new Promise<void>((resolve, reject) => {
    const check = (): boolean => {
      if (client.state === 'open') resolve();
      else if (client.state === 'unauthorized') reject(new LabError('permission_denied', `${name} refused the token of its endpoint file`, 'home'));
      else if (client.state === 'closed') reject(new LabError('io_error', `cannot connect to ${name} at ${endpoint.url}`, 'home'));
      else return false;
      return true;
    };
    if (check()) return;
    const off = client.onStateChange(() => {
      if (check()) off();
    });
  });
  let closedHere = false;
  const lost = new LabError('io_error', `the connection to ${name} was lost: it stopped or died; what it was running is in its lab (\`rlab ls\`)`);
  return Object.assign(Object.create(null) as object, client.api, {
    endpoint,
    hostedBy: `${endpoint.command} (pid ${endpoint.pid})`,
    close: async () => {
      closedHere = true;
      client.close();
    },
    onLost: (cb: (err: LabError) => void) => {
      if (client.state === 'closed') {
        if (!closedHere) queueMicrotask(() => cb(lost));
        return () => undefined;
      }
      const off = client.onStateChange((state) => {
        if (state !== 'closed' || closedHere) return;
        off();
        cb(lost);
      });
      return off;
    },
  }) as HostClient;
}
