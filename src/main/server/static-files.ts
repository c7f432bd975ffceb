// HTTP side of `rlab serve`: the built renderer as static files, with security headers and a page that explains a missing build.
import { createReadStream, promises as fsp } from 'node:fs';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';

/** CSP for the browser UI: only our own files, plus WebSocket back to the server. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; connect-src 'self' ws:; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Sent on every HTTP response. no-referrer matters: the page URL carries the token. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export function sendText(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8', extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', ...extra });
  res.end(body);
}

export function missingBuildPage(rendererDir: string): string {
  const dir = rendererDir.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Robustness Lab: UI not built</title></head>
<body>
<h1>The Robustness Lab UI has not been built</h1>
<p>No <code>index.html</code> was found in <code>${dir}</code>.</p>
<p>Run <code>npm run build</code> in the project folder, then reload this page. The WebSocket API at <code>/ws</code> works without it.</p>
</body></html>
`;
}

/**
 * Maps a URL path to a file inside `root`, or null when it would leave `root` or cannot be decoded.
 * Paths without an extension fall back to index.html so client-side routes survive a reload.
 */
export function resolveStaticPath(root: string, urlPath: string): { file: string; fallback: boolean } | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const rel = path.posix.normalize(decoded).replace(/^\/+/, '');
  if (rel === '..' || rel.startsWith('../')) return null;
  const file = path.resolve(root, rel === '' || rel === '.' ? 'index.html' : rel);
  if (file !== path.resolve(root) && !file.startsWith(path.resolve(root) + path.sep)) return null;
  return { file, fallback: path.extname(rel) === '' };
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fsp.stat(file)).isFile();
  } catch {
    return false;
  }
}

/** True when `file`, symbolic links followed, is still under `root` (the check on the path text cannot see links). */
async function staysInside(root: string, file: string): Promise<boolean> {
  try {
    const [realRoot, realFile] = await Promise.all([fsp.realpath(root), fsp.realpath(file)]);
    return realFile === realRoot || realFile.startsWith(realRoot + path.sep);
  } catch {
    return false;
  }
}

/** Serves GET/HEAD for files under `rendererDir`. */
export async function serveStatic(req: IncomingMessage, res: ServerResponse, rendererDir: string, urlPath: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendText(res, 405, 'Method Not Allowed\n', undefined, { Allow: 'GET, HEAD' });
    return;
  }
  const index = path.join(rendererDir, 'index.html');
  if (!(await isFile(index))) {
    sendText(res, 503, missingBuildPage(rendererDir), 'text/html; charset=utf-8');
    return;
  }
  const target = resolveStaticPath(rendererDir, urlPath);
  if (!target) {
    sendText(res, 400, 'Bad Request\n');
    return;
  }
  let file = target.file;
  if (!(await isFile(file))) {
    if (!target.fallback) {
      sendText(res, 404, 'Not Found\n');
      return;
    }
    file = index;
  }
  if (!(await staysInside(rendererDir, file))) {
    sendText(res, 404, 'Not Found\n');
    return;
  }
  const stat = await fsp.stat(file);
  const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  // Hashed assets can be cached; index.html names them, so it must always be fresh.
  const cache = path.basename(file) === 'index.html' ? 'no-store' : 'public, max-age=3600';
  res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': stat.size, 'Cache-Control': cache });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
