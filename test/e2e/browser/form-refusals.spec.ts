// Browser E2E of configs the lab cannot train, refused at Start against a real `rlab serve` with an empty lab: a model
// whose input shape or class count does not fit the dataset, and a full dataset that is not downloaded. Each is shown
// on its field with the allowed value, the page stays on the form, and the real SQLite file holds no experiment.
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, test, type Page } from '@playwright/test';
import { snap, watchPage } from '../helpers/page-watch';
import { startServe, type ServedLab } from '../helpers/serve';

test.describe.configure({ mode: 'serial' });

let lab: ServedLab;
test.beforeAll(async () => {
  lab = await startServe();
});
test.afterAll(async () => {
  await lab?.stop();
});

/** Experiments and runs in the lab's own store file, read beside the running server. */
function stored(): { experiments: number; runs: number; jobs: number } {
  const db = new Database(path.join(lab.home, 'lab.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const count = (table: string) => db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number };
    return { experiments: count('experiments').n, runs: count('runs').n, jobs: count('jobs').n };
  } finally {
    db.close();
  }
}

async function quickForm(page: Page): Promise<void> {
  await page.goto(`${lab.url}#/new`);
  await page.getByRole('radio', { name: 'Quick' }).click();
  await expect(page.getByLabel('Dataset', { exact: true })).toHaveValue('mnist-sample');
}

/** Start is refused with `message` on the field labelled `label`; nothing reaches the store. */
async function expectRefused(page: Page, label: string, message: RegExp): Promise<void> {
  await page.getByTestId('start').click();
  const field = page.getByLabel(label, { exact: true });
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText(message).first()).toBeVisible();
  expect(page.url()).toMatch(/#\/new$/);
  expect(stored()).toEqual({ experiments: 0, runs: 0, jobs: 0 });
}

test('an input shape the dataset does not have is refused on its field, with nothing stored', async ({ page }) => {
  const watch = watchPage(page);
  await quickForm(page);
  await page.getByLabel('Input shape (h, w, c)').fill('32, 32, 3');
  await expectRefused(page, 'Input shape (h, w, c)', /hparams\.inputShape.*28.*28.*1/);
  await snap(page, 'new-experiment-shape-refused');
  expect(watch.problems).toEqual([]);
});

test('more or fewer classes than the dataset has are refused on their field, with nothing stored', async ({ page }) => {
  await quickForm(page);
  await page.getByLabel('Classes', { exact: true }).fill('3');
  await expectRefused(page, 'Classes', /hparams\.numClasses.*10/);
});

test('a full dataset not downloaded yet is refused before any run is made', async ({ page }) => {
  await quickForm(page);
  await page.getByLabel('Dataset', { exact: true }).selectOption('mnist');
  await expectRefused(page, 'Dataset', /not downloaded yet/);
  // the refusal names what to do instead
  await expect(page.getByText(/rlab data download mnist/).first()).toBeVisible();
});
