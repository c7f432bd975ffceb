// The current hash route as reactive state; pages navigate by assigning location.hash (links are plain <a href="#/...">).
// A page with unsaved edits registers a guard: leaving it inside the app then waits for the person to confirm (the
// app shows `pending` in a dialog), and closing or reloading the tab triggers the browser's own `beforeunload` prompt.
import { parseHash, type Route } from './routes';

/** Says why leaving now would lose something (shown to the person), or null when nothing would be lost. */
export type LeaveGuard = () => string | null;

export interface PendingNavigation {
  hash: string;
  message: string;
  /** The browser already moved (back/forward, a typed address): going on replaces the restored entry, not a new one. */
  replace: boolean;
}

class Router {
  route = $state<Route>(parseHash(typeof window === 'undefined' ? '' : window.location.hash));
  /** A navigation held back by a guard until the person confirms or cancels it. */
  pending = $state<PendingNavigation | null>(null);
  private guards = new Set<LeaveGuard>();
  /** The hash of the page shown (route), as location.hash spells it. */
  private shown = typeof window === 'undefined' ? '' : window.location.hash;

  start(): () => void {
    const onHashChange = () => {
      const next = window.location.hash;
      if (next === this.shown) return;
      const message = this.blocked();
      if (message === null) return this.show(next);
      // the address already changed under a page with unsaved edits: put the page's own address back and ask
      history.replaceState(history.state, '', withHash(this.shown));
      this.pending = { hash: next, message, replace: true };
    };
    // in-app links are held before the browser follows them, so a cancelled one leaves no history entry behind
    const onClick = (e: MouseEvent) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const a = e.target instanceof Element ? e.target.closest('a') : null;
      const target = a?.getAttribute('href');
      if (!a || !target?.startsWith('#') || a.hasAttribute('download') || (a.target && a.target !== '_self')) return;
      const message = this.blocked();
      if (message === null) return;
      e.preventDefault();
      this.pending = { hash: target, message, replace: false };
    };
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (this.blocked() === null) return;
      e.preventDefault();
      // older Chromium (and Electron's will-prevent-unload) look for returnValue
      e.returnValue = '';
    };
    window.addEventListener('hashchange', onHashChange);
    window.addEventListener('click', onClick, true);
    window.addEventListener('beforeunload', onBeforeUnload);
    this.show(window.location.hash);
    return () => {
      window.removeEventListener('hashchange', onHashChange);
      window.removeEventListener('click', onClick, true);
      window.removeEventListener('beforeunload', onBeforeUnload);
    };
  }

  go(hash: string): void {
    const message = this.blocked();
    if (message !== null) this.pending = { hash, message, replace: false };
    else this.navigate(hash, false);
  }

  /** Registers a guard for as long as its page is shown; returns its removal. */
  guard(check: LeaveGuard): () => void {
    this.guards.add(check);
    return () => this.guards.delete(check);
  }

  /** Leaves for the pending navigation, whatever the guards say. */
  confirmPending(): void {
    const p = this.pending;
    this.pending = null;
    if (p) this.navigate(p.hash, p.replace);
  }

  /** Stays on the page. */
  cancelPending(): void {
    this.pending = null;
  }

  private blocked(): string | null {
    for (const check of this.guards) {
      const message = check();
      if (message !== null) return message;
    }
    return null;
  }

  private navigate(hash: string, replace: boolean): void {
    if (replace) history.replaceState(history.state, '', withHash(hash));
    else if (window.location.hash !== hash) window.location.hash = hash;
    // read back: the browser normalises what was assigned, and its hashchange must find it shown already
    this.show(window.location.hash);
  }

  private show(hash: string): void {
    this.shown = hash;
    this.route = parseHash(hash);
  }
}

function withHash(hash: string): string {
  const url = new URL(window.location.href);
  url.hash = hash;
  return url.href;
}

export const router = new Router();
