// `rlab serve`: one HTTP server on 127.0.0.1 by default, static UI files plus the token-checked WebSocket LabApi at /ws.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, type Socket } from 'node:net';
import { type Duplex } from 'node:stream';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAB_PROTOCOL_VERSION, type LabMethods } from '../../shared/contract';
import { LabError } from '../../shared/errors';
import { dispatch } from '../handlers/dispatch';
import { type LabEventSource, subscribeAll } from '../handlers/events';
import { DOWNLOAD_PATH } from '../../shared/downloads';
import { Downloads } from './downloads';
import { SERVER_LIMITS } from './limits';
import { limitedLog } from './log-limit';
import { hostProblem, originProblem, ownAuthorities, parseRequestUrl } from './request-guard';
import { sendText, serveStatic } from './static-files';
import { generateToken, tokenMatches, tokenProblem } from './token';
import { type CallHandler, WsHub } from './ws-hub';

export const DEFAULT_PORT = 8717;
export const DEFAULT_HOST = '127.0.0.1';
export const WS_PATH = '/ws';

/** out/renderer of this checkout, where `electron-vite build` puts the UI. */
export function defaultRendererDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'out', 'renderer');
}

export interface ServeOptions {
  service: LabMethods & LabEventSource;
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** TCP port; 0 picks a free one. Default 8717. */
  port?: number;
  /** Access token; default a fresh random one. */
  token?: string;
  /** Folder with the built UI (index.html); default out/renderer. */
  rendererDir?: string;
  /** Where refusals and errors are reported; default stderr. */
  log?: (line: string) => void;
  /** Unsent bytes one client may have waiting before it is disconnected; default SERVER_LIMITS.maxBufferedBytes. */
  maxBufferedBytes?: number;
  /** Answers the WebSocket calls instead of the dispatcher on `service` (a proxy of another process's host). */
  call?: CallHandler;
  /** A proxy: why it has no host any more, else null (browser pages are then refused, see WsHubOptions.goneAway). */
  goneAway?: () => string | null;
  /** How long a download ticket lives; default SERVER_LIMITS.downloadTtlMs. */
  downloadTtlMs?: number;
  /** Largest download; default SERVER_LIMITS.maxDownloadBytes. */
  maxDownloadBytes?: number;
}

export interface RunningServer {
  host: string;
  port: number;
  token: string;
  /** The address to open, token included. */
  url: string;
  /** ws://… address of the API, token included. */
  wsUrl: string;
  rendererDir: string;
  clientCount(): number;
  /** Closes every open WebSocket connection (1011 with `reason`); new ones are still accepted. */
  dropClients(reason: string): void;
  close(): Promise<void>;
}

function urlHost(host: string): string {
  // A wildcard bind is reachable locally through loopback; the URL must name an address a browser can open.
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function bearer(req: IncomingMessage): string | null {
  const h = req.headers.authorization;
  return h && h.startsWith('Bearer ') ? h.slice('Bearer '.length) : null;
}

const STATUS_TEXT: Readonly<Record<number, string>> = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/** Answers on a raw socket (an upgrade that is refused, a request Node could not parse) and closes it. */
function refuseRaw(socket: Duplex, status: number): void {
  if (socket.writable) {
    const text = STATUS_TEXT[status] ?? 'Error';
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${text.length + 1}\r\n\r\n${text}\n`);
  }
  // a client that never reads the answer must not keep the socket
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** No address of this server takes a request body; reading one anyway would let anyone stream megabytes through it. */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function peer(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown address';
}

/** Starts listening and resolves once the port is bound. */
export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const token = opts.token ?? generateToken();
  const problem = tokenProblem(token);
  if (problem) throw new LabError('invalid_argument', problem, 'token');
  const host = opts.host ?? DEFAULT_HOST;
  const rendererDir = opts.rendererDir ?? defaultRendererDir();
  const log = opts.log ?? ((line: string) => console.error(`rlab serve: ${line}`));
  const refusal = limitedLog(log);
  const callLab = opts.call ?? ((method: unknown, params: unknown) => dispatch(opts.service, method, params, { senderOk: true }));
  const downloads = new Downloads({
    call: callLab,
    log,
    ...(opts.downloadTtlMs !== undefined ? { ttlMs: opts.downloadTtlMs } : {}),
    ...(opts.maxDownloadBytes !== undefined ? { maxBytes: opts.maxDownloadBytes } : {}),
  });
  const hub = new WsHub({
    service: opts.service,
    serverCalls: downloads.serverCalls,
    token,
    log,
    refusalLog: refusal,
    ...(opts.maxBufferedBytes !== undefined ? { maxBufferedBytes: opts.maxBufferedBytes } : {}),
    ...(opts.call ? { call: opts.call } : {}),
    ...(opts.goneAway ? { goneAway: opts.goneAway } : {}),
  });
  // filled in once the port is known; nothing is accepted before that
  let own: ReadonlySet<string> = new Set();

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (hasBody(req)) {
      refusal(`refused HTTP ${req.method ?? ''} from ${peer(req)}: it has a body, and nothing here takes one`);
      res.shouldKeepAlive = false;
      res.once('finish', () => req.socket.destroy());
      sendText(res, 413, 'Content Too Large: this server takes no request bodies\n', undefined, { Connection: 'close' });
      return;
    }
    const url = parseRequestUrl(req.url);
    if (!url) {
      refusal(`refused HTTP ${req.method ?? ''} from ${peer(req)}: the request target is not a path`);
      sendText(res, 400, 'Bad Request\n');
      return;
    }
    const wrongHost = hostProblem(req, own);
    if (wrongHost) {
      refusal(`refused HTTP ${req.method ?? ''} ${url.pathname} from ${peer(req)}: ${wrongHost}`);
      sendText(res, 403, 'Forbidden: this server answers only to its own address; open the address `rlab serve` printed\n');
      return;
    }
    if (url.pathname === WS_PATH) {
      sendText(res, 426, 'This address speaks WebSocket only.\n', undefined, { Upgrade: 'websocket' });
      return;
    }
    if (url.pathname === '/download' || url.pathname.startsWith(DOWNLOAD_PATH)) {
      // the ticket in the path is the credential (minted over the token-checked WebSocket); it is never logged
      const foreign = originProblem(req, own);
      if (foreign) {
        refusal(`refused HTTP ${req.method ?? ''} /download/… from ${peer(req)}: ${foreign}`);
        sendText(res, 403, 'Forbidden: downloads are fetched by the page this server serves, not by other sites\n');
        return;
      }
      await downloads.serve(req, res, url.pathname.slice(DOWNLOAD_PATH.length), refusal);
      return;
    }
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
      const foreign = originProblem(req, own);
      if (foreign) {
        refusal(`refused HTTP ${req.method ?? ''} ${url.pathname} from ${peer(req)}: ${foreign}`);
        sendText(res, 403, JSON.stringify({ ok: false, error: { code: 'permission_denied', message: 'requests from other web pages are refused' } }), 'application/json; charset=utf-8');
        return;
      }
      if (!tokenMatches(token, url.searchParams.get('token') ?? bearer(req))) {
        refusal(`refused HTTP ${req.method ?? ''} ${url.pathname} from ${req.socket.remoteAddress ?? 'unknown address'}: missing or wrong token`);
        sendText(res, 401, JSON.stringify({ ok: false, error: { code: 'failed_precondition', message: 'missing or wrong token' } }), 'application/json; charset=utf-8', {
          'WWW-Authenticate': 'Bearer',
        });
        return;
      }
      if (url.pathname === '/api/health' && (req.method === 'GET' || req.method === 'HEAD')) {
        // pid and protocol let a client that found this server in a lab's endpoint file check it is that lab's host
        sendText(res, 200, JSON.stringify({ ok: true, result: { clients: hub.clientCount, pid: process.pid, protocol: LAB_PROTOCOL_VERSION } }), 'application/json; charset=utf-8');
        return;
      }
      sendText(res, 404, JSON.stringify({ ok: false, error: { code: 'not_found', message: `no API at ${url.pathname}` } }), 'application/json; charset=utf-8');
      return;
    }
    await serveStatic(req, res, rendererDir, url.pathname);
  };

  const server = createServer(
    { maxHeaderSize: SERVER_LIMITS.maxHeaderBytes, headersTimeout: SERVER_LIMITS.headersTimeoutMs, requestTimeout: SERVER_LIMITS.requestTimeoutMs },
    (req, res) => {
      onRequest(req, res).catch((err: unknown) => {
        log(`HTTP error on ${req.method ?? ''} request: ${err instanceof Error ? err.message : String(err)}`);
        if (!res.headersSent) sendText(res, 500, 'Internal Server Error\n');
        else res.destroy();
      });
    },
  );
  server.maxConnections = SERVER_LIMITS.maxConnections;
  // Every socket gets an error listener from accept to close: Node drops its own when a socket is upgraded, and a
  // reset or broken frame with no listener would end the process.
  server.on('connection', (socket: Socket) => socket.on('error', () => undefined));
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || err.code === 'EPIPE') {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    refusal(`refused a malformed HTTP request (${err.code ?? 'parse error'}): answered ${status}`);
    refuseRaw(socket, status);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    try {
      const url = parseRequestUrl(req.url);
      if (!url) {
        refusal(`refused WebSocket from ${peer(req)}: the request target is not a path`);
        refuseRaw(socket, 400);
        return;
      }
      if (url.pathname !== WS_PATH) {
        refuseRaw(socket, 404);
        return;
      }
      const problem = hostProblem(req, own) ?? originProblem(req, own);
      if (problem) {
        refusal(`refused WebSocket from ${peer(req)}: ${problem}`);
        refuseRaw(socket, 403);
        return;
      }
      hub.handleUpgrade(req, socket, head, url);
    } catch (err) {
      log(`WebSocket upgrade failed: ${err instanceof Error ? err.message : String(err)}`);
      socket.destroy();
    }
  });

  const wantedPort = opts.port ?? DEFAULT_PORT;
  await new Promise<void>((resolve, reject) => {
    const fail = (err: NodeJS.ErrnoException) => {
      const hint = err.code === 'EADDRINUSE' ? ' (port in use: pick another with --port, or 0 for any free port)' : '';
      reject(new LabError('io_error', `cannot listen on ${host}:${wantedPort}: ${err.message}${hint}`, 'port'));
    };
    server.once('error', fail);
    server.listen(wantedPort, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
  const unsubscribe = subscribeAll(opts.service, (message) => hub.broadcast(message));
  const port = (server.address() as AddressInfo).port;
  own = ownAuthorities(host, port);
  const base = `${urlHost(host)}:${port}`;
  const query = `token=${encodeURIComponent(token)}`;

  let closed: Promise<void> | undefined;
  return {
    host,
    port,
    token,
    url: `http://${base}/?${query}`,
    wsUrl: `ws://${base}${WS_PATH}?${query}`,
    rendererDir,
    clientCount: () => hub.clientCount,
    dropClients: (reason) => hub.dropClients(reason),
    close: () => {
      closed ??= (async () => {
        unsubscribe();
        await hub.close();
        await downloads.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closed;
    },
  };
}
