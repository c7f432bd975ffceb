// Browser E2E against a real `rlab serve`: on the Export page, Download saves the run's trained model to the browser
// as a .zip of the TF.js folder (model.json + weights.bin + README + metadata), and the downloaded model loads back
// with TF.js and predicts exactly as the lab's own copy of it does.
import { expect, test } from '@playwright/test';
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seedLab } from '../helpers/seeded-lab';
import { snap, watchPage } from '../helpers/page-watch';
import { startServe, type ServedLab } from '../helpers/serve';
import { loadExportedModel } from '../helpers/tfjs-model';
import { seedTrainedModel, syntheticImages } from '../helpers/trained-model';

test.describe.configure({ mode: 'serial' });

let lab: ServedLab;
let runId = '';
let labModelPath = '';
let out: string;

test.beforeAll(async () => {
  lab = await startServe({
    prepare: async (home) => {
      const ids = seedLab(home, 'download', [0]);
      runId = ids.adv[0]!;
      labModelPath = (await seedTrainedModel(home, runId)).modelPath;
    },
  });
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'rlab-e2e-download-'));
});
test.afterAll(async () => {
  await lab?.stop();
  if (out) fs.rmSync(out, { recursive: true, force: true });
});

/** Extracts with Info-ZIP's unzip when installed, else Python's zipfile: a real unzipper, never this project's code. */
function extract(zip: string, dir: string): void {
  try {
    execFileSync('sh', ['-c', 'command -v unzip'], { stdio: 'ignore' });
    execFileSync('unzip', ['-q', zip, '-d', dir]);
  } catch {
    execFileSync('python3', ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', zip, dir]);
  }
}

test('Download on the Export page saves a .zip of the TF.js model that loads and predicts as the lab model does', async ({ page }) => {
  const watch = watchPage(page);
  await page.goto(`${lab.url}#/export/${runId}`);
  await expect(page.locator('#export-run')).toHaveValue(runId);
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.getByTestId('export-download').click()]);
  const name = download.suggestedFilename();
  expect(name).toMatch(new RegExp(`^rlab-[A-Za-z0-9._-]+-${runId}-tfjs\\.zip$`));
  const zip = path.join(out, name);
  await download.saveAs(zip);
  expect(await download.failure()).toBeNull();
  await expect(page.getByTestId('export-downloaded')).toContainText(name);

  const dir = path.join(out, 'x');
  extract(zip, dir);
  const folder = path.join(dir, name.replace(/\.zip$/, ''));
  expect(fs.readdirSync(folder).sort()).toEqual(['README.txt', 'metadata.json', 'model.json', 'weights.bin']);

  const downloaded = await loadExportedModel(path.join(folder, 'model.json'));
  const original = await loadExportedModel(labModelPath);
  const { pixels } = syntheticImages(6, 3);
  const x = tf.tensor4d(pixels, [6, 28, 28, 1]);
  const got = (downloaded.predict(x) as tf.Tensor).arraySync() as number[][];
  const want = (original.predict(x) as tf.Tensor).arraySync() as number[][];
  expect(got).toEqual(want);
  // a trained model, not a fresh one: it tells the synthetic digits apart
  const classes = got.map((p) => p.indexOf(Math.max(...p)));
  expect(new Set(classes).size).toBeGreaterThan(1);
  x.dispose();
  downloaded.dispose();
  original.dispose();

  await snap(page, 'export-download');
  expect(watch.problems).toEqual([]);
});
