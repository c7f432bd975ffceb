// The renderer's Content-Security-Policy: everything denied, then only what the Svelte app needs.

export interface CspOptions {
  /** Vite's dev server injects styles inline and talks to its own socket for hot reload. */
  dev?: boolean;
}

/**
 * One policy for Electron (file://) and the browser (served by `rlab serve`):
 * - scripts and styles from the app's own origin only (Svelte sets dynamic styles through CSSOM, which CSP allows;
 *   components carry no static inline style attributes);
 * - images from data:/blob: because gallery and chart exports are made in the page;
 * - connect 'self' covers the WebSocket to the serving host (CSP3 matches ws: to the same host) and nothing in Electron.
 */
export function rendererCsp(options: CspOptions = {}): string {
  const directives: Record<string, string[]> = {
    'default-src': ["'none'"],
    'script-src': ["'self'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    'object-src': ["'none'"],
  };
  if (options.dev) {
    directives['style-src']!.push("'unsafe-inline'");
    directives['connect-src']!.push('ws:', 'http:');
  }
  return Object.entries(directives)
    .map(([k, v]) => `${k} ${v.join(' ')}`)
    .join('; ');
}
