// Browser E2E against a real `rlab serve`: the Experiments page's "Import a model" form turns a saved TF.js model into
// a run with no training, listed as imported; a file that is not a model is refused with the service's message.
import { expect, test, type Page } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildModel } from '../../../src/main/lab/models/builders';
import { saveModelFiles } from '../../../src/main/lab/run/model-files';
import { HParamsSchema } from '../../../src/shared/schemas';
import { startServe, type ServedLab } from '../helpers/serve';
import { snap, watchPage } from '../helpers/page-watch';

test.describe.configure({ mode: 'serial' });

let lab: ServedLab;
let dir: string;

test.beforeAll(async () => {
  lab = await startServe();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlab-e2e-model-'));
  const model = buildModel(HParamsSchema.parse({ model: 'mlp', numFcUnits: [8] }), 0);
  await saveModelFiles(model, path.join(dir, 'mlp'));
  model.dispose();
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'root:x:0:0\n');
});
test.afterAll(async () => {
  await lab?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const open = (page: Page, hash: string) => page.goto(`${lab.url}${hash}`);

test('a model.json imported from the Experiments page becomes an imported run; a non-model is refused', async ({ page }) => {
  const watch = watchPage(page);
  await open(page, '#/');
  await page.getByText('Import a model').click();
  await page.getByLabel('Run name').fill('byo-mlp');

  await page.getByLabel('model.json (absolute path on the lab machine)').fill(path.join(dir, 'notes.txt'));
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByTestId('import-model').getByRole('alert')).toContainText(`modelPath is not a usable TF.js layers model: ${path.join(dir, 'notes.txt')} is not a TF.js layers model.json (not valid JSON)`, { timeout: 120_000 });
  await expect(page.getByTestId('import-model').getByRole('alert')).not.toContainText('root:x');

  await page.getByLabel('model.json (absolute path on the lab machine)').fill(path.join(dir, 'mlp', 'model.json'));
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByTestId('import-model').getByRole('status')).toContainText('Imported as byo-mlp (probabilities output, no training)', { timeout: 120_000 });
  await expect(page.getByRole('row').filter({ hasText: 'byo-mlp' })).toContainText('imported');
  await snap(page, 'experiments-import-model');
  expect(watch.problems).toEqual([]);
});
