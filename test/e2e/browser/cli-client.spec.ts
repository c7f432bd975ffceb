// Browser E2E of one lab with two front ends: while a page is open on a real `rlab serve`, a `rlab run` from the
// terminal becomes the host's client; its experiment trains on that host and shows up live in the page's table.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { startServe, type ServedLab } from '../helpers/serve';
import { watchPage } from '../helpers/page-watch';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

let lab: ServedLab;
test.beforeAll(async () => {
  lab = await startServe();
});
test.afterAll(async () => {
  await lab?.stop();
});

function rlab(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'rlab.mjs'), ...args], { cwd: ROOT, env: { ...process.env, RLAB_HOME: lab.home }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

test('a run started from the CLI trains on the serving host and appears in the open page without a reload', async ({ page }) => {
  test.setTimeout(300_000);
  const watch = watchPage(page);
  await page.goto(`${lab.url}#/experiments`);
  await expect(page.getByText('No experiments yet')).toBeVisible();
  const run = await rlab(['run', '--preset', 'quick', '--runs', 'base', '--train-size', '256', '--test-size', '64', '--epochs', '1', '--conv-filters', '2', '--fc-units', '8', '--name', 'from-the-terminal']);
  expect(run.code, run.stderr).toBe(0);
  // the page was not reloaded: its table fills through the host's events
  const table = page.getByTestId('runs-table');
  await expect(table.locator('tbody tr')).toHaveCount(1);
  await expect(table.locator('tbody tr')).toContainText('from-the-terminal');
  await expect(table.locator('[data-status="completed"]')).toHaveCount(1);
  expect(watch.problems).toEqual([]);
});
