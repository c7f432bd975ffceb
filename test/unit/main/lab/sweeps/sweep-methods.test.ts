// Sweeps through the LabService with real engine workers: a 2 × 2 grid of tiny experiments on two workers at once,
// each run trained exactly once; bad sweeps refused before anything is stored; cancel then resume finishes the rest
// without training a completed run again.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunSummary } from '../../../../../src/shared/contract';
import { createLabService, type LabService } from '../../../../../src/main/lab/service/service';
import { type SweepSpecInput } from '../../../../../src/shared/sweep-spec';
import { tempHome, tinyConfig, waitForEvent } from '../service/helpers';

let home: ReturnType<typeof tempHome>;
let lab: LabService;
beforeEach(async () => {
  home = tempHome('rlab-sweep-');
  lab = await createLabService({ home: home.home });
});
afterEach(async () => {
  await lab.close();
  home.remove();
});

const spec = (patch: Partial<SweepSpecInput> = {}): SweepSpecInput => ({
  name: 'tiny-grid',
  base: tinyConfig({ attacks: [{ attack: 'fgsm', epsilons: [0.1] }, { attack: 'fgsm', epsilons: [0.1], source: 'base' }] }),
  axes: [{ path: 'advReg.multiplier', values: [0.1, 0.5] }, { path: 'advReg.advStepSize', values: [0.02, 0.05] }],
  ...patch,
});

/** [start, end] of every run's training, from the store's own timestamps. */
const spans = (runs: readonly RunSummary[]) => runs.map((r) => [Date.parse(r.startedAt!), Date.parse(r.finishedAt!)] as const);

describe('sweeps on this host', () => {
  it('runs every cell of a 2 × 2 grid exactly once on two workers at once, each cell its values, all sharing one base run', async () => {
    const plan = await lab.planSweep({ spec: spec() });
    expect(plan.cells.map((c) => c.name)).toEqual(['tiny-grid · multiplier=0.1 advStepSize=0.02', 'tiny-grid · multiplier=0.1 advStepSize=0.05', 'tiny-grid · multiplier=0.5 advStepSize=0.02', 'tiny-grid · multiplier=0.5 advStepSize=0.05']);
    // the axes change only the adv runs: one base run (seed 3) serves every cell
    expect(plan.runs).toBe(5);
    expect(plan.sharedBase).toBe(true);
    expect(plan.estimate.trainingSeconds).toBeGreaterThan(0);
    expect(await lab.listExperiments({})).toEqual([]);

    const created = await lab.createSweep({ spec: spec(), workers: 2 });
    expect([created.cellCount, created.gridSize, created.workers, created.runs.queued]).toEqual([4, 4, 2, 5]);
    expect(created.baseExperimentId).toMatch(/^exp_/);
    await lab.whenIdle();
    const done = await lab.getSweep({ sweepId: created.id });
    expect(done.status).toBe('completed');
    expect(done.runs.completed).toBe(5);
    expect(done.baseRuns).toHaveLength(1);
    const base = done.baseRuns[0]!;
    expect([base.role, base.status, base.experimentId]).toEqual(['base', 'completed', created.baseExperimentId]);
    for (const cell of done.cells) {
      expect(cell.runs.map((r) => r.role)).toEqual(['adv']);
      const adv = cell.runs[0]!;
      const detail = await lab.getRun({ runId: adv.id });
      expect([detail.config.advReg.multiplier, detail.config.advReg.advStepSize]).toEqual([cell.values['advReg.multiplier'], cell.values['advReg.advStepSize']]);
      // each run trained once: one epoch row, its evaluations once
      expect((await lab.getMetrics({ runId: adv.id })).epochs).toHaveLength(1);
      expect(detail.evaluations.filter((e) => e.attack === 'fgsm' && e.sourceRunId === null)).toHaveLength(1);
      // the shared base run is its transfer source, and it trained first
      expect(detail.evaluations.filter((e) => e.sourceRunId === base.id)).toHaveLength(1);
      expect(Date.parse(adv.startedAt!)).toBeGreaterThanOrEqual(Date.parse(base.finishedAt!));
    }
    // the gallery shows the shared base model next to the adv one
    const fgsm = (await lab.getRun({ runId: done.cells[0]!.runs[0]!.id })).evaluations.find((e) => e.attack === 'fgsm' && e.sourceRunId === null)!;
    expect((await lab.getGallery({ evaluationId: fgsm.id })).samples[0]!.predictions.map((p) => p.runId)).toEqual([done.cells[0]!.runs[0]!.id, base.id]);
    // two workers: some two runs trained at the same time
    const all = spans([...done.baseRuns, ...done.cells.flatMap((c) => c.runs)]);
    const overlapping = all.some(([s1, e1], i) => all.some(([s2, e2], j) => i !== j && s1 < e2 && s2 < e1));
    expect(overlapping).toBe(true);
    expect((await lab.listSweeps({})).map((s) => [s.id, s.status])).toEqual([[created.id, 'completed']]);
  });

  it('keeps a base run in every cell when an axis changes what the base model trains on', async () => {
    const plan = await lab.planSweep({ spec: spec({ axes: [{ path: 'hparams.learningRate', values: [0.001, 0.002] }] }) });
    expect([plan.sharedBase, plan.runs]).toEqual([false, 4]);
    const sweep = await lab.createSweep({ spec: spec({ axes: [{ path: 'hparams.learningRate', values: [0.001, 0.002] }], seeds: [1, 2] }) });
    const detail = await lab.getSweep({ sweepId: sweep.id });
    expect(detail.baseExperimentId).toBeNull();
    expect(detail.baseRuns).toEqual([]);
    expect(detail.cells.map((c) => c.runs.map((r) => `${r.role}:${r.seed}`))).toEqual([['base:1', 'adv:1', 'base:2', 'adv:2'], ['base:1', 'adv:1', 'base:2', 'adv:2']]);
    await lab.cancelSweep({ sweepId: sweep.id });
    // base runs only: every cell trains its own, there is no adv run to share them with
    const baseOnly = await lab.planSweep({ spec: spec({ base: tinyConfig({ runs: ['base'] }), axes: [{ path: 'advReg.multiplier', values: [0.1, 0.2] }] }) });
    expect([baseOnly.sharedBase, baseOnly.runs]).toEqual([false, 2]);
  });

  it('refuses a bad axis, a bad value and a 1,001-cell grid without yes, and stores nothing', async () => {
    await expect(lab.createSweep({ spec: spec({ axes: [{ path: 'advReg.multiplyer', values: [0.1] }] }) })).rejects.toMatchObject({ code: 'invalid_argument', field: 'spec.axes.0.path' });
    await expect(lab.createSweep({ spec: spec({ axes: [{ path: 'hparams.batchSize', values: [16, 0] }] }) })).rejects.toMatchObject({ field: 'spec.axes.0.values.1', message: expect.stringMatching(/hparams\.batchSize = 0 makes an invalid config: hparams\.batchSize must be ≥ 1/) });
    await expect(lab.createSweep({ spec: spec({ axes: [{ path: 'data.trainSize', values: [256, 9999] }] }) })).rejects.toMatchObject({ message: expect.stringMatching(/trainSize=9999: config\.data\.trainSize must be in \[1, /) });
    const big = { path: 'advReg.multiplier', values: Array.from({ length: 77 }, (_, i) => i / 100) };
    await expect(lab.createSweep({ spec: spec({ axes: [big, { path: 'advReg.advStepSize', values: Array.from({ length: 13 }, (_, i) => (i + 1) / 100) }] }) })).rejects.toMatchObject({ field: 'yes' });
    await expect(lab.createSweep({ spec: spec({ axes: [] }) })).rejects.toMatchObject({ code: 'invalid_argument', field: 'spec.axes' });
    expect([await lab.listExperiments({}), await lab.listSweeps({}), await lab.listJobs({})]).toEqual([[], [], []]);
  });

  it('survives a restart of its host: reopened, resume finishes the rest and trains no completed run again', async () => {
    const sweep = await lab.createSweep({ spec: spec({ axes: [{ path: 'advReg.multiplier', values: [0.1, 0.2, 0.5] }] }), workers: 1 });
    const firstAdv = (await lab.getSweep({ sweepId: sweep.id })).cells[0]!.runs[0]!.id;
    await waitForEvent(lab, 'run-status', (e) => e.runId === firstAdv && e.status === 'completed');
    await lab.close();
    lab = await createLabService({ home: home.home });
    const reopened = await lab.getSweep({ sweepId: sweep.id });
    const doneBefore = [...reopened.baseRuns, ...reopened.cells.flatMap((c) => c.runs)].filter((r) => r.status === 'completed');
    expect(doneBefore.map((r) => r.id)).toEqual(expect.arrayContaining([reopened.baseRuns[0]!.id, firstAdv]));
    await lab.resumeSweep({ sweepId: sweep.id });
    await lab.whenIdle();
    const done = await lab.getSweep({ sweepId: sweep.id });
    expect(done.status).toBe('completed');
    const all = [...done.baseRuns, ...done.cells.flatMap((c) => c.runs)];
    for (const r of doneBefore) expect(all.find((x) => x.id === r.id)!.finishedAt).toBe(r.finishedAt);
    for (const r of all) expect((await lab.getMetrics({ runId: r.id })).epochs).toHaveLength(1);
  });

  it('cancel stops what has not finished; resume trains only that, never a completed run again', async () => {
    const sweep = await lab.createSweep({ spec: spec({ axes: [{ path: 'advReg.multiplier', values: [0.1, 0.2, 0.5] }] }), workers: 1 });
    const first = (await lab.getSweep({ sweepId: sweep.id })).cells[0]!.runs[0]!.id;
    // the shared base run and the first cell's adv run done; the rest is queued or running
    await waitForEvent(lab, 'run-status', (e) => e.runId === first && e.status === 'completed');
    const cancelled = await lab.cancelSweep({ sweepId: sweep.id });
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.cancelledAt).not.toBeNull();
    expect(cancelled.runs.completed + cancelled.runs.cancelled).toBe(4);
    const completedBefore = [...cancelled.baseRuns, ...cancelled.cells.flatMap((c) => c.runs)].filter((r) => r.status === 'completed');
    expect(completedBefore.length).toBeGreaterThanOrEqual(2);

    const resumed = await lab.resumeSweep({ sweepId: sweep.id });
    expect(resumed.cancelledAt).toBeNull();
    await lab.whenIdle();
    const done = await lab.getSweep({ sweepId: sweep.id });
    expect(done.status).toBe('completed');
    for (const r of completedBefore) {
      const after = [...done.baseRuns, ...done.cells.flatMap((c) => c.runs)].find((x) => x.id === r.id)!;
      // not trained again: the same finish time, one epoch
      expect(after.finishedAt).toBe(r.finishedAt);
      expect((await lab.getMetrics({ runId: r.id })).epochs).toHaveLength(1);
    }
  });
});
