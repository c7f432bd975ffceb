// Collects what a page should never show: uncaught errors and Content-Security-Policy violations.
import { type Page } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';

export function watchPage(page: Page): { problems: string[] } {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    const text = m.text();
    if (/Content Security Policy|Refused to (load|apply|execute|connect)/i.test(text)) problems.push(`CSP: ${text}`);
  });
  return { problems };
}

export const SCREENSHOT_DIR = path.join('test-results', 'screenshots');

/** Full-page screenshot kept as a test artifact under test-results/screenshots/. */
export async function snap(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
