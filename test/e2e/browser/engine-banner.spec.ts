// A lab whose engine is only the pure-JS fallback says so in a banner on every page, with the reason.
import { expect, test } from '@playwright/test';
import { startServe, type ServedLab } from '../helpers/serve';
import { snap, watchPage } from '../helpers/page-watch';

let lab: ServedLab;

test.beforeAll(async () => {
  lab = await startServe({ env: { RLAB_BACKEND: 'cpu' } });
});
test.afterAll(async () => {
  await lab?.stop();
});

test('the slow-engine banner names the fallback and why', async ({ page }) => {
  const watch = watchPage(page);
  await page.goto(`${lab.url}#/experiments`);
  const banner = page.getByTestId('engine-banner');
  await expect(banner).toBeVisible({ timeout: 90_000 });
  await expect(banner).toContainText('pure JavaScript (cpu)');
  await expect(banner).toContainText('RLAB_BACKEND');
  await page.goto(`${lab.url}#/new`);
  await expect(page.getByTestId('engine-banner')).toBeVisible({ timeout: 90_000 });
  await snap(page, 'engine-fallback-banner');
  expect(watch.problems).toEqual([]);
});
