// Browser E2E of the runs table and Compare on a seeded lab (helpers/seeded-lab.ts, no training): the column picker
// (hyperparameter columns, kept over a reload), rows grouped by experiment (two experiments named "quick" are two
// groups), the adv − base delta column, the engine on the run page instead of a table column, Compare of 10 runs,
// and no sideways page scroll at 1,024 px on Experiments and Compare.
import { expect, test, type Page } from '@playwright/test';
import path from 'node:path';
import { plannedRunsOf } from '../../../src/main/lab/service/run-config';
import { openStore } from '../../../src/main/lab/store';
import { type EngineRecord } from '../../../src/shared/contract';
import { ExperimentConfigSchema, type RunRole } from '../../../src/shared/schemas';
import { snap, watchPage } from '../helpers/page-watch';
import { SEEDED_COUNT, seedLab, seededCorrect } from '../helpers/seeded-lab';
import { startServe, type ServedLab } from '../helpers/serve';

test.describe.configure({ mode: 'serial' });

const LONG = 'mnist defences at ε 0.3 with the longer schedule and every attack of the suite';
const ENGINE: EngineRecord = {
  backend: 'wasm', tfjsVersion: '4.22.0', tfVersion: null, libtensorflowSource: null, threads: 2,
  cpu: { model: 'Seeded CPU', cores: 2, features: [] }, gpus: [], notUsed: [{ option: 'tensorflow', why: 'seeded for the test' }], warnings: [],
};

let lab: ServedLab;
/** Two experiments named "quick" (seeds 0, 1 and seed 0), one of a long name (seeds 0, 1), and a PGD-AT run with no base run. */
let quickA: Record<RunRole, string[]>;
let quickB: Record<RunRole, string[]>;
let long: Record<RunRole, string[]>;
let pgdOnly: string;

test.beforeAll(async () => {
  lab = await startServe({
    prepare: (home) => {
      quickA = seedLab(home, 'quick', [0, 1]);
      quickB = seedLab(home, 'quick', [0]);
      long = seedLab(home, LONG, [0, 1]);
      const store = openStore(path.join(home, 'lab.sqlite'));
      try {
        store.setRunEngine(quickA.adv[0]!, ENGINE);
        const config = ExperimentConfigSchema.parse({ name: 'pgd-only', runs: ['adv'], hparams: { epochs: 3 }, defences: [{ method: 'pgd-at', epsilon: 0.3, steps: 10 }] });
        const created = store.createExperiment(config, plannedRunsOf(config).map((p) => ({ role: p.role, name: `pgd-only · ${p.label}`, config: { ...p.config, seed: 0, splitSeed: 0 } })));
        pgdOnly = created.runs[0]!.id;
        store.setRunStatus(pgdOnly, 'running');
        store.recordEpoch(pgdOnly, 1, { loss: 0.5, sparse_categorical_accuracy: 0.8 }, 1000, []);
        store.setRunStatus(pgdOnly, 'completed');
      } finally {
        store.close();
      }
    },
  });
});
test.afterAll(async () => {
  await lab?.stop();
});

const open = (page: Page, hash: string) => page.goto(`${lab.url}${hash}`);
const table = (page: Page) => page.getByTestId('runs-table');
const row = (page: Page, runId: string) => table(page).locator(`tr[data-run-id="${runId}"]`);

async function noSidewaysScroll(page: Page, what: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
  expect(scrollWidth, `${what} scrolls sideways at ${clientWidth} px`).toBeLessThanOrEqual(clientWidth);
}

/** The headline robust accuracy the seeded lab gives a run (ε 0.2: the worst of its attacks, masks of the first k right). */
function seededRobust(role: RunRole, seed: number): number {
  const attacks = role === 'adv' ? (['fgsm', 'pgd', 'transfer'] as const) : (['fgsm', 'pgd'] as const);
  return Math.min(...attacks.map((a) => seededCorrect(role, seed, a, 0.2))) / SEEDED_COUNT;
}

/** Percentage points as the table writes them. */
function pp(d: number): string {
  const p = Number((d * 100).toFixed(1));
  const text = Math.abs(p).toFixed(1);
  return p > 0 ? `+${text} pp` : p < 0 ? `−${text} pp` : `${text} pp`;
}

test('the Engine column is gone from the table; the run page shows the engine with its record', async ({ page }) => {
  const watch = watchPage(page);
  await open(page, '#/experiments');
  await expect(row(page, quickA.adv[0]!)).toBeVisible();
  const headers = (await table(page).locator('thead th').allTextContents()).map((t) => t.replace(/[▲▼]/g, '').trim());
  expect(headers).toEqual(expect.arrayContaining(['Run', 'Status', 'Clean acc', 'Robust acc', 'Δ clean', 'Δ robust', 'Duration', 'Created', 'Tags']));
  expect(headers).not.toContain('Engine');
  await expect(row(page, quickA.adv[0]!)).not.toContainText('wasm');

  await row(page, quickA.adv[0]!).getByRole('link', { name: 'quick · adv · seed 0' }).click();
  await expect(page.getByTestId('run-engine')).toHaveText('wasm');
  await expect(page.getByTestId('engine-record')).toContainText('Seeded CPU');
  await snap(page, 'runs-table-run-page-engine');
  expect(watch.problems).toEqual([]);
});

test('a hyperparameter column picked in the column picker shows, sorts, and survives a reload', async ({ page }) => {
  const watch = watchPage(page);
  await open(page, '#/experiments');
  await expect(row(page, pgdOnly)).toBeVisible();
  await expect(table(page).locator('th[data-column="seed"]')).toHaveCount(0);

  await page.getByTestId('column-picker').locator('summary').click();
  await page.getByLabel('Seed', { exact: true }).check();
  await page.getByLabel('Defence ε', { exact: true }).check();
  await page.getByLabel('Tags', { exact: true }).uncheck();
  await snap(page, 'runs-table-column-picker');
  await page.keyboard.press('Escape');

  const check = async () => {
    await expect(table(page).locator('th[data-column="seed"]')).toHaveText('Seed');
    await expect(table(page).locator('th[data-column="epsilon"]')).toHaveText('Defence ε');
    await expect(table(page).locator('thead th', { hasText: 'Tags' })).toHaveCount(0);
    await expect(row(page, quickA.base[1]!).locator('td[data-column="seed"]')).toHaveText('1');
    await expect(row(page, quickA.adv[0]!).locator('td[data-column="seed"]')).toHaveText('0');
    await expect(row(page, pgdOnly).locator('td[data-column="epsilon"]')).toHaveText('0.3');
    // the tutorial NSL run's ε is its experiment's advReg, which the run list does not carry
    await expect(row(page, quickA.adv[0]!).locator('td[data-column="epsilon"]')).toHaveText('—');
  };
  await check();
  await page.reload();
  await check();

  // sortable like the other columns: descending first for a number, within each experiment's group
  await table(page).locator('th[data-column="seed"] button').click();
  await expect(table(page).locator('th[data-column="seed"]')).toHaveAttribute('aria-sort', 'descending');
  const seeds = await table(page).locator('tbody tr[data-run-id] td[data-column="seed"]').allTextContents();
  expect(seeds.slice(0, 4)).toEqual(['1', '1', '0', '0']);
  await snap(page, 'runs-table-columns');
  expect(watch.problems).toEqual([]);
});

test('two experiments named "quick" are two groups, told apart by id and created time; groups collapse and grouping turns off', async ({ page }) => {
  const watch = watchPage(page);
  await open(page, '#/experiments');
  await expect(row(page, pgdOnly)).toBeVisible();
  const groups = table(page).getByTestId('experiment-group');
  await expect(groups).toHaveCount(4);
  const quick = groups.filter({ has: page.locator('.group-name', { hasText: /^quick$/ }) });
  await expect(quick).toHaveCount(2);
  const ids = await quick.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-experiment-id')));
  expect(new Set(ids).size).toBe(2);
  for (const g of await quick.all()) {
    await expect(g.getByTestId('experiment-id')).toHaveText(/^exp_/);
    await expect(g).toContainText(/created \d{4}-\d\d-\d\d \d\d:\d\d/);
  }

  // each group holds exactly its experiment's runs
  const byGroup = await table(page).locator('tbody tr').evaluateAll((rows) => {
    const out: Record<string, string[]> = {};
    let current = '';
    for (const r of rows) {
      const exp = r.getAttribute('data-experiment-id');
      if (exp) current = exp;
      const run = r.getAttribute('data-run-id');
      if (run) (out[current] ??= []).push(run);
    }
    return out;
  });
  const expected = [quickA, quickB, long].map((x) => [...x.base, ...x.adv].sort());
  expect(Object.values(byGroup).map((v) => [...v].sort())).toEqual(expect.arrayContaining([...expected, [pgdOnly]]));
  await snap(page, 'runs-table-grouped');

  // collapsing a group hides its runs, not the others'
  const first = quick.first();
  const firstId = (await first.getAttribute('data-experiment-id'))!;
  const firstRuns = byGroup[firstId]!;
  await first.getByRole('button', { name: `Collapse quick (${firstId})` }).click();
  await expect(first.getByRole('button', { name: `Expand quick (${firstId})` })).toHaveAttribute('aria-expanded', 'false');
  for (const id of firstRuns) await expect(row(page, id)).toHaveCount(0);
  await expect(row(page, pgdOnly)).toBeVisible();
  await first.getByRole('button', { name: `Expand quick (${firstId})` }).click();
  for (const id of firstRuns) await expect(row(page, id)).toBeVisible();

  // grouping off: no headers, the experiment's name under each run again; kept over a reload
  await page.getByTestId('group-by-experiment').uncheck();
  await expect(groups).toHaveCount(0);
  await expect(table(page).locator('tbody tr')).toHaveCount(11);
  await expect(row(page, quickB.adv[0]!)).toContainText('quick');
  await page.reload();
  await expect(row(page, pgdOnly)).toBeVisible();
  await expect(groups).toHaveCount(0);
  await page.getByTestId('group-by-experiment').check();
  await expect(groups).toHaveCount(4);
  expect(watch.problems).toEqual([]);
});

test('the adv − base cells are each adv run\'s clean and robust accuracy minus its experiment\'s base run of the same seed', async ({ page }) => {
  const watch = watchPage(page);
  await open(page, '#/experiments');
  await expect(row(page, pgdOnly)).toBeVisible();
  for (const [runs, seeds] of [[quickA, [0, 1]], [quickB, [0]], [long, [0, 1]]] as const) {
    for (const [i, seed] of seeds.entries()) {
      const adv = row(page, runs.adv[i]!);
      const clean = (seededCorrect('adv', seed, 'clean', 0) - seededCorrect('base', seed, 'clean', 0)) / SEEDED_COUNT;
      await expect(adv.getByTestId('delta-clean')).toHaveText(pp(clean));
      const robust = seededRobust('adv', seed) - seededRobust('base', seed);
      expect(robust).toBeGreaterThan(0.3);
      await expect(adv.getByTestId('delta-robust')).toContainText(pp(robust));
      // the adv run's headline also takes the transfer attack from its base run: said in the tooltip
      await expect(adv.getByTestId('delta-robust')).toHaveAttribute('title', /adv − base: minus .*base.* \(same experiment and seed\); attacks differ/);
      // the delta agrees with the two robust cells it is the difference of
      await expect(adv).toContainText(`${(seededRobust('adv', seed) * 100).toFixed(1)}%`);
      await expect(row(page, runs.base[i]!)).toContainText(`${(seededRobust('base', seed) * 100).toFixed(1)}%`);
      // a base run has no delta
      await expect(row(page, runs.base[i]!).getByTestId('delta-robust')).toHaveText('');
    }
  }
  // no base run of its seed in its experiment: empty
  await expect(row(page, pgdOnly).getByTestId('delta-clean')).toHaveText('');
  await expect(row(page, pgdOnly).getByTestId('delta-robust')).toHaveText('');

  // sorting by the delta puts the runs with one first
  await table(page).locator('th[data-column="deltaRobust"] button').click();
  await page.getByTestId('group-by-experiment').uncheck();
  const order = await table(page).locator('tbody tr[data-run-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run-id')!));
  expect(new Set(order.slice(0, 5))).toEqual(new Set([...quickA.adv, ...quickB.adv, ...long.adv]));
  expect(watch.problems).toEqual([]);
});

test('Compare takes 10 runs (chosen by experiment on the Experiments page), 11 are refused', async ({ page }) => {
  test.setTimeout(120_000);
  const watch = watchPage(page);
  await open(page, '#/experiments');
  await expect(row(page, pgdOnly)).toBeVisible();
  const groups = table(page).getByTestId('experiment-group');
  for (const g of await groups.all()) {
    if ((await g.getAttribute('data-experiment-id')) && !(await g.textContent())!.includes('pgd-only')) await g.locator('input[type=checkbox]').check();
  }
  const compare = page.getByTestId('compare-selected');
  await expect(compare).toHaveText('Compare (10)');
  await expect(compare).toBeEnabled();
  await row(page, pgdOnly).locator('input[type=checkbox]').check();
  await expect(compare).toHaveText('Compare (11)');
  await expect(compare).toBeDisabled();
  await row(page, pgdOnly).locator('input[type=checkbox]').uncheck();
  await compare.click();
  await page.waitForURL(/#\/compare\?runs=/);

  const ten = [...quickA.base, ...quickA.adv, ...quickB.base, ...quickB.adv, ...long.base, ...long.adv];
  await expect(page.getByRole('link', { name: /^Remove .* from the comparison$/ })).toHaveCount(10);
  const bestLast = page.getByTestId('best-last');
  // quick (2 seeds) and the long one (2 seeds) form base and adv seed groups; the second quick's runs stand alone
  await expect(bestLast.getByTestId('seed-group-row')).toHaveCount(4);
  await expect(bestLast.locator(`tr[data-run-id="${quickB.adv[0]}"]`)).toBeVisible();
  await expect(page.getByTestId('param-table').locator('thead th')).toHaveCount(11);
  await expect(page.getByTestId('compare-curves').locator('figure').first()).toBeVisible();
  await expect(page.getByTestId('compare-eps').locator('figure').first()).toBeVisible();
  // at the limit nothing more can be added
  await expect(page.getByLabel('Add a run to the comparison')).toHaveCount(0);
  await snap(page, 'compare-10-runs');

  await open(page, `#/compare?runs=${[...ten, pgdOnly].join(',')}`);
  await expect(page.getByText('Pick 2 to 10 runs to compare')).toBeVisible();
  expect(watch.problems).toEqual([]);
});

test('no sideways page scroll at 1,024 × 768 on Experiments and on Compare of 4 runs (long names included)', async ({ page }) => {
  const watch = watchPage(page);
  await page.setViewportSize({ width: 1024, height: 768 });
  await open(page, '#/experiments');
  await expect(row(page, pgdOnly)).toBeVisible();
  await noSidewaysScroll(page, 'the Experiments page');
  // with every column shown the table scrolls inside its own box, not the page
  await page.getByTestId('column-picker').locator('summary').click();
  for (const box of await page.getByTestId('column-picker').locator('input[type=checkbox]').all()) await box.check();
  await page.keyboard.press('Escape');
  await noSidewaysScroll(page, 'the Experiments page with every column');
  await snap(page, 'experiments-1024');

  await open(page, `#/compare?runs=${[quickA.base[0], quickA.adv[0], long.base[0], long.adv[0]].join(',')}`);
  await expect(page.getByTestId('best-last')).toBeVisible();
  await expect(page.getByTestId('compare-eps').locator('figure').first()).toBeVisible();
  // the "Add run…" list holds the long names: it must not widen the page
  await expect(page.getByLabel('Add a run to the comparison')).toBeVisible();
  await noSidewaysScroll(page, 'Compare of 4 runs');
  await snap(page, 'compare-4-runs-1024');
  expect(watch.problems).toEqual([]);
});
