// Browser E2E of the controls every chart has, on a seeded lab (helpers/seeded-lab.ts, no training): drag-box zoom on
// x and its reset, Shift-drag pan, log-scale y (offered for losses, not for accuracies), the x axis of training curves
// (step / epoch per batch, epoch / wall time per epoch) on the run page and on Compare, and the PNG and CSV downloads.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Download, type Locator, type Page } from '@playwright/test';
import { SCREENSHOT_DIR, snap, watchPage } from '../helpers/page-watch';
import { seedLab } from '../helpers/seeded-lab';
import { startServe, type ServedLab } from '../helpers/serve';

test.describe.configure({ mode: 'serial' });

const NAME = 'e2e-chart-controls';
// seedLab: 3 epochs of 1000 ms each; 4 batch points per epoch at steps 0..11 (batch 0..3 of each epoch)
const PER_EPOCH = 4;
let lab: ServedLab;
let ids: Record<'base' | 'adv', string[]>;
test.beforeAll(async () => {
  lab = await startServe({ prepare: (home) => (ids = seedLab(home, NAME, [0], { batchesPerEpoch: PER_EPOCH })) });
});
test.afterAll(async () => {
  await lab?.stop();
});

const open = (page: Page, hash: string) => page.goto(`${lab.url}${hash}`);
const num = async (figure: Locator, attr: string) => Number(await figure.getAttribute(attr));

/** Drags across the plot's middle from `from` to `to` (fractions of the canvas width), Shift held for a pan. */
async function drag(page: Page, figure: Locator, from: number, to: number, shift = false): Promise<void> {
  const box = (await figure.locator('canvas').boundingBox())!;
  const y = box.y + box.height * 0.4;
  await page.mouse.move(box.x + box.width * from, y);
  if (shift) await page.keyboard.down('Shift');
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * ((from + to) / 2), y, { steps: 4 });
  await page.mouse.move(box.x + box.width * to, y, { steps: 4 });
  await page.mouse.up();
  if (shift) await page.keyboard.up('Shift');
}

async function download(page: Page, button: Locator): Promise<{ file: Download; bytes: Buffer }> {
  const [file] = await Promise.all([page.waitForEvent('download'), button.click()]);
  return { file, bytes: fs.readFileSync(await file.path()) };
}

/** CSV rows (RFC 4180: quoted cells may hold commas); the trailing CRLF gives no row. */
function csvRows(text: string): string[][] {
  return text
    .split('\r\n')
    .filter((l) => l !== '')
    .map((line) => [...line.matchAll(/(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g)].map((m) => (m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!)));
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

test('run page: drag zooms x, Reset zoom restores it, Shift-drag pans; log y for losses only; smoothing keeps both', async ({ page }) => {
  const watch = watchPage(page);
  await open(page, `#/run/${ids.adv[0]}`);
  const loss = page.getByTestId('batch-loss');
  await expect(loss).toHaveAttribute('data-points', String(3 * PER_EPOCH));
  await expect(loss).toHaveAttribute('data-x-min', '0');
  await expect(loss).toHaveAttribute('data-x-max', String(3 * PER_EPOCH - 1));
  await expect(loss).toHaveAttribute('data-zoomed', 'false');
  const reset = loss.getByRole('button', { name: 'Reset zoom' });
  await expect(reset).toBeDisabled();

  await drag(page, loss, 0.3, 0.7);
  await expect(loss).toHaveAttribute('data-zoomed', 'true');
  const [min, max] = [await num(loss, 'data-x-min'), await num(loss, 'data-x-max')];
  expect(min).toBeGreaterThan(0);
  expect(max).toBeLessThan(3 * PER_EPOCH - 1);
  expect(max).toBeGreaterThan(min);
  await snap(page, 'chart-zoomed');

  // Shift-drag to the right pans towards smaller x, keeping the width
  await drag(page, loss, 0.4, 0.6, true);
  await expect.poll(() => num(loss, 'data-x-min')).toBeLessThan(min);
  const [pMin, pMax] = [await num(loss, 'data-x-min'), await num(loss, 'data-x-max')];
  expect(pMax - pMin).toBeCloseTo(max - min, 6);

  // log y on a loss: the zoom stays; smoothing redraws the data and keeps zoom and scale
  const logY = loss.getByRole('button', { name: 'Log y' });
  await expect(logY).toBeEnabled();
  await logY.click();
  await expect(loss).toHaveAttribute('data-y-scale', 'logarithmic');
  await expect(logY).toHaveAttribute('aria-pressed', 'true');
  await expect(loss).toHaveAttribute('data-x-min', String(pMin));
  await page.locator('#smoothing').fill('0.2');
  await expect(loss).toHaveAttribute('data-y-scale', 'logarithmic');
  await expect(loss).toHaveAttribute('data-x-min', String(pMin));
  await expect(loss).toHaveAttribute('data-points', String(3 * PER_EPOCH));

  await reset.click();
  await expect(loss).toHaveAttribute('data-x-min', '0');
  await expect(loss).toHaveAttribute('data-x-max', String(3 * PER_EPOCH - 1));
  await expect(loss).toHaveAttribute('data-zoomed', 'false');
  await expect(reset).toBeDisabled();
  await logY.click();
  await expect(loss).toHaveAttribute('data-y-scale', 'linear');

  // accuracy in [0, 1]: no log scale, and the button says why
  const acc = page.getByTestId('batch-sparse_categorical_accuracy');
  const accLog = acc.getByRole('button', { name: 'Log y' });
  await expect(accLog).toBeDisabled();
  await expect(accLog).toHaveAttribute('title', /accuracies.*\[0, 1\]/);
  await expect(acc).toHaveAttribute('data-y-scale', 'linear');
  expect(watch.problems).toEqual([]);
});

test('run page: the x axis counts steps or epochs per batch, epochs or wall time per epoch (no wall time per batch)', async ({ page }) => {
  const watch = watchPage(page);
  await open(page, `#/run/${ids.adv[0]}`);
  const loss = page.getByTestId('batch-loss');
  await expect(loss).toHaveAttribute('data-points', String(3 * PER_EPOCH));
  const batchAxis = page.getByRole('radiogroup', { name: 'X axis of the per-batch charts' });
  await expect(batchAxis.getByRole('radio', { name: 'Step' })).toHaveAttribute('aria-checked', 'true');
  await expect(batchAxis.getByRole('radio', { name: 'Wall time' })).toBeDisabled();
  await expect(batchAxis.getByRole('radio', { name: 'Wall time' })).toHaveAttribute('title', /no time/);
  await expect(loss).toHaveAttribute('data-points-x-max', '11');

  // zoomed, then a new axis: the chart is drawn again over its whole range
  await drag(page, loss, 0.3, 0.7);
  await expect(loss).toHaveAttribute('data-zoomed', 'true');
  await batchAxis.getByRole('radio', { name: 'Epoch' }).click();
  for (const figure of await page.getByTestId('batch-charts').locator('figure').all()) await expect(figure).toHaveAttribute('data-x-axis', 'epoch');
  // step 11 is batch 3 (0-based in the seeded lab) of epoch 3: 2 + 3/4 epochs
  await expect(loss).toHaveAttribute('data-points-x-min', '0');
  await expect(loss).toHaveAttribute('data-points-x-max', '2.75');
  await expect(loss).toHaveAttribute('data-x-max', '2.75');
  await expect(loss).toHaveAttribute('data-zoomed', 'false');
  await expect(loss).toHaveAttribute('data-points', String(3 * PER_EPOCH));

  const epochLoss = page.getByTestId('epoch-loss');
  await expect(epochLoss).toHaveAttribute('data-x-axis', 'epoch');
  await expect(epochLoss).toHaveAttribute('data-points-x-max', '3');
  await page.getByRole('radiogroup', { name: 'X axis of the per-epoch charts' }).getByRole('radio', { name: 'Wall time' }).click();
  // three epochs of 1000 ms each, summed
  await expect(epochLoss).toHaveAttribute('data-x-axis', 'wall time (s, training only)');
  await expect(epochLoss).toHaveAttribute('data-points-x-min', '1');
  await expect(epochLoss).toHaveAttribute('data-points-x-max', '3');
  await expect(page.getByTestId('epoch-sparse_categorical_accuracy')).toHaveAttribute('data-x-axis', 'wall time (s, training only)');
  await snap(page, 'chart-x-axes');
  expect(watch.problems).toEqual([]);
});

test('run page: PNG is a real PNG, CSV has a header and a row per plotted point on the chosen x axis', async ({ page }) => {
  const watch = watchPage(page);
  await open(page, `#/run/${ids.adv[0]}`);
  const loss = page.getByTestId('batch-loss');
  await expect(loss).toHaveAttribute('data-points', String(3 * PER_EPOCH));

  const png = await download(page, loss.getByRole('button', { name: 'PNG' }));
  expect(png.file.suggestedFilename()).toMatch(/^rlab-.*\.png$/);
  expect([...png.bytes.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
  expect(png.bytes.length).toBeGreaterThan(1000);
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  fs.writeFileSync(path.join(SCREENSHOT_DIR, 'chart-download.png'), png.bytes);

  const csv = await download(page, loss.getByRole('button', { name: 'CSV' }));
  expect(csv.file.suggestedFilename()).toMatch(/^rlab-.*-step\.csv$/);
  const rows = csvRows(csv.bytes.toString('utf8'));
  expect(rows[0]).toEqual(['series', 'step (batch)', 'value (smoothed)', 'value (raw)']);
  expect(rows.length - 1).toBe(await num(loss, 'data-points'));
  expect(rows.slice(1).map((r) => Number(r[1]))).toEqual(Array.from({ length: 3 * PER_EPOCH }, (_, i) => i));

  // on the epoch axis the same rows carry epochs; per epoch on wall time, seconds
  await page.getByRole('radiogroup', { name: 'X axis of the per-batch charts' }).getByRole('radio', { name: 'Epoch' }).click();
  await expect(loss).toHaveAttribute('data-x-axis', 'epoch');
  const onEpoch = csvRows((await download(page, loss.getByRole('button', { name: 'CSV' }))).bytes.toString('utf8'));
  expect(onEpoch[0]![1]).toBe('epoch');
  expect(onEpoch.slice(1).map((r) => Number(r[1]))).toEqual(Array.from({ length: 3 * PER_EPOCH }, (_, i) => i / PER_EPOCH));
  const epochAcc = page.getByTestId('epoch-sparse_categorical_accuracy');
  await page.getByRole('radiogroup', { name: 'X axis of the per-epoch charts' }).getByRole('radio', { name: 'Wall time' }).click();
  await expect(epochAcc).toHaveAttribute('data-x-axis', /^wall time/);
  const timed = csvRows((await download(page, epochAcc.getByRole('button', { name: 'CSV' }))).bytes.toString('utf8'));
  expect(timed[0]).toEqual(['series', 'wall time (s, training only)', 'value']);
  expect(timed.slice(1).map((r) => r[1])).toEqual(['1', '2', '3']);
  expect(timed.length - 1).toBe(await num(epochAcc, 'data-points'));
  expect(watch.problems).toEqual([]);
});

test('Compare: wall time per epoch, epochs per batch, zoom and downloads on accuracy vs ε, no log scale for accuracies', async ({ page }) => {
  const watch = watchPage(page);
  await open(page, `#/compare?runs=${ids.base[0]},${ids.adv[0]}`);
  const curves = page.getByTestId('compare-curves');
  const accuracy = curves.locator('figure', { has: page.locator('figcaption', { hasText: /^Training accuracy$/ }) });
  await expect(accuracy).toHaveAttribute('data-points', '6');
  const axis = page.getByRole('radiogroup', { name: 'X axis of the training curves' });
  await expect(axis.getByRole('radio')).toHaveText(['Epoch', 'Wall time']);
  await axis.getByRole('radio', { name: 'Wall time' }).click();
  await expect(accuracy).toHaveAttribute('data-x-axis', 'wall time (s, training only)');
  await expect(accuracy).toHaveAttribute('data-points-x-max', '3');
  await expect(accuracy).toHaveAttribute('data-points', '6');

  // per batch there is no wall time: the axis falls back to steps; epochs can be picked
  await page.getByRole('radiogroup', { name: 'Granularity' }).getByRole('radio', { name: 'Per batch' }).click();
  await expect(accuracy).toHaveAttribute('data-x-axis', 'step (batch)');
  await expect(axis.getByRole('radio', { name: 'Wall time' })).toBeDisabled();
  await axis.getByRole('radio', { name: 'Epoch' }).click();
  await expect(accuracy).toHaveAttribute('data-x-axis', 'epoch');
  await expect(accuracy).toHaveAttribute('data-points', '24');
  await expect(accuracy).toHaveAttribute('data-points-x-max', '2.75');
  const loss = curves.locator('figure', { has: page.locator('figcaption', { hasText: /^Loss/ }) });
  await loss.getByRole('button', { name: 'Log y' }).click();
  await expect(loss).toHaveAttribute('data-y-scale', 'logarithmic');
  const lossCsv = csvRows((await download(page, loss.getByRole('button', { name: 'CSV' }))).bytes.toString('utf8'));
  expect(lossCsv[0]).toEqual(['series', 'epoch', 'value']);
  expect(lossCsv.length - 1).toBe(await num(loss, 'data-points'));

  // accuracy vs ε: x is ε (no axis choice), zoom and reset, no log scale, downloads
  const eps = page.getByTestId('compare-eps').locator('figure', { hasText: 'FGSM L∞ (solid' });
  await expect(eps).toHaveAttribute('data-x-axis', 'ε');
  await expect(eps).toHaveAttribute('data-x-max', '0.3');
  await expect(eps.getByRole('button', { name: 'Log y' })).toBeDisabled();
  await drag(page, eps, 0.15, 0.6);
  await expect.poll(() => num(eps, 'data-x-max')).toBeLessThan(0.3);
  await eps.getByRole('button', { name: 'Reset zoom' }).click();
  await expect(eps).toHaveAttribute('data-x-max', '0.3');
  await expect(eps).toHaveAttribute('data-x-min', '0');
  const epsPng = await download(page, eps.getByRole('button', { name: 'PNG' }));
  expect([...epsPng.bytes.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
  const epsCsv = csvRows((await download(page, eps.getByRole('button', { name: 'CSV' }))).bytes.toString('utf8'));
  expect(epsCsv[0]!.slice(0, 3)).toEqual(['series', 'ε', 'value']);
  expect(epsCsv.length - 1).toBe(await num(eps, 'data-points'));
  await snap(page, 'chart-controls-compare');
  expect(watch.problems).toEqual([]);
});
