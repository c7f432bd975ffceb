// The page takes its `rlab serve` token from the address once, drops it from the address bar, and keeps it for the tab.
import { describe, expect, it } from 'vitest';
import { forgetPageToken, takePageToken, TOKEN_STORAGE_KEY, type PageForToken } from '../../../src/renderer/src/api/page-token';

function page(href: string, stored: Record<string, string> = {}): PageForToken & { href: string; store: Map<string, string> } {
  const u = new URL(href);
  const store = new Map(Object.entries(stored));
  const p = {
    href,
    store,
    location: { search: u.search, pathname: u.pathname, hash: u.hash },
    history: {
      state: { route: 'kept' } as unknown,
      replaceState(data: unknown, _unused: string, url: string) {
        p.history.state = data;
        const next = new URL(url, p.href);
        p.href = next.href;
        p.location = { search: next.search, pathname: next.pathname, hash: next.hash };
      },
    },
    sessionStorage: { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) },
  };
  return p;
}

describe('takePageToken', () => {
  it('takes the token from the address, stores it for the tab and removes it from the address, keeping the rest', () => {
    const p = page('http://127.0.0.1:8717/?x=1&token=abc123abc123abc123#/runs/run_1');
    expect(takePageToken(p)).toBe('abc123abc123abc123');
    expect(p.href).toBe('http://127.0.0.1:8717/?x=1#/runs/run_1');
    expect(p.store.get(TOKEN_STORAGE_KEY)).toBe('abc123abc123abc123');
    expect(p.history.state).toEqual({ route: 'kept' });
  });

  it('leaves no "?" behind when the token was the only parameter', () => {
    const p = page('http://127.0.0.1:8717/?token=abc123abc123abc123#/new');
    takePageToken(p);
    expect(p.href).toBe('http://127.0.0.1:8717/#/new');
  });

  it('uses the stored token after a reload without one in the address, and prefers a new one in the address', () => {
    expect(takePageToken(page('http://127.0.0.1:8717/#/new', { [TOKEN_STORAGE_KEY]: 'stored-token-0000' }))).toBe('stored-token-0000');
    const p = page('http://127.0.0.1:8717/?token=fresh-token-1111', { [TOKEN_STORAGE_KEY]: 'stored-token-0000' });
    expect(takePageToken(p)).toBe('fresh-token-1111');
    expect(p.store.get(TOKEN_STORAGE_KEY)).toBe('fresh-token-1111');
  });

  it('returns null with no token anywhere, and still works when storage throws', () => {
    expect(takePageToken(page('http://127.0.0.1:8717/'))).toBeNull();
    const p = page('http://127.0.0.1:8717/?token=abc123abc123abc123');
    p.sessionStorage = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
    };
    expect(takePageToken(p)).toBe('abc123abc123abc123');
    expect(p.href).toBe('http://127.0.0.1:8717/');
    expect(takePageToken(p)).toBeNull();
  });

  it('forgets the stored token after the server refused it', () => {
    const store = new Map([[TOKEN_STORAGE_KEY, 'dead-token-000000']]);
    forgetPageToken({ removeItem: (k: string) => void store.delete(k) });
    expect(store.has(TOKEN_STORAGE_KEY)).toBe(false);
    expect(() => forgetPageToken(null)).not.toThrow();
  });
});
