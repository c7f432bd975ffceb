// The WebSocket side of `rlab serve`: token check per connection, calls through the shared dispatcher, events to every client.
import { type IncomingMessage } from 'node:http';
import { type Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { type LabEventMessage, type LabMethods, type LabReply } from '../../shared/contract';
import { dispatch, errorShape } from '../handlers/dispatch';
import { tokenMatches } from './token';
import { HARD_MAX_MESSAGE_BYTES, readCall } from './ws-protocol';

/** Close code for a connection without the right token (4000–4999 are free for applications). */
export const CLOSE_UNAUTHORIZED = 4401;
/** A client this far behind on sending is skipped for progress events, which the next one supersedes anyway. */
const SLOW_CLIENT_BYTES = 4 * 1024 * 1024;

export interface WsHubOptions {
  service: LabMethods;
  token: string;
  log: (line: string) => void;
}

/** Token from the upgrade request's query string (`/ws?token=...`): browsers cannot set headers on a WebSocket. */
export function tokenFromUrl(url: string | undefined): string | null {
  if (!url) return null;
  return new URL(url, 'http://localhost').searchParams.get('token');
}

export class WsHub {
  private readonly wss: WebSocketServer;
  /** Authenticated connections: the ones that get events. */
  private readonly clients = new Set<WebSocket>();
  /** Every upgraded connection, refused ones included, so close() can end them all. */
  private readonly sockets = new Set<WebSocket>();

  constructor(private readonly opts: WsHubOptions) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: HARD_MAX_MESSAGE_BYTES, clientTracking: false });
  }

  /** Authenticated connections currently open. */
  get clientCount(): number {
    return this.clients.size;
  }

  /**
   * Completes the upgrade for every request, then closes unauthorised ones with 4401: a browser never sees the
   * HTTP status of a refused upgrade, but it does see a close code, so the UI can say "wrong token".
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const given = tokenFromUrl(req.url);
    const ok = tokenMatches(this.opts.token, given);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.sockets.add(ws);
      ws.on('close', () => this.sockets.delete(ws));
      if (!ok) {
        this.opts.log(`refused WebSocket from ${req.socket.remoteAddress ?? 'unknown address'}: ${given === null ? 'missing' : 'wrong'} token`);
        ws.close(CLOSE_UNAUTHORIZED, 'unauthorized: missing or wrong token');
        return;
      }
      this.accept(ws);
    });
  }

  private accept(ws: WebSocket): void {
    this.clients.add(ws);
    ws.on('message', (data, isBinary) => void this.onMessage(ws, data, isBinary));
    ws.on('close', () => this.clients.delete(ws));
    ws.on('error', (err) => {
      // ws reports oversized frames here and then closes with 1009; the close handler does the clean-up.
      this.opts.log(`WebSocket error: ${err.message}`);
    });
  }

  private async onMessage(ws: WebSocket, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): Promise<void> {
    const incoming = readCall(data, isBinary);
    if (incoming.kind === 'reject') {
      send(ws, incoming.reply);
      return;
    }
    const envelope = await dispatch(this.opts.service, incoming.method, incoming.params, { senderOk: true });
    send(ws, { id: incoming.id, ...envelope });
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
    for (const ws of this.clients) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      if (message.event === 'progress' && ws.bufferedAmount > SLOW_CLIENT_BYTES) continue;
      ws.send(text);
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
  }
}

function send(ws: WebSocket, reply: LabReply): void {
  if (ws.readyState !== WebSocket.OPEN) return;
  let text: string;
  try {
    text = JSON.stringify(reply);
  } catch (err) {
    text = JSON.stringify({ id: reply.id, ok: false, error: { code: 'internal', message: `result cannot be sent as JSON: ${errorShape(err).message}` } });
  }
  ws.send(text);
}
