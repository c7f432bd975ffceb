// App-wide hardening: no navigation away from the renderer, no new windows, no webviews, no permissions.
import { type App, type Session } from 'electron';
import { rendererCsp } from './csp';
import { isRendererUrl, type RendererLocation } from './renderer-url';

export function hardenApp(app: App, renderer: RendererLocation, log: (line: string) => void): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (e, url) => {
      if (!isRendererUrl(url, renderer)) {
        e.preventDefault();
        log(`blocked navigation to ${url}`);
      }
    });
    contents.on('will-redirect', (e, url) => {
      if (!isRendererUrl(url, renderer)) e.preventDefault();
    });
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      log(`blocked a new window for ${url}`);
      return { action: 'deny' };
    });
  });
}

/** Denies every permission (camera, notifications, …) and, for the dev server, sends the CSP as a header too. */
export function hardenSession(session: Session, renderer: RendererLocation): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  if (renderer.kind === 'dev') {
    const policy = rendererCsp({ dev: true });
    session.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [policy] } });
    });
  }
}
