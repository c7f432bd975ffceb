// The keyboard-shortcut table and its sequence matcher (lib/shortcuts.ts): single keys and two-key sequences give
// their action, a slow or broken sequence gives nothing, and keys typed into a field or with a modifier are ignored.
import { describe, expect, it } from 'vitest';
import { createShortcutMatcher, isTypingTarget, keysText, SEQUENCE_TIMEOUT_MS, SHORTCUTS, type KeyPress, type MatchResult, type ShortcutAction } from '../../../src/renderer/src/lib/shortcuts';

/** Presses the keys in order, `gap` ms apart, and returns the actions matched along the way. */
function actions(keys: readonly (string | Partial<KeyPress>)[], gap = 100): ShortcutAction[] {
  const m = createShortcutMatcher();
  const out: ShortcutAction[] = [];
  keys.forEach((k, i) => {
    const r = m.press({ time: 1000 + i * gap, ...(typeof k === 'string' ? { key: k } : { key: '', ...k }) });
    if (r.kind === 'match') out.push(r.shortcut.action);
  });
  return out;
}

describe('shortcut table', () => {
  it('holds the issue\'s shortcuts, each key sequence once', () => {
    expect(SHORTCUTS.map((s) => s.keys.join(' '))).toEqual(['/', '?', 'g e', 'g c', 'g n', 'g g', 'g s']);
    expect(new Set(SHORTCUTS.map((s) => s.keys.join(' '))).size).toBe(SHORTCUTS.length);
    for (const s of SHORTCUTS) expect(s.description).not.toBe('');
    expect(keysText(['g', 'e'])).toBe('g then e');
  });
});

describe('shortcut matcher', () => {
  it('gives each shortcut\'s action for its keys', () => {
    expect(actions(['/'])).toEqual([{ kind: 'search' }]);
    expect(actions(['?'])).toEqual([{ kind: 'help' }]);
    expect(actions(['g', 'e'])).toEqual([{ kind: 'go', page: 'experiments' }]);
    expect(actions(['g', 'c'])).toEqual([{ kind: 'go', page: 'compare' }]);
    expect(actions(['g', 'n'])).toEqual([{ kind: 'go', page: 'new' }]);
    expect(actions(['g', 'g'])).toEqual([{ kind: 'go', page: 'gallery' }]);
    expect(actions(['g', 's'])).toEqual([{ kind: 'go', page: 'sweeps' }]);
    for (const s of SHORTCUTS) expect(actions(s.keys)).toEqual([s.action]);
  });

  it('says a sequence\'s first key is pending, and lets other keys through', () => {
    const m = createShortcutMatcher();
    expect(m.press({ key: 'g', time: 0 })).toEqual<MatchResult>({ kind: 'pending' });
    expect(m.press({ key: 'x', time: 10 })).toEqual<MatchResult>({ kind: 'none' });
    expect(m.press({ key: 'e', time: 20 })).toEqual<MatchResult>({ kind: 'none' });
    expect(m.press({ key: 'Enter', time: 30 })).toEqual<MatchResult>({ kind: 'none' });
  });

  it('drops a sequence whose second key comes too late', () => {
    expect(actions(['g', 'e'], SEQUENCE_TIMEOUT_MS + 1)).toEqual([]);
    expect(actions(['g', 'e'], SEQUENCE_TIMEOUT_MS)).toEqual([{ kind: 'go', page: 'experiments' }]);
    // the late `g` starts a sequence of its own
    expect(actions(['g', 'g', 'e'], SEQUENCE_TIMEOUT_MS + 1)).toEqual([]);
    const m = createShortcutMatcher();
    m.press({ key: 'g', time: 0 });
    m.press({ key: 'g', time: SEQUENCE_TIMEOUT_MS + 1 });
    expect(m.press({ key: 'e', time: SEQUENCE_TIMEOUT_MS + 50 })).toMatchObject({ kind: 'match', shortcut: { keys: ['g', 'e'] } });
  });

  it('counts a key that breaks a sequence on its own, and starts afresh after a match', () => {
    expect(actions(['g', '/'])).toEqual([{ kind: 'search' }]);
    expect(actions(['g', 'x', 'g', 'n'])).toEqual([{ kind: 'go', page: 'new' }]);
    expect(actions(['g', 'g', 'g', 'c'])).toEqual([{ kind: 'go', page: 'gallery' }, { kind: 'go', page: 'compare' }]);
    expect(actions(['g', 'g', 'e'])).toEqual([{ kind: 'go', page: 'gallery' }]);
  });

  it('ignores keys typed into a field, and clears a started sequence on them', () => {
    expect(actions([{ key: 'g', typing: true }, { key: 'e', typing: true }])).toEqual([]);
    expect(actions([{ key: '/', typing: true }, { key: '?', typing: true }])).toEqual([]);
    expect(actions(['g', { key: 'e', typing: true }])).toEqual([]);
    expect(actions(['g', { key: 'x', typing: true }, 'e'])).toEqual([]);
  });

  it('ignores keys with Ctrl, Alt or Meta, but lets Shift (on its way to ?) and held keys pass a sequence', () => {
    expect(actions([{ key: '/', ctrlKey: true }, { key: '?', metaKey: true }, { key: 'g', altKey: true }, 'e'])).toEqual([]);
    expect(actions(['Shift', '?'])).toEqual([{ kind: 'help' }]);
    expect(actions(['g', 'Shift', 'g'])).toEqual([{ kind: 'go', page: 'gallery' }]);
    expect(actions(['g', { key: 'g', repeat: true }, 'c'])).toEqual([{ kind: 'go', page: 'compare' }]);
    expect(actions([{ key: '/', repeat: true }])).toEqual([]);
  });

  it('forgets a started sequence on reset', () => {
    const m = createShortcutMatcher();
    m.press({ key: 'g', time: 0 });
    m.reset();
    expect(m.press({ key: 'e', time: 10 })).toEqual<MatchResult>({ kind: 'none' });
  });
});

describe('typing targets', () => {
  it('are text inputs, textareas, selects and editable content', () => {
    for (const t of [{ tagName: 'INPUT', type: 'text' }, { tagName: 'INPUT', type: 'search' }, { tagName: 'INPUT', type: 'number' }, { tagName: 'INPUT' }, { tagName: 'TEXTAREA' }, { tagName: 'SELECT' }, { tagName: 'DIV', isContentEditable: true }, { tagName: 'input', type: 'email' }]) {
      expect(isTypingTarget(t), JSON.stringify(t)).toBe(true);
    }
  });

  it('are not buttons, links, checkboxes, radios, sliders or the page itself', () => {
    for (const t of [null, undefined, { tagName: 'BODY' }, { tagName: 'BUTTON' }, { tagName: 'A' }, { tagName: 'INPUT', type: 'checkbox' }, { tagName: 'INPUT', type: 'radio' }, { tagName: 'INPUT', type: 'range' }, { tagName: 'DIV', isContentEditable: false }]) {
      expect(isTypingTarget(t), JSON.stringify(t)).toBe(false);
    }
  });
});
