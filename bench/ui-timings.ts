// Bench: interaction timings of the UI in Debian's Chromium against a real `rlab serve` on a seeded lab (no training):
// page load of Experiments, Compare of 8 and of 10 runs (and its switch to per-batch curves), and a gallery page of
// 64 images in 1 and in 4 panes side by side. Prints figures; asserts nothing (issue 11).
// Run: npm run bench:ui -- [--repeats 5] [--json ui.json]   (needs `npm run build` and Debian's chromium)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type Page } from '@playwright/test';
import { openStore } from '../src/main/lab/store';
import { type TestSubset } from '../src/shared/contract';
import { seedLab } from '../test/e2e/helpers/seeded-lab';
import { startServe, type ServedLab } from '../test/e2e/helpers/serve';
import { CHROMIUM_ARGS, chromiumPath } from '../test/e2e/helpers/chromium';

// not bench/spawn.ts's repoRoot: that module loads TensorFlow.js through bench/worker.ts
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = 'npm run bench:ui -- [--repeats 5] [--json ui.json]';
const WAIT_MS = 60_000;
/** Batch points per epoch of every seeded run (3 epochs): the per-batch curves of Compare carry 600 points per run. */
const BATCHES_PER_EPOCH = 200;
const EPOCHS = 3;
/** Examples scored by each gallery evaluation, every one stored with its images: 4 pages of 64. */
const GALLERY_COUNT = 256;
const GALLERY_PANES = [1, 4];
const PAGE_SIZE = 64;
const SIDE = 28;

interface Timing {
  name: string;
  medianMs: number;
  minMs: number;
  samplesMs: number[];
}

interface Seeded {
  /** The 10 runs of the Compare experiment (seeds 0–4, base and adv), base runs first. */
  compare: string[];
  /** The gallery experiment's runs, each with one gallery evaluation of GALLERY_COUNT stored images. */
  gallery: { runId: string; evaluationId: number }[];
  totalRuns: number;
}


/** Gallery evaluations (FGSM ∞ ε 0.2) over one 256-example subset shared by every run, so they page side by side. */
function seedGalleryEvaluations(home: string, runs: readonly { runId: string; role: 'base' | 'adv' }[]): number[] {
  const subset: TestSubset = { dataset: 'mnist-sample', splitSeed: 0, size: GALLERY_COUNT, indicesHash: 'be9c4be9c4be9c40' };
  const classNames = Array.from({ length: 10 }, (_, i) => String(i));
  const store = openStore(path.join(home, 'lab.sqlite'));
  try {
    return runs.map(({ runId, role }, k) => {
      const right = (i: number) => (i + k) % 3 !== 0;
      const mask = Uint8Array.from({ length: GALLERY_COUNT }, (_, i) => (right(i) ? 1 : 0));
      const samples = Array.from({ length: GALLERY_COUNT }, (_, i) => {
        const clean = Uint8Array.from({ length: SIDE * SIDE }, (_, p) => ((p + 7 * i) % SIDE) * 9);
        const adversarial = clean.map((v, p) => (p % 5 === i % 5 ? (v > 200 ? v - 51 : v + 51) : v));
        const label = i % 10;
        return { index: i, label, clean, adversarial, predictions: [{ runId, role, clean: label, adversarial: right(i) ? label : (label + 1) % 10 }] };
      });
      return store.recordEvaluation(
        {
          runId, sourceRunId: null, attack: 'fgsm', norm: 'infinity', epsilon: 0.2, steps: 1, stepSize: null, restarts: 1, randomStart: false,
          accuracy: mask.reduce((s, v) => s + v, 0) / GALLERY_COUNT, perClassAccuracy: [], count: GALLERY_COUNT, mask, subset,
        },
        { width: SIDE, height: SIDE, classNames, samples },
      ).id;
    });
  } finally {
    store.close();
  }
}

function seed(home: string): Seeded {
  const compare = seedLab(home, 'ui-bench compare', [0, 1, 2, 3, 4], { batchesPerEpoch: BATCHES_PER_EPOCH, testCurves: true });
  const g = seedLab(home, 'ui-bench gallery', [0, 1]);
  const galleryRuns = [...g.base.map((runId) => ({ runId, role: 'base' as const })), ...g.adv.map((runId) => ({ runId, role: 'adv' as const }))];
  const evals = seedGalleryEvaluations(home, galleryRuns);
  return {
    compare: [...compare.base, ...compare.adv],
    gallery: galleryRuns.map((r, i) => ({ runId: r.runId, evaluationId: evals[i]! })),
    totalRuns: compare.base.length * 2 + galleryRuns.length,
  };
}

function summarise(name: string, samplesMs: number[]): Timing {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const medianMs = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { name, medianMs, minMs: sorted[0]!, samplesMs: samplesMs.map((v) => Math.round(v * 10) / 10) };
}

/** Milliseconds from starting `act` until `done` holds in the page and one more frame has been produced. */
async function timed(page: Page, act: () => Promise<unknown>, done: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await act();
  await done();
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  return performance.now() - t0;
}

const rowsShown = (page: Page, runs: number) =>
  page.waitForFunction((n) => document.querySelectorAll('[data-testid="runs-table"] tr[data-run-id]').length === n, runs, { timeout: WAIT_MS });

/** Compare of `runs` is drawn: best/last rows, a parameter column per run, every chart with points on its canvas. */
const compareShown = (page: Page, runs: number, pointsPerChart: number | null) =>
  page.waitForFunction(
    ([n, points]) => {
      const figures = Array.from(document.querySelectorAll('[data-testid="compare-curves"] figure, [data-testid="compare-eps"] figure'));
      const curves = Array.from(document.querySelectorAll('[data-testid="compare-curves"] figure'));
      return (
        document.querySelectorAll('[data-testid="best-last"] tbody tr').length > 0 &&
        document.querySelectorAll('[data-testid="param-table"] thead th').length === n + 1 &&
        document.querySelectorAll('[data-testid="compare-eps"] figure').length > 0 &&
        curves.length > 0 &&
        figures.every((f) => f.querySelector('canvas') !== null && Number(f.getAttribute('data-points')) > 0) &&
        (points === null || curves.every((f) => Number(f.getAttribute('data-points')) === points))
      );
    },
    [runs, pointsPerChart] as const,
    { timeout: WAIT_MS },
  );

/** Every pane's grid shows `count` stored tiles starting at test image `first`, painted (GalleryGrid's data-count). */
const galleryShown = (page: Page, panes: number, first: number, count: number) =>
  page.waitForFunction(
    ([panes, first, count]) => {
      const grids = Array.from(document.querySelectorAll('[data-testid="gallery-grid"]'));
      const painted = Array.from(document.querySelectorAll('[data-testid="paint-time"]'));
      return (
        grids.length === panes &&
        painted.length === panes &&
        painted.every((p) => p.getAttribute('data-count') === String(count) && p.getAttribute('data-render-ms') !== '') &&
        grids.every((g) => g.querySelectorAll('figure[data-stored="true"]').length === count && g.querySelector('figure')?.getAttribute('data-index') === String(first))
      );
    },
    [panes, first, count] as const,
    { timeout: WAIT_MS },
  );

const galleryHash = (panes: Seeded['gallery']) =>
  `#/gallery?${panes.map((p, i) => (i === 0 ? `run=${p.runId}&eval=${p.evaluationId}` : `run${i + 1}=${p.runId}&eval${i + 1}=${p.evaluationId}`)).join('&')}`;

async function measure(browser: Browser, lab: ServedLab, seeded: Seeded, repeats: number, problems: string[]): Promise<Timing[]> {
  const watch = (page: Page, what: string) => {
    page.on('pageerror', (e) => problems.push(`${what}: page error: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`${what}: console error: ${m.text()}`); });
  };
  const samples = new Map<string, number[]>();
  const add = (name: string, ms: number) => samples.set(name, [...(samples.get(name) ?? []), ms]);
  const viewport = { width: 1440, height: 900 };

  // a fresh context per load: nothing cached, as when the printed URL is first opened
  for (let r = 0; r < repeats; r++) {
    const context = await browser.newContext({ viewport });
    try {
      const page = await context.newPage();
      watch(page, 'page load');
      add(`page load: Experiments, ${seeded.totalRuns} runs`, await timed(page, () => page.goto(lab.url), () => rowsShown(page, seeded.totalRuns)));
    } finally {
      await context.close();
    }
  }

  const context = await browser.newContext({ viewport });
  try {
    const page = await context.newPage();
    watch(page, 'compare/gallery');
    page.setDefaultTimeout(WAIT_MS);
    await page.goto(`${lab.url}#/experiments`);
    await rowsShown(page, seeded.totalRuns);
    const route = (hash: string) => page.evaluate((h) => { location.hash = h; }, hash);
    for (let r = 0; r < repeats; r++) {
      for (const n of [8, 10]) {
        // from Experiments each time, so Compare mounts and loads its runs afresh
        await route('#/experiments');
        await rowsShown(page, seeded.totalRuns);
        const ids = [...seeded.compare.slice(0, n / 2), ...seeded.compare.slice(5, 5 + n / 2)];
        add(`compare ${n} runs (per epoch)`, await timed(page, () => route(`#/compare?runs=${ids.join(',')}`), () => compareShown(page, n, null)));
        const perBatch = page.getByRole('radiogroup', { name: 'Granularity' }).getByRole('radio', { name: 'Per batch' });
        add(`compare ${n} runs: switch to per batch (${n * EPOCHS * BATCHES_PER_EPOCH} points a chart)`, await timed(page, () => perBatch.click(), () => compareShown(page, n, n * EPOCHS * BATCHES_PER_EPOCH)));
      }
      for (const n of GALLERY_PANES) {
        await route('#/experiments');
        await rowsShown(page, seeded.totalRuns);
        await route(galleryHash(seeded.gallery.slice(0, n)));
        await galleryShown(page, n, 0, 16);
        const panes = n === 1 ? '1 pane' : `${n} panes side by side`;
        add(`gallery ${panes}: choose ${PAGE_SIZE} per page`, await timed(page, () => page.getByLabel('Per page').selectOption(String(PAGE_SIZE)), () => galleryShown(page, n, 0, PAGE_SIZE)));
        add(`gallery ${panes}: next page of ${PAGE_SIZE}`, await timed(page, () => page.getByRole('button', { name: 'Next page' }).click(), () => galleryShown(page, n, PAGE_SIZE, PAGE_SIZE)));
      }
    }
  } finally {
    await context.close();
  }
  return [...samples].map(([name, s]) => summarise(name, s));
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { repeats: { type: 'string', default: '5' }, json: { type: 'string' }, help: { type: 'boolean', default: false } } });
  if (values.help) { console.log(USAGE); return; }
  const repeats = Number(values.repeats);
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`--repeats must be an integer >= 1 (got ${values.repeats})\n${USAGE}`);
  if (!fs.existsSync(path.join(ROOT, 'out', 'renderer', 'index.html'))) {
    console.log('UI timings: skipped (out/renderer/index.html is missing: run `npm run build` first)');
    return;
  }
  const executablePath = chromiumPath();
  if (!executablePath) {
    console.log('UI timings: skipped (no chromium on PATH: `apt-get install chromium`, or set RLAB_CHROMIUM)');
    return;
  }

  const machine = { cores: os.availableParallelism(), loadAverage: os.loadavg()[0]! };
  let seeded: Seeded | undefined;
  const lab = await startServe({ prepare: (home) => (seeded = seed(home)) });
  let browser: Browser | undefined;
  const problems: string[] = [];
  try {
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    const timings = await measure(browser, lab, seeded!, repeats, problems);
    const loadAtEnd = os.loadavg()[0]!;
    const out = [
      `UI interaction timings, ms from the action until rendered and one frame drawn (median and min of ${repeats}), Chromium ${browser.version()} headless, 1440×900`,
      `${machine.cores} logical CPUs, load average ${machine.loadAverage.toFixed(1)} at start, ${loadAtEnd.toFixed(1)} at end${machine.loadAverage > machine.cores ? ' (busy machine: timings are inflated, trust min over median)' : ''}`,
      '',
      table(['interaction', 'median', 'min'], timings.map((t) => [t.name, t.medianMs.toFixed(1), t.minMs.toFixed(1)])),
    ];
    if (problems.length) out.push('', `Page errors (${problems.length}):`, ...[...new Set(problems)].map((p) => `  ${p}`));
    console.log(out.join('\n'));
    if (values.json) fs.writeFileSync(values.json, JSON.stringify({ repeats, chromium: browser.version(), machine: { ...machine, loadAverageAtEnd: loadAtEnd }, timings, problems }, null, 2));
  } catch (err) {
    if (problems.length) console.error(`Page errors so far:\n${problems.join('\n')}`);
    throw err;
  } finally {
    await browser?.close();
    await lab.stop();
  }
}

main().catch((err: unknown) => {
  // Playwright's messages carry its whole call log: the first line says what went wrong
  console.error(`UI timings: FAILED ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`);
  process.exit(1);
});
