// Debian's Chromium, never a downloaded one, and the flags it runs headless with here: one definition for the
// Playwright config, the UI bench and the screenshot script.
import { execFileSync } from 'node:child_process';

/** `RLAB_CHROMIUM`, else chromium (or chromium-browser) on PATH; empty when none is installed. */
export function chromiumPath(): string {
  if (process.env.RLAB_CHROMIUM) return process.env.RLAB_CHROMIUM;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
