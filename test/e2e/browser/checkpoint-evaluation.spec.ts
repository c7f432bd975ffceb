// Browser E2E against a real `rlab serve`: a run really trained and really cancelled after its first epoch has no
// model; its page offers "Evaluate epoch 1", which runs the run's own attack suite on that checkpoint. The numbers
// arrive marked "epoch 1 checkpoint", the headline says so, and the run stays cancelled.
import { expect, test } from '@playwright/test';
import { WebSocket } from 'ws';
import { type LabApi } from '../../../src/shared/contract';
import { presetConfig } from '../../../src/shared/presets';
import { type ExperimentConfigInput } from '../../../src/shared/schemas';
import { type WebSocketCtor, WsLabClient } from '../../../src/shared/ws-client';
import { snap, watchPage } from '../helpers/page-watch';
import { startServe, type ServedLab } from '../helpers/serve';

let lab: ServedLab;
let client: WsLabClient;
let api: LabApi;

test.beforeAll(async () => {
  lab = await startServe();
  client = new WsLabClient({ url: `ws://${new URL(lab.origin).host}/ws?token=${lab.token}`, WebSocketImpl: WebSocket as unknown as WebSocketCtor, reconnect: false });
  api = client.api;
});
test.afterAll(async () => {
  client?.close();
  await lab?.stop();
});

/** Two epochs of 75 batches on 600 digits, a 4-filter CNN, and an FGSM-only suite: seconds of work. */
function stoppable(): ExperimentConfigInput {
  const quick = presetConfig('quick');
  return {
    ...quick,
    name: 'e2e-checkpoint',
    runs: ['base'],
    attacks: [{ attack: 'fgsm', epsilons: [0.1, 0.2] }],
    hparams: { ...quick.hparams, convFilters: [4], numFcUnits: [4], batchSize: 8, epochs: 2 },
    data: { dataset: { kind: 'mnist-sample' }, trainSize: 600, testSize: 64 },
  } as ExperimentConfigInput;
}

/** Creates the run and cancels it as soon as its first epoch is stored; resolves with the run once it is cancelled. */
async function cancelledAfterFirstEpoch(config: ExperimentConfigInput = stoppable()): Promise<string> {
  let runId = '';
  const firstEpoch = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no first epoch in 120 s:\n${lab.log()}`)), 120_000);
    const off = api.onEpochEnd((e) => {
      if (e.runId !== runId || e.epoch !== 1) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
  runId = (await api.createExperiment({ config })).runs[0]!.id;
  await firstEpoch;
  const run = await api.cancelRun({ runId });
  expect(run.status).toBe('cancelled');
  expect(run.epochsDone).toBe(1);
  return runId;
}

test('a cancelled run is evaluated at its epoch 1 checkpoint from its page, each number marked, and stays cancelled', async ({ page }) => {
  test.setTimeout(120_000);
  const watch = watchPage(page);
  const runId = await cancelledAfterFirstEpoch();
  await page.goto(`${lab.url}#/run/${runId}`);
  await expect(page.getByTestId('run-status')).toHaveText(/cancelled/i);
  await expect(page.getByTestId('resume')).toBeVisible();
  await expect(page.getByTestId('evaluations-empty')).toContainText('evaluate epoch 1');
  const evaluate = page.getByTestId('evaluate-checkpoint');
  await expect(evaluate).toHaveText('Evaluate epoch 1');

  await evaluate.click();
  // clean accuracy first, then the suite's two FGSM radii, every one of the epoch 1 checkpoint
  await expect(page.getByTestId('evaluations').getByTestId('checkpoint-marker')).toHaveCount(3, { timeout: 60_000 });
  for (const marker of await page.getByTestId('checkpoint-marker').all()) await expect(marker).toHaveText('epoch 1 checkpoint');
  await expect(page.getByTestId('headline')).toContainText('(epoch 1 checkpoint)');
  await expect(page.getByTestId('clean-acc')).toHaveText(/\d+\.\d+%/);
  await expect(page.getByTestId('clean-acc-model')).toHaveText('epoch 1 checkpoint');
  await expect(evaluate).toHaveText('Evaluate epoch 1');
  await expect(page.getByTestId('run-status')).toHaveText(/cancelled/i);

  const run = await api.getRun({ runId });
  expect(run.status).toBe('cancelled');
  expect(run.evaluations.map((e) => [e.attack, e.epsilon, e.modelEpoch])).toEqual([['clean', 0, 1], ['fgsm', 0.1, 1], ['fgsm', 0.2, 1]]);
  expect(run.artifacts.some((a) => a.kind === 'model')).toBe(false);
  await snap(page, 'run-checkpoint-evaluated');

  // its galleries are one click away, the evaluation named for its checkpoint
  await page.getByTestId('evaluations').getByRole('link', { name: 'gallery' }).first().click();
  const pick = page.getByRole('combobox', { name: 'Run: evaluation' });
  await expect(pick.locator('option:checked')).toContainText('epoch 1 checkpoint');
  await expect(page.getByRole('combobox', { name: 'Run: run' }).locator('option:checked')).toContainText('cancelled');
  await expect(page.getByTestId('gallery-pane').first()).not.toContainText('This run has no gallery');

  // the runs table says which weights its clean accuracy is of
  await page.goto(`${lab.url}#/experiments`);
  const row = page.locator(`tr[data-run-id="${runId}"]`);
  await expect(row.getByTestId('measured-epoch')).toHaveText('epoch 1 checkpoint');
  expect(watch.problems).toEqual([]);
});

test('a checkpoint evaluation in progress stops from its card; the run can be evaluated again', async ({ page }) => {
  test.setTimeout(120_000);
  // PGD with 500 steps and 2 restarts on 512 images: several seconds a batch, long enough to stop it while it runs
  const slow = { ...stoppable(), name: 'e2e-checkpoint-stop', data: { dataset: { kind: 'mnist-sample' }, trainSize: 600, testSize: 512 }, attacks: [{ attack: 'pgd', epsilons: [0.3], steps: 500, restarts: 2 }] };
  const runId = await cancelledAfterFirstEpoch(slow as ExperimentConfigInput);
  await page.goto(`${lab.url}#/run/${runId}`);
  const evaluate = page.getByTestId('evaluate-checkpoint');
  const ended = new Promise<string>((resolve) => {
    const off = api.onJobFinished((e) => {
      if (e.runId !== runId) return;
      off();
      resolve(e.outcome);
    });
  });
  await evaluate.click();
  const card = page.getByTestId('checkpoint-progress');
  await expect(card).toBeVisible();
  // running: a batch of the suite reported
  await expect(card).toContainText('batch', { timeout: 60_000 });
  await page.getByTestId('stop-checkpoint').click();
  expect(await ended).toBe('cancelled');
  await expect(card).toBeHidden();
  await expect(evaluate).toBeEnabled();
  await expect(evaluate).toHaveText('Evaluate epoch 1');
  await expect(page.getByTestId('run-status')).toHaveText(/cancelled/i);
  expect((await api.listJobs({})).filter((j) => j.runId === runId)).toEqual([]);
});
