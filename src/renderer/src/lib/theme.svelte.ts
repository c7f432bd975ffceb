// The app's colour theme as reactive state: the choice lives in localStorage, the system's preference comes from
// matchMedia, and the effective theme is written to <html data-theme> where app.css picks the palette.
import { effectiveTheme, nextThemeChoice, parseThemeChoice, THEME_STORAGE_KEY, type Theme, type ThemeChoice } from './theme-choice';

const DARK_QUERY = '(prefers-color-scheme: dark)';

/** Storage can be unavailable (disabled, or a sandboxed origin); the theme then lasts for the page only. */
function readStored(): string | null {
  try {
    return window.localStorage.getItem(THEME_STORAGE_KEY);
  } catch {
    return null;
  }
}

function writeStored(choice: ThemeChoice): void {
  try {
    window.localStorage.setItem(THEME_STORAGE_KEY, choice);
  } catch {
    // the choice still applies to this page
  }
}

class ThemeState {
  choice = $state<ThemeChoice>('system');
  systemDark = $state(false);
  readonly effective: Theme = $derived(effectiveTheme(this.choice, this.systemDark));

  /** Call once before mounting the app, so the first paint already has the right palette. */
  start(): () => void {
    const query = window.matchMedia(DARK_QUERY);
    this.choice = parseThemeChoice(readStored());
    this.systemDark = query.matches;
    this.apply();
    const onChange = (e: MediaQueryListEvent) => {
      this.systemDark = e.matches;
      this.apply();
    };
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }

  set(choice: ThemeChoice): void {
    this.choice = choice;
    writeStored(choice);
    this.apply();
  }

  cycle(): void {
    this.set(nextThemeChoice(this.choice));
  }

  /** Synchronous, so that effects reacting to `effective` (charts) already read the new CSS variables. */
  private apply(): void {
    document.documentElement.dataset.theme = effectiveTheme(this.choice, this.systemDark);
  }
}

export const theme = new ThemeState();
