// Browser E2E of seed groups against a real `rlab serve`: the Seeds field's schema message, a tiny experiment over two
// seeds, the run page's mean ± std panel with per-seed rows on expanding, and Compare's mean curve with its band.
import { expect, test, type Page } from '@playwright/test';
import { ExperimentConfigSchema } from '../../../src/shared/schemas';
import { describeIssue } from '../../../src/shared/validate';
import { startServe, type ServedLab } from '../helpers/serve';
import { snap, watchPage } from '../helpers/page-watch';

test.describe.configure({ mode: 'serial' });

let lab: ServedLab;
test.beforeAll(async () => {
  lab = await startServe();
});
test.afterAll(async () => {
  await lab?.stop();
});

const open = (page: Page, hash: string) => page.goto(`${lab.url}${hash}`);

test('the Seeds field shows the shared schema rule', async ({ page }) => {
  await open(page, '#/new');
  await page.getByLabel('Seeds').fill('1, 1');
  const r = ExperimentConfigSchema.safeParse({ seeds: [1, 1] });
  if (r.success) throw new Error('duplicate seeds are unexpectedly valid');
  await expect(page.locator('#f-seeds-error')).toHaveText(describeIssue(r.error.issues[0]!, { seeds: [1, 1] }).message);
});

test('an experiment over two seeds shows mean ± std per role, each seed one click away, and a band in Compare', async ({ page }) => {
  test.setTimeout(300_000);
  const watch = watchPage(page);
  await open(page, '#/new');
  await page.getByRole('radio', { name: 'Quick' }).click();
  await page.getByLabel('Name', { exact: true }).fill('e2e-seeds');
  await page.getByLabel('Seeds').fill('0, 1');
  await page.getByLabel('Train images').fill('256');
  await page.getByLabel('Test images', { exact: true }).fill('64');
  await page.getByLabel('Conv filters').fill('2');
  await page.getByLabel('Dense units').fill('8');
  await page.getByLabel('Epochs', { exact: true }).fill('2');
  // two FGSM attacks (white-box and transfer from the seed's base) are enough here and keep the four runs short
  const removers = page.getByRole('button', { name: /^Remove attack \d+$/ });
  for (let n = await removers.count(); n > 2; n--) await page.getByRole('button', { name: `Remove attack ${n}` }).click();
  await expect(page.getByTestId('error-count')).toHaveCount(0);
  await page.getByTestId('start').click();
  await page.waitForURL(/#\/run\/run_/, { timeout: 30_000 });
  await expect(page.getByTestId('run-title')).toHaveText('e2e-seeds · base · seed 0');

  const panel = page.getByTestId('seed-groups');
  await expect(panel).toContainText('Over 2 seeds');
  // the runs train one after the other (base 0, adv 0, base 1, adv 1): the adv column has every number over both
  // seeds only once the last run is done
  const adv = panel.locator('td[data-role="adv"][data-n]');
  await expect(adv.and(page.locator('[data-n="2"]')).first()).toBeVisible({ timeout: 240_000 });
  await expect(adv.and(page.locator('[data-n="0"], [data-n="1"]'))).toHaveCount(0, { timeout: 240_000 });
  await expect(panel.locator('td[data-role="base"][data-n="2"]').first()).toBeVisible();
  await expect(panel.locator('th[data-seed]')).toHaveCount(0);
  await panel.getByRole('button', { name: 'Per-seed values of the adv runs' }).click();
  await expect(panel.locator('th[data-seed][data-role="adv"]')).toHaveCount(2);
  await expect(panel.locator('th[data-seed="1"][data-role="adv"]')).toContainText('seed 1');
  await expect(panel.locator('tr[data-key^="eval:"]').first().locator('td[data-seed][data-role="adv"]')).toHaveCount(2);
  await snap(page, 'seed-groups');

  await panel.getByRole('link', { name: 'Compare adv seeds' }).click();
  await page.waitForURL(/#\/compare\?runs=/);
  const curves = page.getByTestId('compare-curves');
  await expect(curves.locator('figure[data-bands="1"]').first()).toBeVisible();
  // the adv seeds' attacks as their mean over ε with a band, and one mean ± std row in Best / last
  await expect(page.getByTestId('compare-eps').locator('figure[data-bands]:not([data-bands="0"])').first()).toBeVisible();
  await expect(page.getByTestId('best-last').getByTestId('seed-group-row')).toHaveCount(1);
  await snap(page, 'compare-seeds-mean');
  await page.getByRole('radiogroup', { name: 'Seed groups in training curves' }).getByRole('radio', { name: 'Each run' }).click();
  await expect(curves.locator('figure[data-bands="1"]')).toHaveCount(0);
  await snap(page, 'compare-seeds-runs');
  expect(watch.problems).toEqual([]);
});
