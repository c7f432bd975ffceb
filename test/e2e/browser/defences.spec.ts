// Browser E2E of the defence picker against a real `rlab serve`: PGD-AT and TRADES picked in the New-experiment form,
// a bad value refused with the shared schema's message naming its field (and nothing started), then a valid
// experiment whose runs are named by defence on the run page, the runs table and Compare — all at 1,024 px wide; and
// a Fast-AT run its overfitting guard stopped, as the store records it, says so on its page and in Compare.
import { expect, test, type Page } from '@playwright/test';
import path from 'node:path';
import { plannedRunsOf } from '../../../src/main/lab/service/run-config';
import { openStore } from '../../../src/main/lab/store';
import { DEFENCE_INFO } from '../../../src/shared/defences';
import { ExperimentConfigSchema } from '../../../src/shared/schemas';
import { describeIssue } from '../../../src/shared/validate';
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

test.use({ viewport: { width: 1024, height: 800 } });

const open = (page: Page, hash: string) => page.goto(`${lab.url}${hash}`);

/** The shared schema's message for a config with these defences, at `path`: what the form must show verbatim. */
function schemaMessage(defences: unknown[], path: string): string {
  const input = { defences };
  const r = ExperimentConfigSchema.safeParse(input);
  if (r.success) throw new Error('these defences are unexpectedly valid');
  const issue = r.error.issues.find((i) => i.path.join('.') === path);
  if (!issue) throw new Error(`no issue at ${path}`);
  return describeIssue(issue, input).message;
}

async function noSidewaysScroll(page: Page, what: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${what} scrolls sideways at 1,024 px`).toBeLessThanOrEqual(0);
}

test('PGD-AT and TRADES from the picker: a bad value is refused by the schema, a valid form makes runs named by defence', async ({ page }) => {
  const watch = watchPage(page);
  await open(page, '#/new');
  await page.getByRole('radio', { name: 'Quick' }).click();
  await page.getByLabel('Name', { exact: true }).fill('e2e-defences');
  // a tiny model on a few digits, no attacks: the test is about what is created, not about training
  await page.getByLabel('Train images').fill('64');
  await page.getByLabel('Test images', { exact: true }).fill('32');
  await page.getByLabel('Conv filters').fill('4');
  await page.getByLabel('Dense units').fill('4');
  await page.getByLabel('Batch size').fill('32');
  await page.getByLabel('base', { exact: true }).uncheck();
  for (let n = await page.getByRole('button', { name: /^Remove attack \d+$/ }).count(); n > 0; n--) await page.getByRole('button', { name: `Remove attack ${n}` }).click();

  const picker = page.getByTestId('defence-picker');
  await expect(picker.getByTestId('defence-entry')).toHaveCount(1);
  await picker.getByRole('button', { name: 'Remove defence 1' }).click();
  await picker.getByRole('button', { name: 'Add PGD-AT' }).click();
  await picker.getByRole('button', { name: 'Add TRADES' }).click();
  const entries = picker.getByTestId('defence-entry');
  await expect(entries).toHaveCount(2);
  await expect(entries.nth(0)).toHaveAttribute('data-method', 'pgd-at');
  await expect(entries.nth(0).getByTestId('defence-summary')).toHaveText(DEFENCE_INFO['pgd-at'].summary);
  await expect(entries.nth(0).getByTestId('defence-reference')).toHaveText(DEFENCE_INFO['pgd-at'].reference);
  await expect(entries.nth(1).getByTestId('defence-summary')).toHaveText(DEFENCE_INFO.trades.summary);
  // empty fields show the method's paper defaults
  await expect(page.locator('#f-defences-0-steps')).toHaveAttribute('placeholder', '40');
  await expect(page.locator('#f-defences-1-beta')).toHaveAttribute('placeholder', '6');

  // a step larger than ε for PGD-AT and a negative β for TRADES: the schema's sentences, under their fields
  await page.locator('#f-defences-0-stepSize').fill('0.5');
  await page.locator('#f-defences-1-beta').fill('-1');
  await expect(page.locator('#f-defences-0-stepSize-error')).toHaveText(schemaMessage([{ method: 'pgd-at', stepSize: 0.5 }, { method: 'trades' }], 'defences.0.stepSize'));
  await expect(page.locator('#f-defences-0-stepSize-error')).toContainText('defences.0.stepSize');
  await expect(page.locator('#f-defences-1-beta-error')).toHaveText(schemaMessage([{ method: 'pgd-at' }, { method: 'trades', beta: -1 }], 'defences.1.beta'));
  await page.getByTestId('start').click();
  await expect(page.getByTestId('error-count')).toHaveText('2 fields to fix');
  await expect(page).toHaveURL(/#\/new$/);
  await noSidewaysScroll(page, 'the New-experiment form');
  await snap(page, 'defences-invalid');

  // nothing was created
  const other = await page.context().newPage();
  await other.goto(`${lab.url}#/experiments`);
  await expect(other.getByText('No experiments yet')).toBeVisible();
  await other.close();

  // valid and cheap: two inner steps each
  await page.locator('#f-defences-0-stepSize').fill('0.15');
  await page.locator('#f-defences-0-steps').fill('2');
  await page.locator('#f-defences-1-beta').fill('1');
  await page.locator('#f-defences-1-steps').fill('2');
  await page.locator('#f-defences-1-stepSize').fill('0.15');
  await expect(page.getByTestId('error-count')).toHaveCount(0);
  await page.getByTestId('start').click();
  await page.waitForURL(/#\/run\/run_/);
  const first = decodeURIComponent(page.url().split('#/run/')[1]!);
  await expect(page.getByTestId('run-title')).toHaveText('e2e-defences · pgd-at');
  await expect(page.getByTestId('run-defence-name')).toHaveText('PGD-AT');
  const params = page.getByTestId('run-defence-params');
  await expect(params.locator('dd[data-key="steps"]')).toHaveText('2');
  await expect(params.locator('dd[data-key="stepSize"]')).toHaveText('0.15');
  await expect(params.locator('dd[data-key="randomStart"]')).toHaveText('on');
  await noSidewaysScroll(page, 'the run page');
  await snap(page, 'defences-run');

  await open(page, '#/experiments');
  const table = page.getByTestId('runs-table');
  await expect(table.locator('tbody tr')).toHaveCount(2);
  await expect(table.getByRole('link', { name: 'e2e-defences · pgd-at' })).toBeVisible();
  await expect(table.getByRole('link', { name: 'e2e-defences · trades' })).toBeVisible();
  expect((await table.getByTestId('run-defence').allTextContents()).map((t) => t.trim()).sort()).toEqual(['pgd-at', 'trades']);
  await noSidewaysScroll(page, 'the Experiments page');

  const second = (await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run-id')!))).find((id) => id !== first)!;
  await open(page, `#/compare?runs=${first},${second}`);
  const cells = page.getByTestId('best-last').getByTestId('defence-cell');
  await expect(cells).toHaveText(['PGD-AT', 'TRADES']);
  await expect(page.getByTestId('best-last').getByTestId('cost-cell')).toHaveCount(2);
  await noSidewaysScroll(page, 'Compare');
  await snap(page, 'defences-compare');
  expect(watch.problems).toEqual([]);
});

test('the Defences preset fills the picker, and an NSL entry takes a PGD neighbour', async ({ page }) => {
  const watch = watchPage(page);
  await open(page, '#/new');
  await page.getByRole('radio', { name: 'Defences', exact: true }).click();
  const entries = page.getByTestId('defence-picker').getByTestId('defence-entry');
  await expect(entries).toHaveCount(6);
  expect(await entries.evaluateAll((es) => es.map((e) => e.getAttribute('data-method')))).toEqual(['nsl', 'nsl', 'pgd-at', 'trades', 'mart', 'fast-at']);
  // the NSL-PGD entry carries its own neighbour; the tutorial NSL entry the experiment's
  await expect(page.locator('#f-defences-1-label')).toHaveValue('nsl-pgd');
  await expect(page.locator('#f-defences-1-advReg-pgdIterations')).toHaveValue('5');
  await expect(page.locator('#f-defences-0-advReg-pgdIterations')).toHaveCount(0);
  await expect(page.locator('#f-defences-5-alpha')).toHaveValue('0.375');
  await noSidewaysScroll(page, 'the form with the Defences preset');
  await snap(page, 'defences-preset');

  // the lab's estimate before Start (no finished runs here: the laptop speed), per run in its title; twice the
  // epochs, about twice the training; a form with an error shows none
  const estimate = page.getByTestId('form-estimate');
  await expect(estimate).toHaveText(/^training about \d+ min, attacks at most about \d+ min · laptop estimate$/);
  await expect(estimate).toHaveAttribute('title', /^base about \d+ (s|min), nsl about \d+ (s|min), nsl-pgd .*, fast-at about \d+ (s|min) \(speed of a 2-core laptop; this lab has no finished runs to measure\)$/);
  const minutes = async (): Promise<number> => Number(/^training about (\d+) min/.exec((await estimate.textContent()) ?? '')![1]);
  const before = await minutes();
  const epochs = page.getByLabel('Epochs', { exact: true });
  const presetEpochs = await epochs.inputValue();
  await epochs.fill(String(2 * Number(presetEpochs)));
  await expect.poll(minutes).toBeGreaterThanOrEqual(2 * before - 1);
  expect(await minutes()).toBeLessThanOrEqual(2 * before + 1);
  await epochs.fill(presetEpochs);
  await expect.poll(minutes).toBe(before);

  await entries.nth(0).getByRole('button', { name: 'Use a PGD neighbour' }).click();
  await expect(page.locator('#f-defences-0-advReg-pgdIterations')).toHaveValue('40');
  await expect(page.locator('#f-defences-0-advReg-pgdEpsilon')).toHaveValue('0.3');
  await expect(page.locator('#f-defences-0-advReg-advStepSize')).toHaveValue('0.01');
  await expect(page.locator('#f-defences-0-advReg-randomInit')).toHaveValue('on');
  await expect(page.getByRole('radio', { name: 'Custom' })).toHaveAttribute('aria-checked', 'true');
  // an override is checked by the same schema: a zero iteration count is refused under its field
  await page.locator('#f-defences-0-advReg-pgdIterations').fill('0');
  await expect(page.locator('#f-defences-0-advReg-pgdIterations-error')).toHaveText(schemaMessage([{ method: 'nsl', advReg: { pgdIterations: 0 } }], 'defences.0.advReg.pgdIterations'));
  await expect(estimate).toHaveCount(0);
  expect(watch.problems).toEqual([]);
});

test("a Fast-AT run stopped by its overfitting guard says so on its page and in Compare", async ({ page }) => {
  const watch = watchPage(page);
  const reason = 'catastrophic overfitting: PGD-10 accuracy on 64 training images fell to 3.1% after epoch 3; stopped early, keeping epoch 2\'s weights';
  let ids: string[] = [];
  // written through the real store as the job runner writes a finished run whose guard fired (no training here)
  const stoppedLab = await startServe({
    prepare: (home) => {
      const store = openStore(path.join(home, 'lab.sqlite'));
      try {
        const config = ExperimentConfigSchema.parse({ name: 'e2e-fast', hparams: { epochs: 5 }, defences: [{ method: 'fast-at' }] });
        const created = store.createExperiment(config, plannedRunsOf(config).map((p) => ({ role: p.role, name: `e2e-fast · ${p.label}`, config: { ...p.config, seed: 0, splitSeed: 0 } })));
        ids = created.runs.map((r) => r.id);
        for (const id of ids) {
          store.setRunStatus(id, 'running');
          const epochs = id === ids[1] ? 3 : 5;
          for (let e = 1; e <= epochs; e++) store.recordEpoch(id, e, { loss: 1 / e, sparse_categorical_accuracy: 0.5 + e / 20 }, 2000, [{ epoch: e, batch: 10, step: 10 * e, metrics: { loss: 1 / e } }]);
          if (id === ids[1]) store.setRunEarlyStop(id, { afterEpoch: 3, keptEpoch: 2, reason });
          store.setRunStatus(id, 'completed');
        }
      } finally {
        store.close();
      }
    },
  });
  try {
    await page.goto(`${stoppedLab.url}#/run/${ids[1]}`);
    await expect(page.getByTestId('run-title')).toHaveText('e2e-fast · fast-at');
    await expect(page.getByTestId('run-defence-name')).toHaveText('Fast-AT');
    await expect(page.getByTestId('run-early-stop')).toContainText("Stopped early after epoch 3 of 5, keeping epoch 2's weights");
    await expect(page.getByTestId('run-early-stop')).toContainText(reason);
    // three epochs of 2 s, 30 steps: 6 s and 5 steps/s
    await expect(page.getByTestId('run-training-time')).toContainText('6.0 s');
    await noSidewaysScroll(page, 'the stopped run page');
    await page.goto(`${stoppedLab.url}#/compare?runs=${ids[0]},${ids[1]}`);
    const table = page.getByTestId('best-last');
    await expect(table.getByTestId('defence-cell')).toHaveText(['Standard', /^Fast-AT\s*stopped early \(epoch 2 kept\)$/]);
    await expect(table.getByTestId('cost-cell')).toHaveText([/10 s\s*5 steps\/s/, /6\.0 s\s*5 steps\/s/]);
    await snap(page, 'defences-early-stop');
    expect(watch.problems).toEqual([]);
  } finally {
    await stoppedLab.stop();
  }
});
