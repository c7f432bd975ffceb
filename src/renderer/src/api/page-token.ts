// The `rlab serve` access token of this tab: taken from the address once, then kept in sessionStorage (this tab only)
// and removed from the address bar and history, so it is not left in the URL for screenshots, history or bookmarks.

export const TOKEN_PARAM = 'token';
export const TOKEN_STORAGE_KEY = 'rlab.serve.token';

export interface PageForToken {
  location: { search: string; pathname: string; hash: string };
  history: { readonly state: unknown; replaceState(data: unknown, unused: string, url: string): void };
  /** window.sessionStorage; null or throwing when storage is disabled. */
  sessionStorage: Pick<Storage, 'getItem' | 'setItem'> | null;
}

/** The token from the address (which it then drops) or, after a reload, from this tab's storage; null when neither has one. */
export function takePageToken(page: PageForToken): string | null {
  const params = new URLSearchParams(page.location.search);
  const fromUrl = params.get(TOKEN_PARAM);
  if (fromUrl) {
    try {
      page.sessionStorage?.setItem(TOKEN_STORAGE_KEY, fromUrl);
    } catch {
      // storage disabled: the token still works for this page load
    }
    params.delete(TOKEN_PARAM);
    const rest = params.toString();
    page.history.replaceState(page.history.state, '', `${page.location.pathname}${rest ? `?${rest}` : ''}${page.location.hash}`);
    return fromUrl;
  }
  try {
    return page.sessionStorage?.getItem(TOKEN_STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

/** Forgets this tab's token once the server refused it, so a reload says "no token" instead of retrying a dead one. */
export function forgetPageToken(storage: Pick<Storage, 'removeItem'> | null): void {
  try {
    storage?.removeItem(TOKEN_STORAGE_KEY);
  } catch {
    // storage disabled: nothing was kept
  }
}
