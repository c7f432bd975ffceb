// `rlab serve`: one HTTP server on 127.0.0.1 by default, static UI files plus the token-checked WebSocket LabApi at /ws.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LabMethods } from '../../shared/contract';
import { LabError } from '../../shared/errors';
import { type LabEventSource, subscribeAll } from '../handlers/events';
import { sendText, serveStatic } from './static-files';
import { generateToken, tokenMatches, tokenProblem } from './token';
import { WsHub } from './ws-hub';

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

/** Starts listening and resolves once the port is bound. */
export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const token = opts.token ?? generateToken();
  const problem = tokenProblem(token);
  if (problem) throw new LabError('invalid_argument', problem, 'token');
  const host = opts.host ?? DEFAULT_HOST;
  const rendererDir = opts.rendererDir ?? defaultRendererDir();
  const log = opts.log ?? ((line: string) => console.error(`rlab serve: ${line}`));
  const hub = new WsHub({ service: opts.service, token, log });

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === WS_PATH) {
      sendText(res, 426, 'This address speaks WebSocket only.\n', undefined, { Upgrade: 'websocket' });
      return;
    }
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
      if (!tokenMatches(token, url.searchParams.get('token') ?? bearer(req))) {
        log(`refused HTTP ${req.method ?? ''} ${url.pathname} from ${req.socket.remoteAddress ?? 'unknown address'}: missing or wrong token`);
        sendText(res, 401, JSON.stringify({ ok: false, error: { code: 'failed_precondition', message: 'missing or wrong token' } }), 'application/json; charset=utf-8', {
          'WWW-Authenticate': 'Bearer',
        });
        return;
      }
      if (url.pathname === '/api/health' && (req.method === 'GET' || req.method === 'HEAD')) {
        sendText(res, 200, JSON.stringify({ ok: true, result: { clients: hub.clientCount } }), 'application/json; charset=utf-8');
        return;
      }
      sendText(res, 404, JSON.stringify({ ok: false, error: { code: 'not_found', message: `no API at ${url.pathname}` } }), 'application/json; charset=utf-8');
      return;
    }
    await serveStatic(req, res, rendererDir, url.pathname);
  };

  const server = createServer((req, res) => {
    onRequest(req, res).catch((err: unknown) => {
      log(`HTTP error on ${req.url ?? ''}: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) sendText(res, 500, 'Internal Server Error\n');
      else res.destroy();
    });
  });
  server.on('upgrade', (req, socket, head) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (pathname !== WS_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    hub.handleUpgrade(req, socket, head);
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
    close: () => {
      closed ??= (async () => {
        unsubscribe();
        await hub.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closed;
    },
  };
}
