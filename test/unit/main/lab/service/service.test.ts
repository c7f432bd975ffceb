import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EvaluationEvent, type ProgressEvent, type RunStatusEvent } from '../../../../../src/shared/contract';
import { writeIdxFile } from '../../../../../src/main/lab/data/idx';
import { createLabService, type LabService } from '../../../../../src/main/lab/service/service';
import { tempHome, tinyConfig, TUTORIAL_SUITE } from './helpers';

let home: ReturnType<typeof tempHome>;
let lab: LabService;

beforeAll(async () => {
  home = tempHome();
  lab = await createLabService({ home: home.home });
});
afterAll(async () => {
  await lab.close();
  home.remove();
});

describe('LabService with a real engine worker', () => {
  let baseId = '';
  let advId = '';

  it('trains base then adv from one config and keeps epochs, engine, models and the tutorial suite', async () => {
    const statuses: RunStatusEvent[] = [];
    const progress: ProgressEvent[] = [];
    const evaluations: EvaluationEvent[] = [];
    const offs = [lab.onRunStatus((e) => statuses.push(e)), lab.onProgress((e) => progress.push(e)), lab.onEvaluation((e) => evaluations.push(e))];
    const { experiment, runs } = await lab.createExperiment({ config: tinyConfig({ runs: ['adv', 'base'], attacks: TUTORIAL_SUITE, hparams: { convFilters: [4], numFcUnits: [8], epochs: 2, batchSize: 32 } }) });
    expect(runs.map((r) => r.role)).toEqual(['base', 'adv']);
    expect(runs.every((r) => r.status === 'queued')).toBe(true);
    [baseId, advId] = runs.map((r) => r.id) as [string, string];
    await lab.whenIdle();
    offs.forEach((off) => off());

    const base = await lab.getRun({ runId: baseId });
    const adv = await lab.getRun({ runId: advId });
    expect([base.status, adv.status]).toEqual(['completed', 'completed']);
    expect(base.config.advReg.multiplier).toBe(0);
    expect(adv.config.advReg.multiplier).toBe(0.2);
    expect(base.config.seed).toBe(adv.config.seed);
    expect(base.config.data).toEqual(adv.config.data);
    expect(statuses.filter((s) => s.experimentId === experiment.id).map((s) => `${s.runId === baseId ? 'base' : 'adv'}:${s.status}`)).toEqual([
      'base:queued', 'adv:queued', 'base:running', 'base:completed', 'adv:running', 'adv:completed',
    ]);

    for (const run of [base, adv]) {
      expect(run.epochMetrics.map((e) => e.epoch)).toEqual([1, 2]);
      expect(run.engine?.backend).toBe('tensorflow');
      expect(run.artifacts.filter((a) => a.kind === 'checkpoint')).toHaveLength(2);
      const model = run.artifacts.find((a) => a.kind === 'model')!;
      expect(model.path).toBe(path.join(home.home, 'runs', run.id, 'model', 'model.json'));
      expect(existsSync(model.path)).toBe(true);
      expect(run.cleanAccuracy).not.toBeNull();
      expect(run.robustAccuracy).not.toBeNull();
      expect(run.outputKind).toBe('probabilities');
    }
    expect(base.epochMetrics[1]!.metrics.scaled_adversarial_loss).toBe(0);
    expect(adv.epochMetrics[1]!.metrics.scaled_adversarial_loss).toBeGreaterThan(0);
    const describeEval = (e: { attack: string; steps: number; sourceRunId: string | null; epsilon: number }) => `${e.attack}/${e.steps}/${e.epsilon}/${e.sourceRunId === baseId ? 'from-base' : e.sourceRunId ?? 'self'}`;
    expect(base.evaluations.map(describeEval)).toEqual(['clean/0/0/self', 'fgsm/1/0.2/self', 'pgd/20/0.2/self']);
    expect(adv.evaluations.map(describeEval)).toEqual(['clean/0/0/self', 'fgsm/1/0.2/from-base', 'fgsm/1/0.2/self', 'pgd/20/0.2/self']);
    expect(evaluations.map((e) => e.evaluation.id)).toEqual([...base.evaluations, ...adv.evaluations].map((e) => e.id));

    const metrics = await lab.getMetrics({ runId: advId, granularity: 'batch' });
    expect(metrics.batches.length).toBeGreaterThan(0);
    expect(progress.some((p) => p.runId === advId && p.phase === 'train' && p.epoch === 2)).toBe(true);
    expect(progress.some((p) => p.runId === advId && p.phase === 'evaluate')).toBe(true);

    // the adv run's gallery shows both models; the base model (trained first) is the peer
    const fgsm = adv.evaluations.find((e) => e.attack === 'fgsm' && e.sourceRunId === null)!;
    const gallery = await lab.getGallery({ evaluationId: fgsm.id });
    expect(gallery.samples).toHaveLength(Math.min(256, fgsm.count));
    expect(gallery.samples[0]!.predictions.map((p) => p.role)).toEqual(['adv', 'base']);

    // every evaluation keeps each example's prediction: its confusion matrix sums to its count, its diagonal to its correct
    for (const e of [...base.evaluations, ...adv.evaluations]) {
      const c = await lab.confusion({ evaluationId: e.id });
      expect(c).toMatchObject({ evaluationId: e.id, runId: e.runId, classes: 10, count: e.count, correct: e.correct });
      expect(c.matrix.flat().reduce((a, b) => a + b, 0)).toBe(e.count);
      expect(c.matrix.reduce((sum, row, i) => sum + row[i]!, 0)).toBe(e.correct);
      expect(c.perClass.map((p) => p.accuracy)).toEqual(e.perClassAccuracy.map((a) => (a === null ? null : expect.closeTo(a, 12))));
    }
  });

  it('confusion names the field of a bad request, and an unknown evaluation', async () => {
    await expect(lab.confusion({ evaluationId: 0 })).rejects.toMatchObject({ code: 'invalid_argument', field: 'evaluationId', message: 'evaluationId must be ≥ 1 (got 0)' });
    await expect(lab.confusion({ evaluationId: 1.5 })).rejects.toMatchObject({ code: 'invalid_argument', field: 'evaluationId', message: 'evaluationId must be an int (got 1.5)' });
    await expect(lab.confusion({ evaluationId: 'x' } as never)).rejects.toMatchObject({ code: 'invalid_argument', field: 'evaluationId', message: 'evaluationId must be a finite number (got "x")' });
    await expect(lab.confusion({} as never)).rejects.toMatchObject({ code: 'invalid_argument', field: 'evaluationId', message: 'evaluationId must be a finite number (got nothing)' });
    await expect(lab.confusion({ evaluationId: 1, extra: 1 } as never)).rejects.toMatchObject({ code: 'invalid_argument', field: 'extra', message: 'unknown field "extra"' });
    await expect(lab.confusion({ evaluationId: 99999 })).rejects.toMatchObject({ code: 'not_found', field: 'evaluationId', message: 'evaluation 99999 does not exist (it may have been deleted)' });
  });

  it('evaluates a trained run on request, white-box and transfer', async () => {
    const seen: EvaluationEvent[] = [];
    const off = lab.onEvaluation((e) => seen.push(e));
    const { jobId } = await lab.evaluate({ runId: baseId, attack: 'pgd', epsilons: [0.1, 0.3], steps: 3 });
    expect(jobId).toMatch(/\S/);
    await lab.evaluate({ runId: advId, attack: 'fgsm', epsilons: [0.1], sourceRunId: baseId });
    await lab.whenIdle();
    off();
    expect(seen.map((e) => [e.runId === baseId ? 'base' : 'adv', e.evaluation.attack, e.evaluation.epsilon, e.evaluation.sourceRunId === baseId])).toEqual([
      ['base', 'pgd', 0.1, false],
      ['base', 'pgd', 0.3, false],
      ['adv', 'fgsm', 0.1, true],
    ]);
    const listed = await lab.listEvaluations({ runId: baseId });
    expect(listed.at(-1)!.id).toBe(seen[1]!.evaluation.id);
    expect((await lab.getRun({ runId: baseId })).status).toBe('completed');
  });

  it('exports a model as a TF.js folder or an ONNX file, with metadata', async () => {
    const outDir = path.join(home.home, 'export-tfjs');
    const { files } = await lab.exportModel({ runId: advId, format: 'tfjs', outDir });
    expect(files.map((f) => path.basename(f))).toEqual(['model.json', 'weights.bin', 'README.txt', 'metadata.json']);
    expect(files.every((f) => existsSync(f))).toBe(true);
    const metadata = JSON.parse(readFileSync(path.join(outDir, 'metadata.json'), 'utf8'));
    expect(metadata.labels).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(metadata.run.id).toBe(advId);
    const onnx = await lab.exportModel({ runId: advId, format: 'onnx', outDir: path.join(home.home, 'export-onnx') });
    expect(onnx.files).toEqual([path.join(home.home, 'export-onnx', 'model.onnx')]);
    expect(readFileSync(onnx.files[0]!).length).toBeGreaterThan(1000);
    expect((await lab.getRun({ runId: advId })).artifacts.filter((a) => a.kind === 'export').map((a) => a.path)).toEqual([files[0], onnx.files[0]]);
    await expect(lab.exportModel({ runId: 'run_missing', format: 'tfjs', outDir })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('validates every request and names the field and the allowed range', async () => {
    await expect(lab.createExperiment({ config: tinyConfig({ hparams: { epochs: 0 } }) })).rejects.toMatchObject({ code: 'invalid_argument', field: 'config.hparams.epochs', message: expect.stringContaining('≥ 1') });
    await expect(lab.createExperiment({ config: tinyConfig({ attacks: [{ attack: 'fgsm', steps: 4, epsilons: [0.1] }] }) })).rejects.toMatchObject({ code: 'invalid_argument', field: 'config.attacks.0.steps' });
    await expect(lab.createExperiment({ config: tinyConfig({ advReg: { featureMask: [1, 0, 1] } }) })).rejects.toMatchObject({ code: 'invalid_argument', field: 'config.advReg.featureMask', message: expect.stringContaining('784 entries') });
    await expect(lab.getRun({ runId: 'nope' })).rejects.toMatchObject({ code: 'invalid_argument', field: 'runId' });
    await expect(lab.getRun({ runId: 'run_doesnotexist' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(lab.listExperiments({ extra: 1 } as never)).rejects.toMatchObject({ code: 'invalid_argument' });
    // nothing was created by the refused requests
    expect((await lab.listExperiments({})).length).toBe(1);
  });

  it('refuses to resume a completed run and to cancel a finished one', async () => {
    await expect(lab.resumeRun(baseId)).rejects.toMatchObject({ code: 'failed_precondition', message: expect.stringContaining('completed') });
    await expect(lab.cancelRun({ runId: baseId })).rejects.toMatchObject({ code: 'failed_precondition' });
  });

  it('reports the engine, the datasets and an empty queue', async () => {
    const engine = await lab.engineInfo({});
    expect(engine.backend).toBe('tensorflow');
    expect(engine.tfVersion).not.toBeNull();
    const datasets = await lab.listDatasets({});
    expect(datasets.find((d) => d.id === 'mnist-sample')).toMatchObject({ available: true, count: 10_000 });
    expect(await lab.listJobs({})).toEqual([]);
  });

  it('deletes a finished run with its folder', async () => {
    const folder = path.join(home.home, 'runs', baseId);
    expect(existsSync(folder)).toBe(true);
    expect(await lab.deleteRun({ runId: baseId })).toEqual({ deleted: [baseId] });
    expect(existsSync(folder)).toBe(false);
    await expect(lab.getRun({ runId: baseId })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('imports an IDX dataset and trains on it', async () => {
    // 300 synthetic 28×28 digits: class k is a bright horizontal band at rows 2k..2k+3, so a model can learn it
    const count = 300;
    const images = new Uint8Array(count * 28 * 28);
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      labels[i] = i % 10;
      for (let r = 2 * labels[i]!; r < 2 * labels[i]! + 4; r++) images.fill(200 + (i % 50), i * 784 + r * 28, i * 784 + r * 28 + 28);
    }
    const dir = path.join(home.home, 'idx-source');
    await writeIdxFile(path.join(dir, 'images.idx'), { dims: [count, 28, 28], data: images });
    await writeIdxFile(path.join(dir, 'labels.idx'), { dims: [count], data: labels });
    const info = await lab.importDataset({ name: 'Bands', source: { kind: 'idx', imagesPath: path.join(dir, 'images.idx'), labelsPath: path.join(dir, 'labels.idx') } });
    expect(info).toMatchObject({ kind: 'imported', name: 'Bands', count, available: true });
    expect((await lab.listDatasets({})).map((d) => d.id)).toContain(info.id);

    const { runs } = await lab.createExperiment({ config: tinyConfig({ name: 'bands', runs: ['base'], data: { dataset: { kind: 'imported', id: info.id }, trainSize: 200, testSize: 100 }, hparams: { convFilters: [4], numFcUnits: [8], epochs: 2, batchSize: 20, learningRate: 0.01 } }) });
    await lab.whenIdle();
    const run = await lab.getRun({ runId: runs[0]!.id });
    expect(run.status).toBe('completed');
    expect(run.evaluations[0]!.count).toBe(100);
  });

  it('edits, filters and deletes through the store, removing run folders from disk', async () => {
    const edited = await lab.updateRun({ runId: advId, name: 'renamed', tags: ['keep'], notes: 'n' });
    expect(edited).toMatchObject({ name: 'renamed', tags: ['keep'] });
    expect((await lab.listRuns({ tag: 'keep' })).map((r) => r.id)).toEqual([advId]);
    const experimentId = edited.experimentId;
    const folder = path.join(home.home, 'runs', advId);
    expect(existsSync(folder)).toBe(true);
    expect(await lab.deleteExperiment({ experimentId })).toEqual({ deleted: [experimentId, advId] });
    expect(existsSync(folder)).toBe(false);
    await expect(lab.getExperiment({ experimentId })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('close stops the worker and refuses later calls', async () => {
    const pid = lab.workerPid();
    expect(pid).toBeDefined();
    await lab.close();
    expect(() => process.kill(pid!, 0)).toThrow();
    await expect(lab.listRuns({})).rejects.toMatchObject({ code: 'failed_precondition' });
    await lab.close();
  });
});
