// Browser E2E of Compare with seed groups against a real `rlab serve`, on a lab whose finished runs over three seeds were
// written through the real store (helpers/seeded-lab.ts): Best / last's mean ± std row per group with its runs one click
// away, accuracy vs ε as mean curves with ±std bands (white-box, transfer from each seed's own base, ensemble), the
// "Each run" toggle, the runs list's and run page's headline over seeds, and the layout at 1280 and 900 px.
import { expect, test, type Page } from '@playwright/test';
import { meanStd } from '../../../src/shared/seed-stats';
import { snap, watchPage } from '../helpers/page-watch';
import { SEEDED_COUNT, seededCorrect, seedLab } from '../helpers/seeded-lab';
import { startServe, type ServedLab } from '../helpers/serve';

test.describe.configure({ mode: 'serial' });

const SEEDS = [0, 1, 2];
let lab: ServedLab;
let ids: Record<'base' | 'adv', string[]>;
test.beforeAll(async () => {
  lab = await startServe({ prepare: (home) => (ids = seedLab(home, 'e2e-bands', SEEDS)) });
});
test.afterAll(async () => {
  await lab?.stop();
});

const open = (page: Page, hash: string) => page.goto(`${lab.url}${hash}`);
const compare = (runIds: string[]) => `#/compare?runs=${encodeURIComponent(runIds.join(','))}`;
/** "43.8% ± 6.3 pp", computed here from the seeded counts rather than by the UI's formatter. */
function meanText(values: number[]): string {
  const s = meanStd(values);
  return `${(100 * s.mean).toFixed(1)}% ± ${(100 * s.std!).toFixed(1)} pp`;
}
// the headline (worst case per example at ∞ ε 0.2) of each adv seed: with the seeded masks, the smallest count
const advHeadlines = SEEDS.map((s) => Math.min(...(['fgsm', 'pgd', 'transfer'] as const).map((a) => seededCorrect('adv', s, a, 0.2))) / SEEDED_COUNT);
const advClean = SEEDS.map((s) => seededCorrect('adv', s, 'clean', 0) / SEEDED_COUNT);

/**
 * Nothing is wider than the page: wide tables scroll inside their section. (Below the app's minimum width, body's
 * min-width in app.css, the whole app scrolls sideways by design; the page is then laid out at that width.)
 */
async function noPageOverflow(page: Page): Promise<void> {
  const w = await page.evaluate(() => {
    const section = document.querySelector('section.page')!;
    return { doc: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth, body: document.body.offsetWidth, section: section.scrollWidth, sectionBox: section.clientWidth };
  });
  expect(w.section, 'the Compare page is wider than its column').toBeLessThanOrEqual(w.sectionBox);
  expect(w.doc, 'the page scrolls sideways beyond the app width').toBeLessThanOrEqual(Math.max(w.viewport, w.body));
}

test('the runs list and a run page give the headline over the seeds, named with their count', async ({ page }) => {
  const watch = watchPage(page);
  await open(page, '#/experiments');
  const row = page.locator(`tr[data-run-id="${ids.adv[1]}"]`);
  await expect(row.getByTestId('seed-headline')).toHaveText(`mean ${meanText(advHeadlines)}`);
  await expect(row).toContainText(', 64 images, 3 seeds');
  await expect(page.getByTestId('seed-headline')).toHaveCount(6);
  await snap(page, 'runs-seed-headlines');

  await open(page, `#/run/${ids.adv[0]}`);
  await expect(page.getByTestId('seed-headline')).toHaveText(`adv mean ${meanText(advHeadlines)}`);
  await expect(page.locator('.stat', { has: page.getByTestId('seed-headline') })).toContainText(', 64 images, 3 seeds');
  await snap(page, 'run-seed-headline');
  expect(watch.problems).toEqual([]);
});

test('Compare shows each seed group as mean ± std with its runs one click away, and bands over ε', async ({ page }) => {
  const watch = watchPage(page);
  await page.setViewportSize({ width: 1280, height: 900 });
  await open(page, compare([...ids.base, ...ids.adv]));

  const table = page.getByTestId('best-last');
  const groups = table.getByTestId('seed-group-row');
  await expect(groups).toHaveCount(2);
  const adv = table.locator('[data-testid="seed-group-row"][data-role="adv"]');
  await expect(adv).toContainText('e2e-bands · adv, mean of 3 seeds');
  await expect(adv.getByTestId('group-headline')).toContainText(meanText(advHeadlines));
  await expect(adv.getByTestId('group-headline')).toContainText(', 64 images, 3 seeds');
  await expect(adv.locator('td[data-n="3"]')).toContainText(meanText(advClean));
  // each run is one click away, with its own number
  await expect(table.locator('tr[data-run-id]')).toHaveCount(0);
  await adv.getByRole('button', { name: 'Runs of e2e-bands · adv, mean of 3 seeds' }).click();
  await expect(table.locator('tr[data-run-id]')).toHaveCount(3);
  await expect(table.locator(`tr[data-run-id="${ids.adv[2]}"]`)).toContainText(`${(100 * advHeadlines[2]!).toFixed(2)}%`);
  await expect(table.locator(`tr[data-run-id="${ids.adv[2]}"]`)).toContainText('seed 2');

  const eps = page.getByTestId('compare-eps');
  const fgsm = eps.locator('figure', { hasText: 'FGSM L∞ (solid' });
  const pgd = eps.locator('figure', { hasText: 'PGD-20 L∞ (solid' });
  // per group: white-box band (base and adv) and the adv's transfer band for FGSM; white-box only for PGD
  await expect(fgsm).toHaveAttribute('data-bands', '3');
  await expect(pgd).toHaveAttribute('data-bands', '2');
  // three mean curves of four points (ε 0, 0.1, 0.2, 0.3)
  await expect(fgsm).toHaveAttribute('data-points', '12');
  const ensembles = eps.locator('figure', { hasText: 'robust only against every attack' });
  await expect(ensembles.first()).toHaveAttribute('data-bands', /^[12]$/);
  await snap(page, 'compare-seed-bands-1280');
  await noPageOverflow(page);

  await page.setViewportSize({ width: 900, height: 900 });
  await expect(fgsm).toBeVisible();
  await snap(page, 'compare-seed-bands-900');
  await noPageOverflow(page);

  const toggle = page.getByRole('radiogroup', { name: 'Seed groups in accuracy vs ε' });
  await toggle.getByRole('radio', { name: 'Each run' }).click();
  await expect(eps.locator('figure[data-bands]:not([data-bands="0"])')).toHaveCount(0);
  // every run alone: 3 base and 3 adv white-box curves plus 3 adv transfer curves, of four points each
  await expect(fgsm).toHaveAttribute('data-points', String(9 * 4));
  await snap(page, 'compare-seed-each-run-900');
  await toggle.getByRole('radio', { name: 'Mean ± std over seeds' }).click();
  await expect(fgsm).toHaveAttribute('data-bands', '3');
  expect(watch.problems).toEqual([]);
});

test('adv seeds compared without their base runs still pool each seed\'s transfer from its own base', async ({ page }) => {
  const watch = watchPage(page);
  await open(page, compare(ids.adv));
  const fgsm = page.getByTestId('compare-eps').locator('figure', { hasText: 'FGSM L∞ (solid' });
  await expect(fgsm).toHaveAttribute('data-bands', '2');
  await expect(fgsm).toHaveAttribute('data-points', '8');
  await expect(page.getByTestId('best-last').getByTestId('seed-group-row')).toHaveCount(1);
  expect(watch.problems).toEqual([]);
});
