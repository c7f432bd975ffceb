// Browser E2E of the keyboard shortcuts and of layouts that fit narrow windows, on a seeded lab (helpers/seeded-lab.ts,
// no training) behind a real `rlab serve`: every shortcut of the table (lib/shortcuts.ts) navigates or focuses as it
// says, `?` lists every one of them in an overlay that Escape closes, keys typed into a field stay in the field; and at
// 1,024×768 and 800×700 no page scrolls sideways (New experiment with the Defences preset, Experiments, a run,
// Gallery, Export) and New experiment's Start button lies within the window's width.
import { expect, test, type Page } from '@playwright/test';
import { keysText, SHORTCUTS } from '../../../src/renderer/src/lib/shortcuts';
import { snap, watchPage } from '../helpers/page-watch';
import { seedGalleries, seedLab } from '../helpers/seeded-lab';
import { startServe, type ServedLab } from '../helpers/serve';

test.describe.configure({ mode: 'serial' });

const NAME = 'e2e-shortcuts';
let lab: ServedLab;
let ids: Record<'base' | 'adv', string[]>;
test.beforeAll(async () => {
  lab = await startServe({
    prepare: (home) => {
      ids = seedLab(home, NAME, [0], { batchesPerEpoch: 4 });
      seedGalleries(home, ids);
    },
  });
});
test.afterAll(async () => {
  await lab?.stop();
});

const open = (page: Page, hash: string) => page.goto(`${lab.url}${hash}`);
const search = (page: Page) => page.getByRole('searchbox', { name: 'Search runs' });
const helpDialog = (page: Page) => page.getByRole('dialog', { name: 'Keyboard shortcuts' });

/** The page the header's navigation marks as current, and the address (a page may add its own query, as Gallery does). */
async function expectOn(page: Page, hash: string, navLabel: string): Promise<void> {
  await expect(page).toHaveURL(new RegExp(`#${hash.slice(1).replace(/\//g, '\\/')}(\\?.*)?$`));
  await expect(page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: navLabel, exact: true })).toHaveAttribute('aria-current', 'page');
}

async function keys(page: Page, ...ks: string[]): Promise<void> {
  for (const k of ks) await page.keyboard.press(k);
}

test('each shortcut of the table navigates or focuses as it says', async ({ page }) => {
  const watch = watchPage(page);
  await open(page, `#/run/${ids.adv[0]}`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(NAME);

  await keys(page, 'g', 'e');
  await expectOn(page, '#/experiments', 'Experiments');
  await expect(page.getByRole('heading', { name: 'Experiments', level: 1 })).toBeVisible();
  await keys(page, 'g', 'c');
  await expectOn(page, '#/compare', 'Compare');
  await keys(page, 'g', 'n');
  await expectOn(page, '#/new', 'New experiment');
  await expect(page.getByRole('heading', { name: 'New experiment', level: 1 })).toBeVisible();
  await keys(page, 'g', 'g');
  await expectOn(page, '#/gallery', 'Gallery');
  // Gallery picks its run and evaluation into the address once loaded: let it settle (it would pull a quicker
  // navigation back to itself)
  await expect(page).toHaveURL(/#\/gallery\?run=[^&]+&eval=\d+$/);
  await expect(page.getByTestId('gallery-grid').locator('figure').first()).toBeVisible();

  // `/` from another page opens Experiments and focuses its search box, without typing itself into it
  await keys(page, '/');
  await expectOn(page, '#/experiments', 'Experiments');
  await expect(search(page)).toBeFocused();
  await expect(search(page)).toHaveValue('');
  // on Experiments itself, from elsewhere on the page
  await page.getByRole('heading', { name: 'Experiments', level: 1 }).click();
  await expect(search(page)).not.toBeFocused();
  await keys(page, '/');
  await expect(search(page)).toBeFocused();
  await page.keyboard.type('base');
  await expect(page.getByRole('link', { name: `${NAME} · base` })).toBeVisible();
  await expect(page.getByRole('link', { name: `${NAME} · adv` })).toHaveCount(0);

  // a sequence's second key must come soon after its first
  await open(page, '#/new');
  await page.keyboard.press('g');
  await page.waitForTimeout(1_500);
  await page.keyboard.press('e');
  await page.waitForTimeout(300);
  await expectOn(page, '#/new', 'New experiment');
  expect(watch.problems).toEqual([]);
});

test('? lists every shortcut of the table in a dialog that Escape closes; the header\'s ? button opens it too', async ({ page }) => {
  const watch = watchPage(page);
  await open(page, '#/experiments');
  await expect(search(page)).toBeVisible();
  await expect(helpDialog(page)).toBeHidden();
  await keys(page, '?');
  const dialog = helpDialog(page);
  await expect(dialog).toBeVisible();
  const rows = dialog.getByTestId('shortcut-row');
  await expect(rows).toHaveCount(SHORTCUTS.length);
  for (const [i, s] of SHORTCUTS.entries()) {
    await expect(rows.nth(i).locator('td').first()).toHaveText(keysText(s.keys));
    await expect(rows.nth(i).locator('td').nth(1)).toHaveText(s.description);
  }
  await snap(page, 'shortcut-help');
  // the modal has the keyboard: a shortcut pressed under it does nothing
  await keys(page, 'g', 'n');
  await expectOn(page, '#/experiments', 'Experiments');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  // discoverable without knowing the key
  const button = page.getByRole('button', { name: 'Keyboard shortcuts' });
  await expect(button).toHaveAttribute('title', /press \?/);
  await button.click();
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
  // and once more by key after closing with the button
  await keys(page, '?');
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  expect(watch.problems).toEqual([]);
});

test('keys typed into a text field, a textarea or the search box stay there', async ({ page }) => {
  const watch = watchPage(page);
  await open(page, '#/new');
  const name = page.getByLabel('Name', { exact: true });
  await name.fill('');
  await name.focus();
  await page.keyboard.type('g e/?gg');
  await page.waitForTimeout(300);
  await expect(name).toHaveValue('g e/?gg');
  await expectOn(page, '#/new', 'New experiment');
  await expect(helpDialog(page)).toBeHidden();

  const notes = page.getByLabel('Notes');
  await notes.focus();
  await keys(page, 'g', 'c');
  await expect(notes).toHaveValue('gc');
  await expectOn(page, '#/new', 'New experiment');

  await open(page, '#/experiments');
  await search(page).focus();
  await keys(page, 'g', 'e', '/', '?');
  await expect(search(page)).toHaveValue('ge/?');
  await expect(helpDialog(page)).toBeHidden();
  // leaving the field gives the keys back to the shortcuts
  await page.getByRole('heading', { name: 'Experiments', level: 1 }).click();
  await keys(page, 'g', 'n');
  await expectOn(page, '#/new', 'New experiment');
  expect(watch.problems).toEqual([]);
});

async function noSidewaysScroll(page: Page, what: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
  expect(scrollWidth, `${what} scrolls sideways at ${clientWidth} px`).toBeLessThanOrEqual(clientWidth);
}

for (const viewport of [{ width: 1024, height: 768 }, { width: 800, height: 700 }]) {
  test(`at ${viewport.width}×${viewport.height} no page scrolls sideways, and Start is within the window`, async ({ page }) => {
    const watch = watchPage(page);
    await page.setViewportSize(viewport);
    await open(page, '#/new');
    await page.getByRole('radio', { name: 'Defences', exact: true }).click();
    await expect(page.getByTestId('defence-picker').getByTestId('defence-entry')).toHaveCount(6);
    await noSidewaysScroll(page, 'New experiment with the Defences preset');
    const start = page.getByTestId('start');
    await expect(start).toBeVisible();
    const box = (await start.boundingBox())!;
    expect(box.x, 'Start starts inside the window').toBeGreaterThanOrEqual(0);
    expect(box.x + box.width, 'Start ends inside the window').toBeLessThanOrEqual(viewport.width);
    await snap(page, `layout-new-${viewport.width}`);

    await open(page, '#/experiments');
    await expect(page.getByRole('link', { name: `${NAME} · adv` })).toBeVisible();
    await noSidewaysScroll(page, 'Experiments');

    await open(page, `#/run/${ids.adv[0]}`);
    await expect(page.getByRole('heading', { level: 1 })).toContainText(NAME);
    await noSidewaysScroll(page, 'the run page');

    await open(page, `#/gallery?run=${ids.base[0]}`);
    await expect(page.getByTestId('gallery-grid').locator('figure').first()).toBeVisible();
    await noSidewaysScroll(page, 'Gallery');

    await open(page, `#/export?run=${ids.adv[0]}`);
    await expect(page.getByRole('heading', { name: 'Export', level: 1 })).toBeVisible();
    await noSidewaysScroll(page, 'Export');
    expect(watch.problems).toEqual([]);
  });
}

for (const viewport of [{ width: 1440, height: 900 }, { width: 1024, height: 768 }]) {
  test(`at ${viewport.width}×${viewport.height} the run page's evaluations table shows every column without scrolling inside its box`, async ({ page }) => {
    await page.setViewportSize(viewport);
    await open(page, `#/run/${ids.adv[0]}`);
    const table = page.getByTestId('evaluations');
    await expect(table.locator('tbody tr').first()).toBeVisible();
    const { tableWidth, boxWidth } = await table.evaluate((t) => ({ tableWidth: t.scrollWidth, boxWidth: t.parentElement!.clientWidth }));
    expect(tableWidth, `the evaluations table is ${tableWidth} px in a ${boxWidth} px box`).toBeLessThanOrEqual(boxWidth);
    await snap(page, `layout-run-evaluations-${viewport.width}`);
  });
}
