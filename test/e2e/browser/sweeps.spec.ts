// Browser E2E of the Sweeps pages against a real `rlab serve`: sweeps seeded straight into the store
// (helpers/seeded-sweep.ts, no training) show in the list, and their pages draw the result the way their axes ask —
// a heatmap for two axes (every tile's number, the best cell, its Compare link, the Pareto front, the CSV), a line
// chart for one, parallel coordinates for three — without sideways scrolling at 1,024 px; the New-sweep form shows the
// host's plan of a valid sweep and its refusals on the row they name, and stores nothing it refused.
import fs from 'node:fs';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { presetConfig } from '../../../src/shared/presets';
import { SWEEP_CONFIRM_CELLS } from '../../../src/shared/sweep-spec';
import { snap, watchPage } from '../helpers/page-watch';
import { seedSweep, SWEEP_IMAGES, type RunOutcome, type SeededRun, type SeededSweep } from '../helpers/seeded-sweep';
import { startServe, type ServedLab } from '../helpers/serve';

test.describe.configure({ mode: 'serial' });

/** Adv robust and clean correct answers (of 64) per cell and seed of the grid sweep; cell 5's seed-0 adv run failed. */
const GRID: { robust: [number, number]; clean: [number, number] }[] = [
  { robust: [30, 32], clean: [60, 60] }, // (0.1, 0.05): the cleanest: on the front
  { robust: [36, 36], clean: [58, 58] }, // (0.1, 0.2): on the front
  { robust: [34, 34], clean: [57, 57] }, // (0.2, 0.05): beaten by cell 1 on both
  { robust: [44, 46], clean: [54, 54] }, // (0.2, 0.2): the most robust, the best cell
  { robust: [45, 45], clean: [50, 50] }, // (0.5, 0.05): as robust as cell 3, less clean: beaten
  { robust: [50, 50], clean: [55, 55] }, // (0.5, 0.2): would win, but a run failed: the cell is not done
];
const BASE: RunOutcome = { clean: 62, robust: 10 };
const frac = (n: number) => n / SWEEP_IMAGES;
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sampleStd = (xs: readonly number[]) => Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
/** As the page prints a mean ± std of fractions, in percent. */
const statText = (xs: readonly number[]) => `${(mean(xs) * 100).toFixed(1)}% ± ${(sampleStd(xs) * 100).toFixed(1)}`;

function gridOutcome(cell: number, run: SeededRun): RunOutcome {
  if (run.role === 'base') return BASE;
  if (cell === 5 && run.seed === 0) return 'failed';
  const g = GRID[cell]!;
  return { robust: g.robust[run.seed]!, clean: g.clean[run.seed]! };
}

const DEFENCES = { nsl: { robust: 30, clean: 60 }, 'pgd-at': { robust: 40, clean: 58 }, trades: { robust: 38, clean: 59 } } as const;

let lab: ServedLab;
let grid: SeededSweep;
let line: SeededSweep;
let parallel: SeededSweep;
test.beforeAll(async () => {
  lab = await startServe({
    prepare: (home) => {
      grid = seedSweep(home, { name: 'e2e-grid', base: presetConfig('quick'), seeds: [0, 1], axes: [{ path: 'advReg.multiplier', values: [0.1, 0.2, 0.5] }, { path: 'advReg.advStepSize', values: [0.05, 0.2] }] }, gridOutcome, { sharedBase: true });
      const methods = ['nsl', 'pgd-at', 'trades'] as const;
      line = seedSweep(home, { name: 'e2e-line', base: presetConfig('quick'), axes: [{ path: 'defence', values: [...methods] }] }, (cell, run) => (run.role === 'base' ? { clean: 62, robust: 8 } : DEFENCES[methods[cell]!]), { sharedBase: true });
      parallel = seedSweep(
        home,
        { name: 'e2e-parallel', base: presetConfig('quick'), axes: [{ path: 'advReg.multiplier', values: [0.1, 0.2] }, { path: 'advReg.advStepSize', values: [0.05, 0.2] }, { path: 'advReg.advGradNorm', values: ['l2', 'infinity'] }] },
        (cell, run) => (run.role === 'base' ? BASE : { robust: 20 + 3 * cell, clean: 60 - cell }),
      );
    },
  });
});
test.afterAll(async () => {
  await lab?.stop();
});

const open = (page: Page, hash: string) => page.goto(`${lab.url}${hash}`);

async function noSidewaysScroll(page: Page, what: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
  expect(scrollWidth, `${what} scrolls sideways at ${clientWidth} px`).toBeLessThanOrEqual(clientWidth);
}

async function download(page: Page, button: Locator): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), button.click()]);
  return fs.readFileSync(await file.path(), 'utf8');
}

test('the list shows every sweep with its status, cells done, cells and axes, each one click from its page', async ({ page }) => {
  const watch = watchPage(page);
  await page.setViewportSize({ width: 1024, height: 768 });
  await open(page, '#/sweeps');
  await expect(page.getByRole('heading', { name: 'Sweeps', level: 1 })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Sweeps', exact: true })).toHaveAttribute('aria-current', 'page');
  const rows = page.getByTestId('sweep-row');
  await expect(rows).toHaveCount(3);
  const row = page.locator(`[data-testid="sweep-row"][data-sweep-id="${grid.sweepId}"]`);
  await expect(row.getByRole('link', { name: 'e2e-grid' })).toBeVisible();
  // 6 cells (2 seeds of adv runs each) and the 2 base runs they share: one failed run fails its cell; 13 of 14 runs done
  await expect(row.getByTestId('sweep-cells-done')).toHaveText('5/6');
  await expect(row.getByTestId('sweep-cells-done')).toHaveAttribute('title', 'runs done: 13 of 14');
  await expect(row).toContainText('1 failed');
  await expect(row.locator('[data-status]')).toHaveAttribute('data-status', 'failed');
  await expect(row).toContainText('advReg.multiplier (3) × advReg.advStepSize (2)');
  await expect(page.locator(`[data-testid="sweep-row"][data-sweep-id="${line.sweepId}"] [data-status]`)).toHaveAttribute('data-status', 'completed');
  await noSidewaysScroll(page, 'the Sweeps list');
  await snap(page, 'sweeps-list');
  await row.getByRole('link', { name: 'e2e-grid' }).click();
  await expect(page).toHaveURL(new RegExp(`#/sweeps/${grid.sweepId}$`));
  await expect(page.getByRole('heading', { name: 'e2e-grid', level: 1 })).toBeVisible();
  // `g s` comes back to the list
  await page.getByRole('heading', { name: 'e2e-grid', level: 1 }).click();
  await page.keyboard.press('g');
  await page.keyboard.press('s');
  await expect(page).toHaveURL(/#\/sweeps$/);
  expect(watch.problems).toEqual([]);
});

test('two axes: a heatmap of every cell, the best cell with its Compare, the Pareto front and the CSV', async ({ page }) => {
  const watch = watchPage(page);
  await page.setViewportSize({ width: 1024, height: 768 });
  await open(page, `#/sweeps/${grid.sweepId}`);
  await expect(page.getByRole('heading', { name: 'e2e-grid', level: 1 })).toBeVisible();

  // progress: 5 cells done, 1 failed; the failed one can be resumed
  await expect(page.getByTestId('cell-count-done')).toHaveAttribute('data-count', '5');
  await expect(page.getByTestId('cell-count-failed')).toHaveAttribute('data-count', '1');
  await expect(page.getByTestId('cell-count-running')).toHaveAttribute('data-count', '0');
  await expect(page.getByTestId('sweep-progress')).toContainText('5 of 6 cells done');
  await expect(page.getByTestId('sweep-resume')).toBeVisible();
  await expect(page.getByTestId('sweep-cancel')).toHaveCount(0);

  const heatmap = page.getByTestId('sweep-heatmap');
  await expect(heatmap).toHaveAttribute('data-rows', '3');
  await expect(heatmap).toHaveAttribute('data-cols', '2');
  const tiles = heatmap.getByTestId('heat-tile');
  await expect(tiles).toHaveCount(6);
  for (const [i, g] of GRID.entries()) {
    const tile = heatmap.locator(`[data-testid="heat-tile"][data-cell="${i}"]`);
    // cell 5's robust number is its one completed adv run's
    const robust = i === 5 ? [frac(g.robust[1])] : g.robust.map(frac);
    await expect(tile).toHaveAttribute('data-robust', String(mean(robust)));
    await expect(tile).toHaveAttribute('data-status', i === 5 ? 'failed' : 'done');
    await expect(tile).toContainText(i === 5 ? `${(frac(50) * 100).toFixed(1)}%` : statText(robust));
    await expect(tile).toHaveAttribute('title', new RegExp(`clean ${(mean(g.clean.map(frac)) * 100).toFixed(1)}%`));
  }
  // rows are the first axis' values, columns the second's, as the spec lists them
  await expect(tiles.nth(3)).toHaveAttribute('data-cell', '3');
  await expect(heatmap.locator('th.rowhead')).toHaveText(['0.1', '0.2', '0.5']);

  // the best done cell: cell 3 (cell 4 is as robust but less clean; cell 5 failed)
  const best = page.getByTestId('best-cell');
  await expect(best).toHaveAttribute('data-cell', '3');
  await expect(best.getByTestId('best-cell-name')).toHaveText('e2e-grid · multiplier=0.2 advStepSize=0.2');
  await expect(best.getByTestId('best-robust')).toContainText(statText(GRID[3]!.robust.map(frac)));
  await expect(best.getByTestId('best-robust')).toContainText('PGD-20');

  // the Pareto front of the done cells: 0, 1 and 3
  const pareto = page.getByTestId('sweep-pareto');
  await expect(pareto).toHaveAttribute('data-points', '5');
  await expect(pareto).toHaveAttribute('data-front', '0,1,3');
  await expect(pareto.locator('[data-testid="pareto-point"][data-front="true"]')).toHaveCount(3);
  for (const i of [2, 4]) await expect(pareto.locator(`[data-testid="pareto-point"][data-cell="${i}"]`)).toHaveAttribute('data-front', 'false');
  await expect(pareto.locator('[data-testid="pareto-point"][data-cell="5"]')).toHaveCount(0);

  // the cells table: every cell with its base and adv numbers
  await expect(page.getByTestId('cell-row')).toHaveCount(6);
  await expect(page.locator('[data-testid="cell-row"][data-cell="3"] [data-testid="cell-robust"][data-model="adv"]')).toHaveText(statText(GRID[3]!.robust.map(frac)));
  await expect(page.locator('[data-testid="cell-row"][data-cell="3"] [data-testid="cell-robust"][data-model="base"]')).toHaveText(`${(frac(10) * 100).toFixed(1)}% ± 0.0`);
  await noSidewaysScroll(page, 'a two-axis sweep');
  await snap(page, 'sweeps-heatmap');

  // CSV: sweepCsv's rows, one per cell and model
  const csv = (await download(page, page.getByTestId('sweep-csv'))).trim().split('\n').map((l) => l.split(','));
  expect(csv[0]).toEqual(['cell', 'advReg.multiplier', 'advReg.advStepSize', 'experiment_id', 'status', 'model', 'role', 'n', 'clean_mean', 'clean_std', 'robust_mean', 'robust_std', 'robust_label']);
  expect(csv).toHaveLength(1 + 12);
  const adv3 = csv.find((r) => r[0] === '3' && r[5] === 'adv')!;
  expect(adv3.slice(0, 8)).toEqual(['3', '0.2', '0.2', grid.cells[3]!.experimentId, 'done', 'adv', 'adv', '2']);
  expect(Number(adv3[8])).toBe(frac(54));
  expect(Number(adv3[10])).toBe(mean(GRID[3]!.robust.map(frac)));
  expect(Number(adv3[11])).toBeCloseTo(sampleStd(GRID[3]!.robust.map(frac)), 12);
  expect(csv.find((r) => r[0] === '5' && r[5] === 'adv')!.slice(4, 8)).toEqual(['failed', 'adv', 'adv', '1']);

  // the best cell's runs in Compare: its adv runs first, then the base runs every cell shares
  const expected = [...grid.cells[3]!.runs, ...grid.baseRuns].map((r) => r.id);
  expect(grid.cells[3]!.runs.map((r) => r.role)).toEqual(['adv', 'adv']);
  await best.getByTestId('best-compare').click();
  await expect(page).toHaveURL(new RegExp(`#/compare\\?runs=${expected.join('%2C')}$`));
  await expect(page.getByRole('heading', { name: 'Compare', level: 1 })).toBeVisible();
  await expect(page.getByRole('link', { name: /^Remove .* from the comparison$/ })).toHaveCount(expected.length);
  await expect(page.getByTestId('best-last')).toContainText('multiplier=0.2 advStepSize=0.2');
  await snap(page, 'sweeps-best-compare');
  expect(watch.problems).toEqual([]);
});

test('one axis draws accuracy against it; three axes draw parallel coordinates', async ({ page }) => {
  const watch = watchPage(page);
  await page.setViewportSize({ width: 1024, height: 768 });
  await open(page, `#/sweeps/${line.sweepId}`);
  await expect(page.getByRole('heading', { name: 'e2e-line', level: 1 })).toBeVisible();
  const chart = page.getByTestId('sweep-line-chart');
  // base and each cell's own defence, robust points at 3 categories each
  await expect(chart).toHaveAttribute('data-points', '6');
  await expect(chart).toHaveAttribute('data-scale', 'category');
  const defended = chart.locator('[data-testid="line-point"][data-model="*defended"][data-metric="robust"]');
  await expect(defended).toHaveCount(3);
  for (const [m, o] of Object.entries(DEFENCES)) await expect(chart.locator(`[data-testid="line-point"][data-model="*defended"][data-metric="robust"][data-value="${m}"]`)).toHaveAttribute('data-mean', String(frac(o.robust)));
  await expect(chart.locator('[data-testid="line-point"][data-metric="clean"]')).toHaveCount(6);
  await expect(page.getByTestId('sweep-model')).toHaveValue('*defended');
  await expect(page.getByTestId('best-cell')).toHaveAttribute('data-cell', '1');
  await expect(page.getByTestId('best-cell-name')).toHaveText('e2e-line · defence=pgd-at');
  await noSidewaysScroll(page, 'a one-axis sweep');
  await snap(page, 'sweeps-line');

  await open(page, `#/sweeps/${parallel.sweepId}`);
  await expect(page.getByRole('heading', { name: 'e2e-parallel', level: 1 })).toBeVisible();
  const pc = page.getByTestId('sweep-parallel');
  await expect(pc).toHaveAttribute('data-dims', '4');
  await expect(pc.getByTestId('parallel-line')).toHaveCount(8);
  await expect(pc.locator('[data-testid="parallel-line"][data-cell="7"]')).toHaveAttribute('data-robust', String(frac(20 + 3 * 7)));
  await expect(page.getByTestId('sweep-heatmap')).toHaveCount(0);
  await expect(page.getByTestId('best-cell')).toHaveAttribute('data-cell', '7');
  await noSidewaysScroll(page, 'a three-axis sweep');
  await snap(page, 'sweeps-parallel');

  // readable at 800 px too
  await page.setViewportSize({ width: 800, height: 700 });
  await open(page, `#/sweeps/${grid.sweepId}`);
  await expect(page.getByTestId('sweep-heatmap')).toBeVisible();
  await noSidewaysScroll(page, 'a two-axis sweep at 800 px');
  await snap(page, 'sweeps-heatmap-800');
  // and in the dark theme (the system's, as the app follows it by default)
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await open(page, `#/sweeps/${parallel.sweepId}`);
  await expect(page.getByTestId('sweep-parallel')).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await snap(page, 'sweeps-parallel-dark');
  expect(watch.problems).toEqual([]);
});

test.describe('the New-sweep form', () => {
  let empty: ServedLab;
  test.beforeAll(async () => {
    empty = await startServe();
  });
  test.afterAll(async () => {
    await empty?.stop();
  });

  test('plans a valid sweep live; shows a refusal on the row it names and stores nothing it refused', async ({ page }) => {
    const watch = watchPage(page);
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(`${empty.url}#/sweeps`);
    await expect(page.getByText('No sweeps yet')).toBeVisible();
    await page.getByTestId('new-sweep').click();
    await expect(page.getByRole('heading', { name: 'New sweep', level: 1 })).toBeVisible();
    await expect(page.getByTestId('base-summary')).toContainText('quick');
    const plan = page.getByTestId('sweep-plan');

    // a tiny valid sweep: 2 cells of an adv run each at one seed, sharing one base run (the axis leaves it alone)
    await page.getByLabel('Axis 1 field').fill('advReg.multiplier');
    await page.getByLabel('Axis 1 values').fill('0.1, 0.2');
    await expect(plan.getByTestId('plan-cells')).toHaveText('2 cells');
    await expect(plan.getByTestId('plan-runs')).toHaveText('3 runs');
    await expect(plan.getByTestId('plan-shared-base')).toBeVisible();
    await expect(plan.getByTestId('plan-cell')).toHaveCount(2);
    await expect(plan.getByTestId('plan-estimate')).toContainText('training about');
    await noSidewaysScroll(page, 'New sweep');
    await snap(page, 'sweeps-new-plan');

    // a second axis, the defence, picked from its chips
    await page.getByTestId('add-axis').click();
    await page.getByLabel('Axis 2 field').fill('defence');
    const chips = page.getByRole('group', { name: 'Axis 2: values to sweep' });
    await chips.getByRole('button', { name: 'NSL' }).click();
    await chips.getByRole('button', { name: 'TRADES' }).click();
    await expect(page.getByLabel('Axis 2 values')).toHaveValue('nsl, trades');
    await expect(plan.getByTestId('plan-cells')).toHaveText('4 cells');

    // a field no config has: the host refuses it, on that row
    await page.getByLabel('Axis 2 field').fill('hparams.nope');
    await page.getByLabel('Axis 2 values').fill('1, 2');
    const row2 = page.locator('[data-testid="axis-row"][data-row="1"]');
    await expect(row2.getByTestId('field-error')).toContainText('hparams.nope is not a config field');
    await expect(page.getByLabel('Axis 2 field')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.locator('[data-testid="axis-row"][data-row="0"]').getByTestId('field-error')).toHaveCount(0);
    await expect(page.getByTestId('error-count')).toHaveText('1 field to fix');
    await expect(plan.getByTestId('plan-refused')).toBeVisible();
    await snap(page, 'sweeps-new-refusal');
    // Start asks the host, which refuses the same way
    await page.getByTestId('start-sweep').click();
    await expect(row2.getByTestId('field-error')).toContainText('hparams.nope is not a config field');
    await expect(page).toHaveURL(/#\/sweeps\/new$/);

    // a value its field cannot take: on the values input
    await page.getByLabel('Axis 2 field').fill('advReg.advStepSize');
    await page.getByLabel('Axis 2 values').fill('0.1, -1');
    await expect(row2.getByTestId('field-error')).toContainText('advReg.advStepSize = -1');
    await expect(page.getByLabel('Axis 2 values')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByLabel('Axis 2 field')).not.toHaveAttribute('aria-invalid', 'true');

    // more than SWEEP_CONFIRM_CELLS cells: planned, but Start without the confirmation is refused on it
    const lrs = Array.from({ length: 40 }, (_, i) => (0.0001 * (i + 1)).toPrecision(3)).join(', ');
    const epochs = Array.from({ length: 30 }, (_, i) => i + 1).join(', ');
    await page.getByLabel('Axis 1 field').fill('hparams.learningRate');
    await page.getByLabel('Axis 1 values').fill(lrs);
    await page.getByLabel('Axis 2 field').fill('hparams.epochs');
    await page.getByLabel('Axis 2 values').fill(epochs);
    await expect(plan.getByTestId('plan-cells')).toHaveText('1,200 cells', { timeout: 60_000 });
    expect(1200).toBeGreaterThan(SWEEP_CONFIRM_CELLS);
    await expect(plan.getByTestId('confirm-large')).not.toBeChecked();
    await page.getByTestId('start-sweep').click();
    await expect(plan.getByTestId('field-error')).toContainText('confirm with yes');

    // nothing was stored
    await page.getByRole('link', { name: 'All sweeps' }).click();
    await expect(page.getByText('No sweeps yet')).toBeVisible();
    expect(watch.problems).toEqual([]);
  });
});
