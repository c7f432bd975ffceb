// The WebSocket side of `rlab serve`: token check per connection, calls through the shared dispatcher, events to every
// client, and a cut-off for clients that stop reading.
import { type IncomingMessage } from 'node:http';
import { type Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { type LabEventMessage, type LabMethods, type LabReply } from '../../shared/contract';
import { type Envelope } from '../../shared/errors';
import { dispatch, errorShape } from '../handlers/dispatch';
import { SERVER_LIMITS } from './limits';
import { tokenMatches } from './token';
import { HARD_MAX_MESSAGE_BYTES, readCall } from './ws-protocol';

/** Close code for a connection without the right token (4000–4999 are free for applications). */
export const CLOSE_UNAUTHORIZED = 4401;
/** A client this far behind on sending is skipped for progress events, which the next one supersedes anyway. */
const SLOW_CLIENT_BYTES = 4 * 1024 * 1024;

/** Answers one call with its envelope; never rejects. Default: the shared dispatcher on `service` (schema parse, then the method). */
export type CallHandler = (method: unknown, params: unknown) => Promise<Envelope<unknown>>;

export interface WsHubOptions {
  service: LabMethods;
  /** Replaces the dispatcher: a proxy forwards each call as it came to the lab's host, which parses it once. */
  call?: CallHandler;
  token: string;
  log: (line: string) => void;
  /** Where refused connections are reported (a flood of them must not drown the log); default `log`. */
  refusalLog?: (line: string) => void;
  /** Send-buffer limit per client; default SERVER_LIMITS.maxBufferedBytes. */
  maxBufferedBytes?: number;
  /**
   * A proxy whose host is gone: the reason, else null. A browser page (its upgrade carries an Origin) is then closed
   * at once with 1011 and the reason, so it shows "connection lost" as for a server gone away; a program stays
   * connected and gets the reason as the error of each call.
   */
  goneAway?: () => string | null;
  /**
   * The server's own calls (not LabApi methods, so never forwarded to a proxy's host): method name → handler, e.g.
   * `createModelDownload`. Looked up before the dispatcher, own keys only.
   */
  serverCalls?: Readonly<Record<string, (params: unknown) => Promise<Envelope<unknown>>>>;
}

const MIB = 1024 * 1024;

export class WsHub {
  private readonly wss: WebSocketServer;
  /** Completes the handshake of refused connections only to close them, reading at most a close frame. */
  private readonly refusedWss: WebSocketServer;
  private readonly maxBuffered: number;
  /** Authenticated connections: the ones that get events. */
  private readonly clients = new Set<WebSocket>();
  /** Every upgraded connection, refused ones included, so close() can end them all. */
  private readonly sockets = new Set<WebSocket>();

  constructor(private readonly opts: WsHubOptions) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: HARD_MAX_MESSAGE_BYTES, clientTracking: false, perMessageDeflate: false });
    this.refusedWss = new WebSocketServer({ noServer: true, maxPayload: SERVER_LIMITS.refusedMaxPayloadBytes, clientTracking: false, perMessageDeflate: false });
    this.maxBuffered = opts.maxBufferedBytes ?? SERVER_LIMITS.maxBufferedBytes;
  }

  /** Authenticated connections currently open. */
  get clientCount(): number {
    return this.clients.size;
  }

  /**
   * Completes the upgrade for every request, then closes unauthorised ones with 4401: a browser never sees the
   * HTTP status of a refused upgrade, but it does see a close code, so the UI can say "wrong token".
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    const given = url.searchParams.get('token');
    const ok = tokenMatches(this.opts.token, given);
    const from = req.socket.remoteAddress ?? 'unknown address';
    (ok ? this.wss : this.refusedWss).handleUpgrade(req, socket, head, (ws) => {
      this.sockets.add(ws);
      ws.on('close', () => this.sockets.delete(ws));
      if (!ok) {
        // Whatever a refused client sends beyond a close frame (unmasked, oversized, broken) cuts it off at once, so
        // nothing more of it is read.
        ws.on('error', () => ws.terminate());
        (this.opts.refusalLog ?? this.opts.log)(`refused WebSocket from ${from}: ${given === null ? 'missing' : 'wrong'} token`);
        ws.close(CLOSE_UNAUTHORIZED, 'unauthorized: missing or wrong token');
        const cutOff = setTimeout(() => ws.terminate(), SERVER_LIMITS.refusedCloseGraceMs);
        cutOff.unref();
        ws.once('close', () => clearTimeout(cutOff));
        return;
      }
      const gone = req.headers.origin !== undefined ? (this.opts.goneAway?.() ?? null) : null;
      if (gone !== null) {
        this.closeWith(ws, gone);
        return;
      }
      this.accept(ws);
    });
  }

  /** Closes one connection with 1011 and `reason` (cut to the 123 bytes a close frame carries), cutting it off after 1 s. */
  private closeWith(ws: WebSocket, reason: string): void {
    const text = Buffer.from(reason, 'utf8').subarray(0, 123).toString('utf8').replace(/\uFFFD$/, '');
    const cutOff = setTimeout(() => ws.terminate(), 1000);
    cutOff.unref();
    ws.once('close', () => clearTimeout(cutOff));
    ws.on('error', () => ws.terminate());
    ws.close(1011, text);
  }

  private accept(ws: WebSocket): void {
    this.clients.add(ws);
    ws.on('error', (err) => {
      // ws reports oversized or malformed frames here and then closes (1009, 1002); the close handler does the clean-up.
      this.opts.log(`WebSocket error: ${err.message}`);
    });
    ws.on('message', (data, isBinary) => {
      this.onMessage(ws, data, isBinary).catch((err: unknown) => this.opts.log(`could not answer a WebSocket message: ${errorShape(err).message}`));
    });
    ws.on('close', () => this.clients.delete(ws));
  }

  private async onMessage(ws: WebSocket, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): Promise<void> {
    const incoming = readCall(data, isBinary);
    if (incoming.kind === 'reject') {
      this.reply(ws, incoming.reply);
      return;
    }
    const own = this.opts.serverCalls;
    const serverCall = own && typeof incoming.method === 'string' && Object.prototype.hasOwnProperty.call(own, incoming.method) ? own[incoming.method] : undefined;
    const envelope = serverCall
      ? await serverCall(incoming.params)
      : this.opts.call
        ? await this.opts.call(incoming.method, incoming.params)
        : await dispatch(this.opts.service, incoming.method, incoming.params, { senderOk: true });
    this.reply(ws, { id: incoming.id, ...envelope });
  }

  private reply(ws: WebSocket, reply: LabReply): void {
    let text: string;
    try {
      text = JSON.stringify(reply);
    } catch (err) {
      text = JSON.stringify({ id: reply.id, ok: false, error: { code: 'internal', message: `result cannot be sent as JSON: ${errorShape(err).message}` } });
    }
    this.send(ws, text);
  }

  /**
   * Queues `text`, unless what the client has not read yet already passes the limit: then it is not reading and is cut
   * off. Checking before the send lets one large reply through; the server never holds more than the limit plus it.
   */
  private send(ws: WebSocket, text: string): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > this.maxBuffered) {
      this.opts.log(
        `disconnected a client that is not reading: ${(ws.bufferedAmount / MIB).toFixed(1)} MiB waiting to be sent (limit ${(this.maxBuffered / MIB).toFixed(0)} MiB)`,
      );
      this.clients.delete(ws);
      ws.terminate();
      return;
    }
    ws.send(text);
  }

  /** Sends one event to every authenticated client; the JSON is built once. */
  broadcast(message: LabEventMessage): void {
    if (this.clients.size === 0) return;
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch (err) {
      this.opts.log(`dropped ${message.event} event that cannot be sent as JSON: ${errorShape(err).message}`);
      return;
    }
    for (const ws of [...this.clients]) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      if (message.event === 'progress' && ws.bufferedAmount > SLOW_CLIENT_BYTES) continue;
      this.send(ws, text);
    }
  }

  /**
   * Closes every authenticated connection with 1011 and `reason`, as a server that went away would: a proxy whose
   * host stopped. Clients may connect again (see `goneAway`).
   */
  dropClients(reason: string): void {
    for (const ws of [...this.clients]) {
      this.clients.delete(ws);
      this.closeWith(ws, reason);
    }
  }

  /** Closes every connection (1001 going away), cutting off clients that do not answer the close within `graceMs`. */
  async close(graceMs = 1000): Promise<void> {
    const closing = [...this.sockets].map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          const timer = setTimeout(() => ws.terminate(), graceMs);
          ws.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          ws.close(1001, 'server shutting down');
        }),
    );
    await Promise.all(closing);
    this.clients.clear();
    this.sockets.clear();
    this.wss.close();
    this.refusedWss.close();
  }
}
