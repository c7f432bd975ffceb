// Browser E2E against a real `rlab serve`: the form (validation, quick experiment), live training, Compare,
// Gallery, Export (re-loaded with tfjs) — one lab, tests in order, screenshots of every page in test-results/.
import { expect, test, type Page } from '@playwright/test';
import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ExperimentConfigSchema } from '../../../src/shared/schemas';
import { describeIssue } from '../../../src/shared/validate';
import { startServe, type ServedLab } from '../helpers/serve';
import { snap, watchPage } from '../helpers/page-watch';
import { loadExportedModel } from '../helpers/tfjs-model';

test.describe.configure({ mode: 'serial' });

let lab: ServedLab;
const runs = { base: '', adv: '' };

test.beforeAll(async () => {
  lab = await startServe();
});
test.afterAll(async () => {
  await lab?.stop();
});

const open = (page: Page, hash: string) => page.goto(`${lab.url}${hash}`);

/** The message the shared schema gives for a config with one change: what the form must show verbatim. */
function schemaMessage(change: (c: Record<string, unknown>) => void): string {
  const input = structuredClone(ExperimentConfigSchema.parse({})) as unknown as Record<string, unknown>;
  change(input);
  const r = ExperimentConfigSchema.safeParse(input);
  if (r.success) throw new Error('the changed config is unexpectedly valid');
  return describeIssue(r.error.issues[0]!, input).message;
}

test('the form shows the schema messages for bad values and does not start', async ({ page }) => {
  const watch = watchPage(page);
  await open(page, '#/new');
  await page.getByLabel('Epochs', { exact: true }).fill('0');
  await expect(page.locator('#f-hparams-epochs-error')).toHaveText(schemaMessage((c) => ((c.hparams as { epochs: number }).epochs = 0)));
  await page.getByLabel('Learning rate').fill('-1');
  await expect(page.locator('#f-hparams-learningRate-error')).toHaveText(schemaMessage((c) => ((c.hparams as { learningRate: number }).learningRate = -1)));
  await page.getByLabel('Attack 1 epsilons').fill('0.1, 2');
  const epsMessage = schemaMessage((c) => (c.attacks = [{ attack: 'fgsm', epsilons: [0.1, 2] }]));
  await expect(page.getByText(epsMessage)).toBeVisible();
  await page.getByLabel('base', { exact: true }).uncheck();
  await page.getByLabel('adversarially regularized').uncheck();
  await expect(page.locator('#f-runs-error')).toHaveText(schemaMessage((c) => (c.runs = [])));
  await expect(page.getByRole('radio', { name: 'Custom' })).toHaveAttribute('aria-checked', 'true');
  await page.getByTestId('start').click();
  await expect(page.getByTestId('error-count')).toHaveText('4 fields to fix');
  await expect(page).toHaveURL(/#\/new$/);
  await snap(page, 'new-experiment-invalid');
  expect(watch.problems).toEqual([]);
});

/** Writes an IDX pair (MNIST's file format) of `count` 28×28 images with labels 0–9 in turn. */
function writeIdx(dir: string, count: number): { images: string; labels: string } {
  const images = Buffer.alloc(16 + count * 784);
  images.writeUInt32BE(0x00000803, 0);
  images.writeUInt32BE(count, 4);
  images.writeUInt32BE(28, 8);
  images.writeUInt32BE(28, 12);
  for (let i = 0; i < count; i++) images.fill((i * 37) % 256, 16 + i * 784 + 300, 16 + i * 784 + 480);
  const labels = Buffer.alloc(8 + count);
  labels.writeUInt32BE(0x00000801, 0);
  labels.writeUInt32BE(count, 4);
  for (let i = 0; i < count; i++) labels[8 + i] = i % 10;
  const out = { images: path.join(dir, 'images-idx3-ubyte'), labels: path.join(dir, 'labels-idx1-ubyte') };
  fs.writeFileSync(out.images, images);
  fs.writeFileSync(out.labels, labels);
  return out;
}

test('an IDX pair imported from the form becomes the selected dataset', async ({ page }) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlab-idx-'));
  try {
    const files = writeIdx(dir, 40);
    await open(page, '#/new');
    await page.getByText('Import a dataset').click();
    await page.getByLabel('Dataset name').fill('e2e digits');
    await page.getByLabel('Images file (path on the lab machine)').fill(files.images);
    await page.getByLabel('Labels file').fill(files.labels);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const select = page.locator('#f-data-dataset');
    await expect(select).toHaveValue(/^imported:/);
    await expect(select.locator('option:checked')).toContainText('40 images');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a quick experiment from the form trains with live charts and completes', async ({ page }) => {
  const watch = watchPage(page);
  await open(page, '#/new');
  await page.getByRole('radio', { name: 'Quick' }).click();
  await page.getByLabel('Name', { exact: true }).fill('e2e-quick');
  // big enough that training lasts several progress intervals even on a quiet machine (the live chart must move)
  await page.getByLabel('Train images').fill('3072');
  await page.getByLabel('Test images', { exact: true }).fill('128');
  await page.getByLabel('Conv filters').fill('16, 32');
  await page.getByLabel('Dense units').fill('16');
  await page.getByLabel('Batch size').fill('16');
  await page.getByLabel('Epochs', { exact: true }).fill('2');
  // the FGSM attacks (white-box and transfer) feed the gallery and curves below; PGD and AutoAttack are tested elsewhere
  const removers = page.getByRole('button', { name: /^Remove attack \d+$/ });
  for (let n = await removers.count(); n > 2; n--) await page.getByRole('button', { name: `Remove attack ${n}` }).click();
  await snap(page, 'new-experiment');
  await page.getByTestId('start').click();
  await page.waitForURL(/#\/run\/run_/);
  runs.base = decodeURIComponent(page.url().split('#/run/')[1]!);
  await expect(page.getByTestId('run-title')).toContainText('base');

  // Record every change of the page while the run trains (a MutationObserver misses nothing, unlike polling):
  // the batch-loss chart must gain points while the status still says running.
  await page.evaluate(() => {
    const log: { status: string; points: number; cancel: boolean }[] = [];
    (window as unknown as { __live: typeof log }).__live = log;
    new MutationObserver(() => {
      const status = document.querySelector('[data-testid="run-status"]')?.textContent?.trim().toLowerCase() ?? '';
      const points = Number(document.querySelector('[data-testid="batch-loss"]')?.getAttribute('data-points') ?? 0);
      const cancel = document.querySelector('[data-testid="cancel"]') !== null;
      const last = log.at(-1);
      if (!last || last.status !== status || last.points !== points || last.cancel !== cancel) log.push({ status, points, cancel });
    }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
  await expect(page.getByTestId('run-status')).toHaveText(/completed/i, { timeout: 150_000 });
  const live = await page.evaluate(() => (window as unknown as { __live: { status: string; points: number; cancel: boolean }[] }).__live);
  const whileRunning = live.filter((s) => s.status === 'running' && s.points > 0).map((s) => s.points);
  expect(live.some((s) => (s.status === 'running' || s.status === 'queued') && s.cancel)).toBe(true);
  await expect(page.getByTestId('cancel')).toHaveCount(0);
  expect(new Set(whileRunning).size).toBeGreaterThanOrEqual(2);
  expect(Math.max(...whileRunning)).toBeGreaterThan(whileRunning[0]!);
  // 2 epochs of training accuracy and, overlaid, of test accuracy
  await expect(page.getByTestId('epoch-sparse_categorical_accuracy')).toHaveAttribute('data-points', '4');
  await expect(page.getByTestId('evaluations')).toBeVisible();
  await snap(page, 'run-base');

  await page.getByRole('link', { name: 'Open adv run' }).click();
  await page.waitForURL(/#\/run\/run_/);
  runs.adv = decodeURIComponent(page.url().split('#/run/')[1]!);
  expect(runs.adv).not.toBe(runs.base);
  await expect(page.getByTestId('run-status')).toHaveText(/completed/i, { timeout: 150_000 });
  await expect(page.getByTestId('accuracy-vs-eps')).not.toHaveAttribute('data-points', '0');
  await snap(page, 'run-adv');
  expect(watch.problems).toEqual([]);
});

test('tags and notes edited on the run page are saved', async ({ page }) => {
  await open(page, `#/run/${runs.adv}`);
  await page.getByLabel('Add tag').fill('robust');
  await page.getByLabel('Add tag').press('Enter');
  await expect(page.getByTestId('tag-editor')).toContainText('robust');
  await page.getByLabel('Notes', { exact: true }).fill('multiplier 0.2 holds up better at ε 0.2');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('tag-editor')).toContainText('robust');
  await expect(page.getByLabel('Notes', { exact: true })).toHaveValue('multiplier 0.2 holds up better at ε 0.2');
  await open(page, '#/experiments');
  await page.getByLabel('Filter by tag').selectOption('robust');
  await expect(page.getByTestId('runs-table').locator('tbody tr')).toHaveCount(1);
});

test('the experiments table compares the two runs, "diff only" hides equal rows, CSV exports them', async ({ page }) => {
  const watch = watchPage(page);
  await open(page, '#/experiments');
  const table = page.getByTestId('runs-table');
  await expect(table.locator('tbody tr')).toHaveCount(2);
  await expect(table.locator('[data-status="completed"]')).toHaveCount(2);
  await page.getByLabel('Search runs').fill('adv');
  await expect(table.locator('tbody tr')).toHaveCount(1);
  await page.getByLabel('Search runs').fill('');
  await snap(page, 'experiments');

  await table.locator(`tr[data-run-id="${runs.base}"] input[type=checkbox]`).check();
  await table.locator(`tr[data-run-id="${runs.adv}"] input[type=checkbox]`).check();
  await page.getByTestId('compare-selected').click();
  await page.waitForURL(/#\/compare\?runs=/);
  const params = page.getByTestId('param-table');
  await expect(params.locator('tr[data-param="hparams.epochs"]')).toBeVisible();
  const all = await params.locator('tbody tr').count();
  await page.getByTestId('diff-only').check();
  await expect(params.locator('tr[data-param="hparams.epochs"]')).toHaveCount(0);
  await expect(params.locator('tr[data-param="role"]')).toBeVisible();
  await expect(params.locator('tr[data-param="advReg.multiplier"]')).toBeVisible();
  const differing = await params.locator('tbody tr').count();
  expect(differing).toBeLessThan(all);
  expect(await params.locator('tbody tr.differs').count()).toBe(differing);
  await expect(page.getByTestId('compare-curves')).toBeVisible();
  await snap(page, 'compare');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  const csv = fs.readFileSync(await download.path(), 'utf8');
  expect(csv.split('\r\n')[0]).toBe('run_id,run_name,role,section,name,epoch,attack,norm,epsilon,steps,source_run_id,value');
  expect(csv).toContain(`${runs.base},`);
  expect(csv).toContain(`${runs.adv},`);
  expect(csv).toMatch(/,evaluation,accuracy,/);
  expect(watch.problems).toEqual([]);
});

test('the gallery finds fooled images and shows two runs side by side', async ({ page }) => {
  const watch = watchPage(page);
  await open(page, `#/gallery?run=${runs.base}`);
  const grid = page.getByTestId('gallery-grid').first();
  await expect(grid.locator('figure').first()).toBeVisible();
  await page.getByRole('radio', { name: 'Fooled base' }).click();
  await expect(grid.locator('figure[data-fooled-base="true"]').first()).toBeVisible();
  expect(await grid.locator('figure[data-fooled-base="false"]').count()).toBe(0);
  await expect(grid.locator('.wrong').first()).toBeVisible();
  await snap(page, 'gallery');
  await page.getByRole('button', { name: 'Side by side' }).click();
  await expect(page.getByTestId('gallery-pane')).toHaveCount(2);
  await expect(page.getByTestId('gallery-grid')).toHaveCount(2);
  await snap(page, 'gallery-side-by-side');
  expect(watch.problems).toEqual([]);
});

test('a 256-image gallery reply is painted whole, every tile, with its timing reported', async ({ page }) => {
  // This lab's galleries hold a few images (128 test images, paged by 16); the galleryPage reply is widened to 256
  // entries on the wire to time the real rendering path.
  await page.routeWebSocket(/\/ws/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((m) => server.send(m));
    server.onMessage((m) => {
      const msg = JSON.parse(String(m)) as { ok?: boolean; result?: { entries?: { index: number; cells: { sample: { index: number } | null }[] }[] } };
      const entries = msg.ok && msg.result && Array.isArray(msg.result.entries) ? msg.result.entries : null;
      if (entries && entries.length > 0) {
        msg.result!.entries = Array.from({ length: 256 }, (_, i) => {
          const e = entries[i % entries.length]!;
          return { ...e, index: i, cells: e.cells.map((c) => ({ ...c, sample: c.sample && { ...c.sample, index: i } })) };
        });
      }
      ws.send(JSON.stringify(msg));
    });
  });
  await open(page, `#/gallery?run=${runs.adv}`);
  const timing = page.getByTestId('paint-time');
  await expect(timing).toHaveAttribute('data-count', '256');
  await expect(timing).not.toHaveAttribute('data-paint-ms', '');
  await expect(page.getByTestId('gallery-grid').locator('figure')).toHaveCount(256);
  const paint = Number(await timing.getAttribute('data-paint-ms'));
  const render = Number(await timing.getAttribute('data-render-ms'));
  // paint = all 256 tiles into ImageData and onto the canvas; render adds building the captions' DOM (load-sensitive)
  // a figure, not a pass mark: tests never assert wall-clock times
  console.log(`256 gallery tiles: painted in ${paint.toFixed(1)} ms, built and painted in ${render.toFixed(1)} ms`);
  expect(Number.isFinite(paint) && paint > 0).toBe(true);
  await snap(page, 'gallery-256');
});

test('export writes a TF.js model that tfjs loads back, and the experiment report', async ({ page }) => {
  const watch = watchPage(page);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlab-export-'));
  try {
    await open(page, `#/export?run=${runs.adv}`);
    await expect(page.getByLabel('Run', { exact: true })).toHaveValue(runs.adv);
    await page.getByLabel('Model folder (on the machine running the lab)').fill(outDir);
    await page.getByTestId('export').click();
    await expect(page.getByTestId('export-files')).toContainText('model.json');
    await page.getByLabel('Report folder (on the machine running the lab)').fill(path.join(outDir, 'report'));
    await page.getByTestId('export-report').click();
    await expect(page.getByTestId('report-files')).toBeVisible();
    await snap(page, 'export');
    const reportFiles = fs.readdirSync(path.join(outDir, 'report'));
    expect(reportFiles.length).toBeGreaterThan(0);
    const modelJson = path.join(outDir, 'model.json');
    expect(fs.existsSync(modelJson)).toBe(true);
    const model = await loadExportedModel(modelJson);
    expect(model.inputs[0]!.shape).toEqual([null, 28, 28, 1]);
    const out = tf.tidy(() => (model.predict(tf.zeros([1, 28, 28, 1])) as tf.Tensor).arraySync()) as number[][];
    expect(out[0]).toHaveLength(10);
    expect(out[0]!.every(Number.isFinite)).toBe(true);
    model.dispose();
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
  expect(watch.problems).toEqual([]);
});

test('every page fits 1280×800 and 1920×1080 without sideways scrolling', async ({ page }) => {
  const pages = ['#/experiments', '#/new', `#/run/${runs.adv}`, `#/compare?runs=${runs.base},${runs.adv}`, `#/gallery?run=${runs.base}`, '#/export'];
  for (const [width, height] of [
    [1280, 800],
    [1920, 1080],
  ] as const) {
    await page.setViewportSize({ width, height });
    for (const hash of pages) {
      await open(page, hash);
      await expect(page.locator('main h1').first()).toBeVisible();
      await page.waitForLoadState('networkidle');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${hash} at ${width}×${height}`).toBeLessThanOrEqual(0);
    }
    await open(page, `#/run/${runs.adv}`);
    await expect(page.getByTestId('evaluations')).toBeVisible();
    await snap(page, `run-${width}x${height}`);
  }
});

test('a page opened without its token, or with a wrong one, says so instead of breaking', async ({ page }) => {
  const watch = watchPage(page);
  await page.goto(`${lab.origin}/#/experiments`);
  await expect(page.getByRole('alert').filter({ hasText: 'without its access token' }).first()).toBeVisible();
  await expect(page.getByTestId('connection')).toHaveText('unauthorized');
  await page.goto(`${lab.origin}/?token=not-the-right-token-at-all#/experiments`);
  await expect(page.getByRole('alert').filter({ hasText: 'refused this page' }).first()).toBeVisible();
  await expect(page.getByTestId('connection')).toHaveText('unauthorized');
  expect(watch.problems).toEqual([]);
});
