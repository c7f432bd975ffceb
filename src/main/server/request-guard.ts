// Checks every request and upgrade makes before anything else: a readable origin-form path, a Host header naming this
// server (DNS rebinding), and, when a browser sends one, an Origin that is this server (cross-site WebSocket hijacking).
import { type IncomingMessage } from 'node:http';
import os from 'node:os';

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];
const WILDCARD_V4 = '0.0.0.0';
const WILDCARD_V6 = '::';

/** `host` as it appears in a Host header or URL: IPv6 literals in brackets, names lower-cased. */
function authorityHost(host: string): string {
  const h = host.toLowerCase();
  return h.includes(':') && !h.startsWith('[') ? `[${h}]` : h;
}

/**
 * The `host:port` values a request may name: the loopback names, the bound address when it is not a wildcard, and for a
 * wildcard bind every address of this machine's interfaces (IP literals only, so a rebinding DNS name never matches).
 */
export function ownAuthorities(boundHost: string, port: number, interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces()): Set<string> {
  const hosts = new Set(LOOPBACK_NAMES);
  if (boundHost === WILDCARD_V4 || boundHost === WILDCARD_V6) {
    for (const list of Object.values(interfaces)) {
      for (const info of list ?? []) {
        if (info.family === 'IPv4' || boundHost === WILDCARD_V6) hosts.add(authorityHost(info.address));
      }
    }
  } else {
    hosts.add(authorityHost(boundHost));
  }
  const out = new Set<string>();
  for (const h of hosts) {
    out.add(`${h}:${port}`);
    // the default port is left out of Host and Origin
    if (port === 80) out.add(h);
  }
  return out;
}

/** A header value quoted for a log line: bounded, control characters escaped. */
export function shownHeader(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The request's path and query, or null when the target is not a plain `/path` (absolute-form, `*`, undecodable). */
export function parseRequestUrl(raw: string | undefined): URL | null {
  if (!raw || !raw.startsWith('/')) return null;
  try {
    // joined rather than resolved, so `//host/x` stays a path here instead of naming another host
    return new URL(`http://server${raw}`);
  } catch {
    return null;
  }
}

/** Why the Host header does not name this server, or null when it does. */
export function hostProblem(req: IncomingMessage, own: ReadonlySet<string>): string | null {
  const host = single(req.headers.host);
  if (host === undefined || host === '') return 'no Host header';
  if (own.has(host.toLowerCase())) return null;
  return `Host ${shownHeader(host)} is not this server's own address`;
}

/** Why the Origin header is another site's, or null when it is this server or absent (programs other than browsers). */
export function originProblem(req: IncomingMessage, own: ReadonlySet<string>): string | null {
  const origin = single(req.headers.origin);
  if (origin === undefined) return null;
  const m = /^http:\/\/([^/?#]+)$/i.exec(origin);
  if (m && own.has(m[1]!.toLowerCase())) return null;
  return `Origin ${shownHeader(origin)} is not this server (another web page tried to connect)`;
}
