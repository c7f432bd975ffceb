// The app's keyboard shortcuts: one table feeds both the key handler (components/KeyboardShortcuts.svelte) and the
// help overlay that lists them. Kept free of Svelte and the DOM so the sequence matcher is unit-testable.
import { type PageName } from './routes';

export type ShortcutAction = { kind: 'go'; page: PageName } | { kind: 'search' } | { kind: 'help' };

export interface Shortcut {
  /** Keys pressed one after another, as KeyboardEvent.key spells them (`?` is what Shift+/ gives). */
  keys: readonly string[];
  description: string;
  action: ShortcutAction;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: ['/'], description: 'Search runs (opens Experiments first)', action: { kind: 'search' } },
  { keys: ['?'], description: 'Show these keyboard shortcuts', action: { kind: 'help' } },
  { keys: ['g', 'e'], description: 'Go to Experiments', action: { kind: 'go', page: 'experiments' } },
  { keys: ['g', 'c'], description: 'Go to Compare', action: { kind: 'go', page: 'compare' } },
  { keys: ['g', 'n'], description: 'Go to New experiment', action: { kind: 'go', page: 'new' } },
  { keys: ['g', 'g'], description: 'Go to Gallery', action: { kind: 'go', page: 'gallery' } },
  { keys: ['g', 's'], description: 'Go to Sweeps', action: { kind: 'go', page: 'sweeps' } },
];

/** The longest pause between the keys of a sequence (`g` then `e`). */
export const SEQUENCE_TIMEOUT_MS = 1200;

/** What the matcher needs of a keydown: its key, its time, and whether it must be left alone. */
export interface KeyPress {
  key: string;
  /** Milliseconds on any monotonic clock (KeyboardEvent.timeStamp). */
  time: number;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  /** Held down: the browser repeats the keydown. */
  repeat?: boolean;
  /** The key goes to a text field, a select or editable content (see isTypingTarget). */
  typing?: boolean;
}

/** none: not a shortcut (let the browser have it); pending: the start of a sequence; match: run its action. */
export type MatchResult = { kind: 'none' } | { kind: 'pending' } | { kind: 'match'; shortcut: Shortcut };

export interface ShortcutMatcher {
  press(k: KeyPress): MatchResult;
  /** Forgets a started sequence (e.g. when the window loses focus). */
  reset(): void;
}

const sameKeys = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((k, i) => k === b[i]);
const startsWith = (keys: readonly string[], prefix: readonly string[]) => prefix.length < keys.length && prefix.every((k, i) => k === keys[i]);

export function createShortcutMatcher(table: readonly Shortcut[] = SHORTCUTS, timeoutMs = SEQUENCE_TIMEOUT_MS): ShortcutMatcher {
  let pending: string[] = [];
  let lastTime = 0;

  const tryKeys = (keys: string[], time: number): MatchResult => {
    const exact = table.find((s) => sameKeys(s.keys, keys));
    if (exact) {
      pending = [];
      return { kind: 'match', shortcut: exact };
    }
    if (table.some((s) => startsWith(s.keys, keys))) {
      pending = keys;
      lastTime = time;
      return { kind: 'pending' };
    }
    pending = [];
    return { kind: 'none' };
  };

  return {
    press(k) {
      if (k.typing || k.ctrlKey || k.metaKey || k.altKey) {
        pending = [];
        return { kind: 'none' };
      }
      // a held key, and the modifier keys themselves (Shift on its way to `?`), neither start nor break a sequence
      if (k.repeat || MODIFIER_KEYS.has(k.key)) return pending.length > 0 ? { kind: 'pending' } : { kind: 'none' };
      if (pending.length > 0 && k.time - lastTime > timeoutMs) pending = [];
      if (pending.length > 0) {
        const r = tryKeys([...pending, k.key], k.time);
        if (r.kind !== 'none') return r;
        // `g` then `/`: the broken sequence is dropped and the key counts on its own
      }
      return tryKeys([k.key], k.time);
    },
    reset() {
      pending = [];
    },
  };
}

const MODIFIER_KEYS = new Set(['Shift', 'Control', 'Alt', 'Meta', 'CapsLock', 'AltGraph']);

/** What isTypingTarget reads of an event target: an Element has all of these. */
export interface TargetLike {
  tagName?: string;
  type?: string;
  isContentEditable?: boolean;
}

/** Inputs that take no typed text: a key on them is not typing. */
const NON_TEXT_INPUTS = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file', 'image']);

/** A keydown on a text field, textarea, select or editable content is typing, never a shortcut. */
export function isTypingTarget(target: TargetLike | null | undefined): boolean {
  if (!target) return false;
  if (target.isContentEditable) return true;
  const tag = (target.tagName ?? '').toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') return !NON_TEXT_INPUTS.has((target.type ?? 'text').toLowerCase());
  return false;
}

/** The keys as the help overlay spells them: `g then e`. */
export function keysText(keys: readonly string[]): string {
  return keys.join(' then ');
}
