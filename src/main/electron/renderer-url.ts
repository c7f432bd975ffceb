// Where the app's renderer lives (built file or Vite dev server) and whether a URL is that renderer.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type RendererLocation = { kind: 'file'; file: string } | { kind: 'dev'; url: string };

/** The dev server when electron-vite runs one (ELECTRON_RENDERER_URL), else out/renderer/index.html. */
export function rendererLocation(outDir: string, env: NodeJS.ProcessEnv = process.env): RendererLocation {
  const dev = env.ELECTRON_RENDERER_URL;
  if (dev && /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?\/?/.test(dev)) return { kind: 'dev', url: dev };
  return { kind: 'file', file: path.join(outDir, 'renderer', 'index.html') };
}

/**
 * True only for the app's own page: the exact index.html file (any hash/query, since routing is hash-based) or,
 * in development, the dev server's origin. Everything else — other files, other origins, about:blank — is foreign.
 */
export function isRendererUrl(url: string | undefined | null, loc: RendererLocation): boolean {
  if (!url) return false;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (loc.kind === 'dev') return u.origin === new URL(loc.url).origin;
  if (u.protocol !== 'file:') return false;
  u.hash = '';
  u.search = '';
  try {
    return path.resolve(fileURLToPath(u)) === path.resolve(loc.file);
  } catch {
    // a file URL with a remote host (file://server/share) is not ours
    return false;
  }
}
