// Browser E2E of what the run, Compare and Gallery pages call things, on a seeded lab (helpers/seeded-lab.ts, no
// training): training accuracy named as such, the x axis of each granularity, gallery captions that say which model
// predicted what and where the attack was crafted, the experiment's notes on its runs' pages, and unsaved run notes
// held back on leaving (in-app links, back, and closing the tab).
import { expect, test, type Page } from '@playwright/test';
import { snap, watchPage } from '../helpers/page-watch';
import { GALLERY_PREDICTIONS, SEEDED_COUNT, seedGalleries, seededCorrect, seedLab } from '../helpers/seeded-lab';
import { startServe, type ServedLab } from '../helpers/serve';

test.describe.configure({ mode: 'serial' });

const NAME = 'e2e-labels';
const NOTES = 'Does multiplier 0.2 hold at ε 0.3?\nSecond line: compare with last week.';
let lab: ServedLab;
let ids: Record<'base' | 'adv', string[]>;
let evals: { baseWhiteBox: number; advTransfer: number };
test.beforeAll(async () => {
  lab = await startServe({
    prepare: (home) => {
      ids = seedLab(home, NAME, [0], { notes: NOTES, batchesPerEpoch: 4, testCurves: true });
      evals = seedGalleries(home, ids);
    },
  });
});
test.afterAll(async () => {
  await lab?.stop();
});

const open = (page: Page, hash: string) => page.goto(`${lab.url}${hash}`);
const base = () => ids.base[0]!;
const adv = () => ids.adv[0]!;

test('training accuracy is named as such, and each chart\'s x axis says whether it counts steps or epochs', async ({ page }) => {
  const watch = watchPage(page);
  await open(page, `#/run/${adv()}`);
  // the per-epoch test accuracy is drawn (dashed) on training accuracy's chart, the test loss on its own
  await expect(page.getByTestId('epoch-sparse_categorical_accuracy').locator('figcaption')).toHaveText('Training accuracy · Test accuracy (clean, first 1,000 test images)');
  await expect(page.getByTestId('epoch-sparse_categorical_accuracy')).toHaveAttribute('data-points', '6');
  await expect(page.getByTestId('epoch-val_accuracy')).toHaveCount(0);
  await expect(page.getByTestId('epoch-val_loss').locator('figcaption')).toHaveText('Test loss (clean cross-entropy, first 1,000 test images)');
  await expect(page.getByTestId('epoch-val_loss')).toHaveAttribute('data-points', '3');
  await expect(page.getByTestId('batch-val_loss')).toHaveCount(0);
  await expect(page.getByTestId('batch-sparse_categorical_accuracy')).toHaveAttribute('data-points', '12');
  await expect(page.getByTestId('batch-sparse_categorical_accuracy')).toHaveAttribute('data-x-axis', 'step (batch)');
  await expect(page.getByTestId('epoch-sparse_categorical_accuracy')).toHaveAttribute('data-x-axis', 'epoch');

  await open(page, `#/compare?runs=${base()},${adv()}`);
  await expect(page.getByTestId('best-last').locator('thead th[title="sparse_categorical_accuracy"]')).toContainText('Training accuracy');
  const curves = page.getByTestId('compare-curves');
  const accuracy = curves.locator('figure', { has: page.locator('figcaption', { hasText: /^Training accuracy$/ }) });
  await expect(accuracy).toHaveAttribute('data-points', '6');
  await expect(accuracy).toHaveAttribute('data-x-axis', 'epoch');
  // Compare draws the test curves per run, on charts of their own
  await expect(curves.locator('figure', { has: page.locator('figcaption', { hasText: /^Test accuracy \(clean, first 1,000 test images\)$/ }) })).toHaveAttribute('data-points', '6');
  // the same charts switch to steps: their axes must follow, not keep the epoch axis they were drawn with
  await page.getByRole('radiogroup', { name: 'Granularity' }).getByRole('radio', { name: 'Per batch' }).click();
  await expect(accuracy).toHaveAttribute('data-points', '24');
  await expect(accuracy).toHaveAttribute('data-x-axis', 'step (batch)');
  for (const figure of await curves.locator('figure').all()) await expect(figure).toHaveAttribute('data-x-axis', 'step (batch)');
  await snap(page, 'compare-per-batch');
  await page.getByRole('radiogroup', { name: 'Granularity' }).getByRole('radio', { name: 'Per epoch' }).click();
  await expect(accuracy).toHaveAttribute('data-x-axis', 'epoch');
  expect(watch.problems).toEqual([]);
});

test('gallery captions give this run\'s clean and adversarial predictions, the other run\'s, and where the attack was crafted', async ({ page }) => {
  const watch = watchPage(page);
  const wb = GALLERY_PREDICTIONS.baseWhiteBox;
  // the base run's own attack: its prediction is white-box, the adv run's on the same images a transfer from it
  await open(page, `#/gallery?run=${base()}`);
  const pane = page.getByTestId('gallery-pane');
  await expect(pane.getByTestId('gallery-crafted')).toHaveText('Adversarial images crafted on this run (white-box attack).');
  await expect(pane.getByTestId('gallery-legend')).toContainText(`"adv": ${NAME} · adv on the same adversarial image (transfer)`);
  const first = pane.getByTestId('gallery-grid').locator('figure').first();
  await expect(first.locator('figcaption')).toHaveText(`0 / ${wb.base[0][0]}→${wb.base[0][1]} / adv ${wb.adv[0][1]}`);
  await expect(first.locator('figcaption .wrong')).toHaveText(['3']);
  await expect(first).toHaveAttribute('title', /this run on the adversarial image: 3 \(white-box: the attack was crafted on it\)/);
  await expect(first).toHaveAttribute('title', new RegExp(`${NAME} · adv on the same adversarial image: 0 \\(transfer: the attack was crafted on this run`));
  await snap(page, 'gallery-captions-white-box');

  // the adv run's transfer from the base run: its prediction is the transfer, the base run's the white-box one
  const tr = GALLERY_PREDICTIONS.advTransfer;
  await open(page, `#/gallery?run=${adv()}&eval=${evals.advTransfer}`);
  await expect(pane.getByTestId('gallery-crafted')).toHaveText(`Adversarial images crafted on ${NAME} · base and shown to this run (transfer attack).`);
  await expect(pane.getByTestId('gallery-legend')).toContainText(`"base": ${NAME} · base on the same adversarial image (white-box)`);
  const second = pane.getByTestId('gallery-grid').locator('figure').nth(1);
  await expect(second.locator('figcaption')).toHaveText(`1 / ${tr.adv[1][0]}→${tr.adv[1][1]} / base ${tr.base[1][1]}`);
  await expect(second).toHaveAttribute('title', new RegExp(`this run on the adversarial image: 7 \\(transfer: the attack was crafted on ${NAME} · base\\)`));
  await expect(second).toHaveAttribute('title', new RegExp(`${NAME} · base on the same adversarial image: 1 \\(white-box: the attack was crafted on it`));
  await snap(page, 'gallery-captions-transfer');
  expect(watch.problems).toEqual([]);
});

test('a run page shows per-class accuracy and the confusion matrix, clean and under a chosen attack', async ({ page }) => {
  const watch = watchPage(page);
  await open(page, `#/run/${adv()}`);
  const panel = page.getByTestId('confusion-panel');
  const clean = panel.getByTestId('confusion-clean');
  const cleanCorrect = seededCorrect('adv', 0, 'clean', 0);
  await expect(clean.locator('table')).toHaveAttribute('data-total', String(SEEDED_COUNT));
  await expect(clean.locator('table')).toHaveAttribute('data-diagonal', String(cleanCorrect));
  // 10 classes: rows are true classes (example i is of class i mod 10), the diagonal highlighted
  await expect(clean.getByTestId('confusion-row')).toHaveCount(10);
  await expect(clean.getByTestId('row-total')).toHaveText(['7', '7', '7', '7', '6', '6', '6', '6', '6', '6']);
  await expect(clean.getByTestId('matrix-total')).toHaveText(String(SEEDED_COUNT));
  await expect(clean.locator('td.diag')).toHaveCount(10);
  // the first 62 examples are right: classes 2 and 3 lose their 7th (examples 62 and 63)
  expect(cleanCorrect).toBe(62);
  await expect(clean.getByTestId('class-accuracy')).toHaveText(['100.0%', '100.0%', '85.7%', '85.7%', '100.0%', '100.0%', '100.0%', '100.0%', '100.0%', '100.0%']);
  await expect(clean).toContainText(`${cleanCorrect} of ${SEEDED_COUNT} classified correctly`);

  // the first attack by default; another one when picked
  const attack = panel.getByTestId('confusion-attack');
  await expect(attack.locator('table')).toHaveAttribute('data-diagonal', String(seededCorrect('adv', 0, 'fgsm', 0.1)));
  const pick = panel.getByTestId('confusion-pick');
  const labels = await pick.locator('option').allTextContents();
  const pgd = labels.find((l) => /^PGD/.test(l) && l.includes('ε 0.3') && l.includes('white-box'))!;
  await pick.selectOption({ label: pgd });
  await expect(attack.locator('h3')).toHaveText(pgd);
  await expect(attack.locator('table')).toHaveAttribute('data-diagonal', String(seededCorrect('adv', 0, 'pgd', 0.3)));
  await expect(attack.getByTestId('matrix-total')).toHaveText(String(SEEDED_COUNT));
  await snap(page, 'run-confusion');
  expect(watch.problems).toEqual([]);
});

test('a run page shows its experiment\'s notes', async ({ page }) => {
  await open(page, `#/run/${base()}`);
  const notes = page.getByTestId('experiment-notes');
  await expect(notes).toContainText('Experiment notes');
  await expect(notes.locator('.experiment-notes')).toHaveText(NOTES);
  await open(page, `#/run/${adv()}`);
  await expect(page.getByTestId('experiment-notes').locator('.experiment-notes')).toHaveText(NOTES);
});

test('unsaved run notes are not lost on leaving: links and back ask first, closing the tab triggers beforeunload', async ({ page }) => {
  const watch = watchPage(page);
  await open(page, `#/run/${base()}`);
  await page.getByRole('link', { name: 'Open adv run' }).click();
  await expect(page).toHaveURL(new RegExp(`#/run/${adv()}$`));
  const notes = page.getByLabel('Notes', { exact: true });
  await notes.click();
  await notes.fill('half-written thought');
  const dialog = page.getByRole('dialog', { name: 'Leave without saving?' });

  // an in-app link: held, and "stay" keeps the page and the text
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Experiments' }).click();
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('notes');
  await snap(page, 'unsaved-notes-dialog');
  await dialog.getByRole('button', { name: 'Stay on this page' }).click();
  await expect(dialog).toBeHidden();
  await expect(page).toHaveURL(new RegExp(`#/run/${adv()}$`));
  await expect(notes).toHaveValue('half-written thought');

  // the browser's back button: the address is put back while the person chooses
  await page.goBack();
  await expect(dialog).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`#/run/${adv()}$`));
  await dialog.getByRole('button', { name: 'Stay on this page' }).click();
  await expect(notes).toHaveValue('half-written thought');

  // closing or reloading the tab: the page cancels unloading, so the browser asks
  const cancelled = await page.evaluate(() => {
    const e = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(e);
    return e.defaultPrevented;
  });
  expect(cancelled).toBe(true);

  // leaving on purpose goes where the link pointed
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Experiments' }).click();
  await dialog.getByRole('button', { name: 'Leave without saving' }).click();
  await expect(page).toHaveURL(/#\/experiments$/);
  await expect(page.getByTestId('runs-table')).toBeVisible();

  // saved notes let the page go without a word, and nothing cancels unloading
  await open(page, `#/run/${adv()}`);
  await notes.fill('kept');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save' })).toBeDisabled();
  await page.getByRole('link', { name: 'Open base run' }).click();
  await expect(page).toHaveURL(new RegExp(`#/run/${base()}$`));
  await expect(dialog).toBeHidden();
  const stillCancelled = await page.evaluate(() => {
    const e = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(e);
    return e.defaultPrevented;
  });
  expect(stillCancelled).toBe(false);

  // and a real close with unsaved edits brings up the browser's own prompt
  await notes.click();
  await notes.fill('unsaved again');
  const prompt = page.waitForEvent('dialog');
  await page.close({ runBeforeUnload: true });
  const d = await prompt;
  expect(d.type()).toBe('beforeunload');
  await d.accept();
  expect(watch.problems).toEqual([]);
});
