// Browser E2E of the deeper gallery on a seeded lab (helpers/seeded-lab.ts + seeded-gallery.ts, no training): paging
// covers the whole 64-example test subset, an enlarged image lists every class's confidence (summing to 1) and the
// perturbation's norms, three runs side by side show the same indices page after page, and the
// fooled-in-one-not-the-other filter shows exactly the examples one mask has wrong and the other right.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { snap, watchPage } from '../helpers/page-watch';
import { DEEP_MASKS, deepChanged, seedDeepGalleries } from '../helpers/seeded-gallery';
import { SEEDED_COUNT, seedGalleries, seedLab } from '../helpers/seeded-lab';
import { startServe, type ServedLab } from '../helpers/serve';

test.describe.configure({ mode: 'serial' });

let lab: ServedLab;
let runs: string[];
let evals: number[];
test.beforeAll(async () => {
  lab = await startServe({
    prepare: (home) => {
      const ids = seedLab(home, 'e2e-depth', [0, 1]);
      seedGalleries(home, ids);
      const chosen = [{ runId: ids.base[0]!, role: 'base' as const }, { runId: ids.adv[0]!, role: 'adv' as const }, { runId: ids.base[1]!, role: 'base' as const }];
      runs = chosen.map((c) => c.runId);
      evals = seedDeepGalleries(home, chosen);
    },
  });
});
test.afterAll(async () => {
  await lab?.stop();
});

const open = (page: Page, hash: string) => page.goto(`${lab.url}${hash}`);
const panesHash = (n: number) => `#/gallery?${Array.from({ length: n }, (_, i) => (i === 0 ? `run=${runs[0]}&eval=${evals[0]}` : `run${i + 1}=${runs[i]}&eval${i + 1}=${evals[i]}`)).join('&')}`;
const indicesOf = async (grid: Locator): Promise<number[]> => (await grid.locator('figure').evaluateAll((fs) => fs.map((f) => Number(f.getAttribute('data-index')))));
const pager = (page: Page) => page.getByTestId('gallery-pager');

/** Every page's indices in the first pane, clicking Next until the last page. */
async function allPages(page: Page): Promise<number[]> {
  const seen: number[] = [];
  const pages = Number(await pager(page).getAttribute('data-pages'));
  for (let p = 0; p < pages; p++) {
    await expect(pager(page)).toHaveAttribute('data-page', String(p));
    const grid = page.getByTestId('gallery-grid').first();
    await expect(grid.locator('figure').first()).toBeVisible();
    seen.push(...(await indicesOf(grid)));
    if (p < pages - 1) await page.getByRole('button', { name: 'Next page' }).click();
  }
  return seen;
}

test('paging changes the shown indices and covers the whole scored subset', async ({ page }) => {
  const watch = watchPage(page);
  await open(page, panesHash(1));
  await expect(pager(page)).toHaveAttribute('data-count', String(SEEDED_COUNT));
  await expect(page.getByTestId('gallery-page-label')).toHaveText('Page 1 of 4');
  const grid = page.getByTestId('gallery-grid');
  await expect(grid.locator('figure')).toHaveCount(16);
  expect(await indicesOf(grid)).toEqual(Array.from({ length: 16 }, (_, i) => i));
  await page.getByRole('button', { name: 'Next page' }).click();
  await expect(page.getByTestId('gallery-page-label')).toHaveText('Page 2 of 4');
  await expect(grid.locator('figure').first()).toHaveAttribute('data-index', '16');
  await page.getByRole('button', { name: 'Previous page' }).click();
  await expect(grid.locator('figure').first()).toHaveAttribute('data-index', '0');
  expect(await allPages(page)).toEqual(Array.from({ length: SEEDED_COUNT }, (_, i) => i));
  // the last page is past the 40 stored images: its tiles carry the mask bit only
  await expect(grid.locator('figure[data-stored="false"]')).toHaveCount(16);
  await expect(grid.locator('figure').first()).toHaveAttribute('data-correct', String(DEEP_MASKS[0]!(48)));
  await snap(page, 'gallery-depth-paging');
  await page.getByLabel('Per page').selectOption('64');
  await expect(grid.locator('figure')).toHaveCount(SEEDED_COUNT);
  await expect(page.getByTestId('gallery-page-label')).toHaveText('Page 1 of 1');
  expect(watch.problems).toEqual([]);
});

test('an enlarged image lists every class\'s confidence, clean and adversarial, and the perturbation\'s norms', async ({ page }) => {
  const watch = watchPage(page);
  await open(page, panesHash(1));
  const index = 3;
  await page.getByRole('button', { name: `Enlarge test image ${index}` }).click();
  const dialog = page.getByTestId('gallery-enlarge');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('heading', { level: 2 })).toHaveText(`Test image ${index} · true label ${index}`);
  const rows = dialog.getByTestId('confidence-row');
  await expect(rows).toHaveCount(10);
  const values = await rows.evaluateAll((rs) => rs.map((r) => [Number(r.getAttribute('data-clean')), Number(r.getAttribute('data-adversarial'))]));
  expect(values.reduce((s, v) => s + v[0]!, 0)).toBeCloseTo(1, 5);
  expect(values.reduce((s, v) => s + v[1]!, 0)).toBeCloseTo(1, 5);
  expect(values[index]![0]).toBeCloseTo(0.91, 5);
  await expect(dialog.getByTestId('norm-linf')).toHaveText('0.2000');
  await expect(dialog.getByTestId('norm-l2')).toHaveText((0.2 * Math.sqrt(deepChanged(index))).toFixed(4));
  await snap(page, 'gallery-depth-enlarge');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  expect(watch.problems).toEqual([]);
});

test('three runs side by side show the same indices, page after page', async ({ page }) => {
  const watch = watchPage(page);
  await open(page, panesHash(3));
  await expect(page.getByTestId('gallery-pane')).toHaveCount(3);
  const grids = page.getByTestId('gallery-grid');
  await expect(grids).toHaveCount(3);
  for (let p = 0; p < 2; p++) {
    await expect(pager(page)).toHaveAttribute('data-page', String(p));
    await expect(grids.nth(2).locator('figure')).toHaveCount(16);
    const expected = Array.from({ length: 16 }, (_, i) => 16 * p + i);
    for (let g = 0; g < 3; g++) expect(await indicesOf(grids.nth(g))).toEqual(expected);
    // each pane's mark is its own run's mask bit on the same example
    for (let g = 0; g < 3; g++) {
      const marks = await grids.nth(g).locator('figure').evaluateAll((fs) => fs.map((f) => f.getAttribute('data-correct')));
      expect(marks).toEqual(expected.map((i) => String(DEEP_MASKS[g]!(i))));
    }
    if (p === 0) await snap(page, 'gallery-depth-three-runs');
    await page.getByRole('button', { name: 'Next page' }).click();
  }
  expect(watch.problems).toEqual([]);
});

test('"fooled in one, not the other" shows exactly the examples one mask has wrong and the other right', async ({ page }) => {
  const watch = watchPage(page);
  await open(page, panesHash(2));
  await expect(page.getByTestId('gallery-grid')).toHaveCount(2);
  await page.getByRole('radio', { name: 'Fooled in one, not the other' }).click();
  await page.getByLabel('Fooled in', { exact: true }).selectOption({ label: 'Run 1' });
  await page.getByLabel('Still right in').selectOption({ label: 'Run 2' });
  const expected = Array.from({ length: SEEDED_COUNT }, (_, i) => i).filter((i) => !DEEP_MASKS[0]!(i) && DEEP_MASKS[1]!(i));
  await expect(pager(page)).toHaveAttribute('data-total', String(expected.length));
  const grid = page.getByTestId('gallery-grid').first();
  await expect(grid.locator('figure')).toHaveCount(Math.min(16, expected.length));
  await snap(page, 'gallery-depth-fooled-one-not-other');
  expect(await allPages(page)).toEqual(expected);
  // the other way round
  await page.getByLabel('Fooled in', { exact: true }).selectOption({ label: 'Run 2' });
  await page.getByLabel('Still right in').selectOption({ label: 'Run 1' });
  const reverse = Array.from({ length: SEEDED_COUNT }, (_, i) => i).filter((i) => !DEEP_MASKS[1]!(i) && DEEP_MASKS[0]!(i));
  await expect(pager(page)).toHaveAttribute('data-total', String(reverse.length));
  expect(await allPages(page)).toEqual(reverse);
  expect(watch.problems).toEqual([]);
});
