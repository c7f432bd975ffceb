// Browser E2E of the live Run page against a real `rlab serve` and real tiny training runs (4 conv filters, 4 dense
// units): the per-batch chart converges to exactly the points the store keeps (open from the start, opened
// mid-training, cancelled), the progress bar and the Epochs card agree, the elapsed time ticks, the experiment's time
// left is shown, a failed run shows its failure, and an interrupted run (left 'running' by a host that died, which
// the next host marks interrupted) has a Resume button that trains it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { WebSocket } from 'ws';
import { runConfigFor } from '../../../src/main/lab/service/run-config';
import { openStore } from '../../../src/main/lab/store';
import { type LabApi } from '../../../src/shared/contract';
import { presetConfig } from '../../../src/shared/presets';
import { ExperimentConfigSchema, type ExperimentConfigInput } from '../../../src/shared/schemas';
import { runName } from '../../../src/shared/seeds';
import { type WebSocketCtor, WsLabClient } from '../../../src/shared/ws-client';
import { snap, watchPage } from '../helpers/page-watch';
import { startServe, type ServedLab } from '../helpers/serve';

test.describe.configure({ mode: 'serial' });

/** A tiny quick experiment: seconds of training. `trainSize` 256 is the small one; the bigger ones give time to open a page mid-run. */
function tiny(name: string, over: { trainSize?: number; epochs?: number; seeds?: number[]; baseModelPath?: string } = {}): ExperimentConfigInput {
  const quick = presetConfig('quick');
  return {
    ...quick,
    name,
    runs: ['base'],
    attacks: [],
    ...(over.seeds ? { seeds: over.seeds, seed: over.seeds[0] } : {}),
    ...(over.baseModelPath ? { baseModelPath: over.baseModelPath } : {}),
    hparams: { ...quick.hparams, convFilters: [4], numFcUnits: [4], batchSize: 8, epochs: over.epochs ?? 4 },
    data: { dataset: { kind: 'mnist-sample' }, trainSize: over.trainSize ?? 256, testSize: 32 },
  } as ExperimentConfigInput;
}

let lab: ServedLab;
let client: WsLabClient;
let api: LabApi;
let interruptedId = '';
const ids = { small: '', mid: '', cancelled: '', failed: '' };
/** The end of the cancelled run's first epoch, listened for from its creation (it may come while another test runs). */
let cancelledEpoch1: Promise<void> = Promise.resolve();
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rlab-live-'));

test.beforeAll(async () => {
  lab = await startServe({
    prepare: (home) => {
      // a run a host left 'running' when it died: the serving host's recovery marks it interrupted
      const store = openStore(path.join(home, 'lab.sqlite'));
      try {
        const config = ExperimentConfigSchema.parse(tiny('e2e-interrupted', { epochs: 2 }));
        const created = store.createExperiment(config, [{ role: 'base', name: runName(config.name, 'base', 0, 1), config: { ...runConfigFor(config, 'base'), seed: 0, splitSeed: config.seed } }]);
        interruptedId = created.runs[0]!.id;
        store.setRunStatus(interruptedId, 'running');
      } finally {
        store.close();
      }
    },
  });
  client = new WsLabClient({ url: `ws://${new URL(lab.origin).host}/ws?token=${lab.token}`, WebSocketImpl: WebSocket as unknown as WebSocketCtor, reconnect: false });
  api = client.api;
});
test.afterAll(async () => {
  client?.close();
  await lab?.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

const open = (page: Page, runId: string) => page.goto(`${lab.url}#/run/${runId}`);
const storedPoints = async (runId: string) => (await api.getMetrics({ runId, granularity: 'batch' })).batches.length;
const points = (page: Page) => page.getByTestId('batch-loss').getAttribute('data-points').then(Number);

/** Resolves when `runId` reaches one of `statuses` (or is there already). */
function statusOf(runId: string, statuses: string[], timeoutMs = 150_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${runId} did not become ${statuses.join('/')} in ${timeoutMs} ms:\n${lab.log()}`)), timeoutMs);
    const done = (s: string) => {
      clearTimeout(timer);
      off();
      resolve(s);
    };
    const off = api.onRunStatus((e) => e.runId === runId && statuses.includes(e.status) && done(e.status));
    void api.getRun({ runId }).then((r) => statuses.includes(r.status) && done(r.status));
  });
}

/** Resolves at the end of epoch `epoch` of `runId`. */
function epochEnd(runId: string, epoch: number, timeoutMs = 150_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${runId} did not finish epoch ${epoch} in ${timeoutMs} ms`)), timeoutMs);
    const off = api.onEpochEnd((e) => {
      if (e.runId !== runId || e.epoch < epoch) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

interface Sample {
  status: string;
  points: number;
  bar: string;
  card: string;
  duration: string;
}

/** Records every change of the page (a MutationObserver misses none): status, batch points, progress label, Epochs card, duration. */
async function record(page: Page): Promise<void> {
  await page.evaluate(() => {
    const log: Sample[] = [];
    (window as unknown as { __live: Sample[] }).__live = log;
    const text = (id: string) => document.querySelector(`[data-testid="${id}"]`)?.textContent?.trim() ?? '';
    new MutationObserver(() => {
      const s: Sample = {
        status: text('run-status').toLowerCase(),
        points: Number(document.querySelector('[data-testid="batch-loss"]')?.getAttribute('data-points') ?? 0),
        bar: text('progress'),
        card: text('epochs-done'),
        duration: text('run-duration'),
      };
      const last = log.at(-1);
      if (!last || Object.keys(s).some((k) => s[k as keyof Sample] !== last[k as keyof Sample])) log.push(s);
    }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}
const samples = (page: Page) => page.evaluate(() => (window as unknown as { __live: Sample[] }).__live);

/** Every sample whose bar names epochs done says what the Epochs card says. */
function expectBarMatchesCard(log: Sample[]): void {
  const training = log.filter((s) => /epochs done/.test(s.bar));
  expect(training.length).toBeGreaterThan(0);
  for (const s of training) expect(`${/(\d+\/\d+) epochs done/.exec(s.bar)![1]}`, `bar "${s.bar}" vs card "${s.card}"`).toBe(s.card);
  // 100% only once every epoch is done, as the card says
  for (const s of training) if (/100%/.test(s.bar)) expect(s.card).toMatch(/^(\d+)\/\1$/);
}

test('a run open from the start ends with exactly the stored batch points, its bar and card agreeing', async ({ page }) => {
  const watch = watchPage(page);
  const created = await api.createExperiment({ config: tiny('e2e-live-small') });
  ids.small = created.runs[0]!.id;
  await open(page, ids.small);
  await record(page);
  await expect(page.getByTestId('run-status')).toHaveText(/completed/i, { timeout: 150_000 });
  const stored = await storedPoints(ids.small);
  expect(stored).toBeGreaterThan(0);
  await expect(page.getByTestId('batch-loss')).toHaveAttribute('data-points', String(stored));
  await expect(page.getByTestId('epochs-done')).toHaveText('4/4');
  expectBarMatchesCard(await samples(page));
  await page.reload();
  await expect(page.getByTestId('batch-loss')).toHaveAttribute('data-points', String(stored));
  expect(watch.problems).toEqual([]);
});

test('a page opened mid-training loads the history, appends live points, and ends equal to a fresh load; the experiment shows its time left', async ({ page }) => {
  test.setTimeout(300_000);
  const watch = watchPage(page);
  const created = await api.createExperiment({ config: tiny('e2e-live-mid', { trainSize: 4096, seeds: [0, 1] }) });
  [ids.mid, ids.cancelled] = created.runs.map((r) => r.id) as [string, string];
  cancelledEpoch1 = epochEnd(ids.cancelled, 1, 280_000);
  // a run queued behind them whose base model is gone when its turn comes: it fails in the engine
  const model = (await api.getRun({ runId: ids.small })).artifacts.find((a) => a.kind === 'model')!.path;
  const copy = path.join(scratch, 'base-model');
  fs.cpSync(path.dirname(model), copy, { recursive: true });
  const failing = await api.createExperiment({ config: tiny('e2e-live-failing', { baseModelPath: path.join(copy, path.basename(model)) }) });
  ids.failed = failing.runs[0]!.id;
  fs.rmSync(copy, { recursive: true, force: true });

  await epochEnd(ids.mid, 1);
  await open(page, ids.mid);
  await record(page);
  await expect(page.getByTestId('run-status')).toHaveText(/running/i);
  // epoch 1 came from the store, not from events seen since the page opened
  await expect.poll(() => points(page)).toBeGreaterThanOrEqual((await api.getMetrics({ runId: ids.mid, granularity: 'batch' })).batches.filter((b) => b.epoch === 1).length);
  await expect(page.getByTestId('experiment-eta')).toHaveText(/^Experiment: about .+ left · 1 running, 1 queued$/);
  await expect(page.getByTestId('run-duration')).toHaveText(/\d/);
  const firstDuration = await page.getByTestId('run-duration').textContent();
  await expect(page.getByTestId('run-duration')).not.toHaveText(firstDuration!, { timeout: 5_000 });
  await expect(page.getByTestId('run-status')).toHaveText(/completed/i, { timeout: 150_000 });
  const log = await samples(page);
  expect(log.some((s) => s.status === 'running' && s.points > 0)).toBe(true);
  expectBarMatchesCard(log);
  const stored = await storedPoints(ids.mid);
  await expect(page.getByTestId('batch-loss')).toHaveAttribute('data-points', String(stored));
  await page.reload();
  await expect(page.getByTestId('batch-loss')).toHaveAttribute('data-points', String(stored));
  expect(watch.problems).toEqual([]);
});

test('a cancelled run shows the stored points, without its abandoned epoch, and promises no attacks', async ({ page }) => {
  const watch = watchPage(page);
  await open(page, ids.cancelled);
  await cancelledEpoch1;
  await expect(page.getByTestId('epochs-done')).toHaveText(/^[1-3]\/4$/);
  await page.getByTestId('cancel').click();
  await expect(page.getByTestId('run-status')).toHaveText(/cancelled/i, { timeout: 60_000 });
  const metrics = await api.getMetrics({ runId: ids.cancelled, granularity: 'batch' });
  expect(metrics.epochs.length).toBeLessThan(4);
  await expect(page.getByTestId('batch-loss')).toHaveAttribute('data-points', String(metrics.batches.length));
  await expect(page.getByTestId('batch-loss')).toHaveAttribute('data-points-x-max', String(metrics.batches.at(-1)!.step));
  await expect(page.getByTestId('epochs-done')).toHaveText(`${metrics.epochs.length}/4`);
  await expect(page.getByTestId('evaluations-empty')).not.toContainText('attack suite runs after training');
  await expect(page.getByTestId('resume')).toBeVisible();
  expect(watch.problems).toEqual([]);
});

test('a failed run shows its failure, not "waiting for the first batches"', async ({ page }) => {
  await statusOf(ids.failed, ['failed', 'completed', 'cancelled']);
  await open(page, ids.failed);
  await expect(page.getByTestId('run-status')).toHaveText(/failed/i);
  await expect(page.getByTestId('run-error')).toContainText('This run failed:');
  await expect(page.getByTestId('batch-charts')).toContainText('the run failed');
  await expect(page.getByTestId('batch-charts')).not.toContainText('Waiting for the first batches');
  await snap(page, 'run-failed');
});

test('an interrupted run has a Resume button that trains it to the end', async ({ page }) => {
  const watch = watchPage(page);
  await open(page, interruptedId);
  await expect(page.getByTestId('run-status')).toHaveText(/interrupted/i);
  await expect(page.getByTestId('run-error')).not.toContainText('rlab resume');
  await expect(page.getByTestId('evaluations-empty')).not.toContainText('attack suite runs after training');
  await page.getByTestId('resume').click();
  await expect(page.getByTestId('run-status')).toHaveText(/queued|running|completed/i);
  await expect(page.getByTestId('resume')).toHaveCount(0);
  await expect(page.getByTestId('run-status')).toHaveText(/completed/i, { timeout: 150_000 });
  await expect(page.getByTestId('batch-loss')).toHaveAttribute('data-points', String(await storedPoints(interruptedId)));
  expect(watch.problems).toEqual([]);
});
