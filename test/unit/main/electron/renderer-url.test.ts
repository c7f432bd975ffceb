// Which URLs count as the app's own renderer: the exact built index.html (any route) or the dev server's origin.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isRendererUrl, rendererLocation } from '../../../../src/main/electron/renderer-url';

const out = path.resolve('/opt/robustness lab/out');
const built = rendererLocation(out, {});
const index = pathToFileURL(path.join(out, 'renderer', 'index.html')).href;

describe('rendererLocation', () => {
  it('uses the built index.html unless electron-vite runs a local dev server', () => {
    expect(built).toEqual({ kind: 'file', file: path.join(out, 'renderer', 'index.html') });
    expect(rendererLocation(out, { ELECTRON_RENDERER_URL: 'http://localhost:5173' })).toEqual({ kind: 'dev', url: 'http://localhost:5173' });
  });

  it('ignores a dev server URL that is not on this machine', () => {
    expect(rendererLocation(out, { ELECTRON_RENDERER_URL: 'http://evil.example:5173' }).kind).toBe('file');
  });
});

describe('isRendererUrl', () => {
  it('accepts the index file with any hash route or query, even with a space in the path', () => {
    expect(index).toContain('%20');
    expect(isRendererUrl(index, built)).toBe(true);
    expect(isRendererUrl(`${index}#/compare?runs=run_a,run_b`, built)).toBe(true);
    expect(isRendererUrl(`${index}?token=x`, built)).toBe(true);
  });

  it.each([
    ['a sibling file', pathToFileURL(path.join(out, 'renderer', 'evil.html')).href],
    ['a path escaping with ..', `${pathToFileURL(path.join(out, 'renderer')).href}/../renderer/../main/index.js`],
    ['a file on another host', `file://server${pathToFileURL(path.join(out, 'renderer', 'index.html')).pathname}`],
    ['http', 'http://127.0.0.1:8717/?token=abc'],
    ['about:blank', 'about:blank'],
    ['garbage', 'not a url'],
    ['nothing', ''],
  ])('refuses %s', (_name, url) => {
    expect(isRendererUrl(url, built)).toBe(false);
  });

  it('accepts only the dev server origin in development', () => {
    const dev = { kind: 'dev' as const, url: 'http://localhost:5173/' };
    expect(isRendererUrl('http://localhost:5173/#/run/run_a', dev)).toBe(true);
    expect(isRendererUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isRendererUrl('https://localhost:5173/', dev)).toBe(false);
    expect(isRendererUrl(index, dev)).toBe(false);
  });
});
