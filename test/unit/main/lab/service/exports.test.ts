// exportModel / exportReport / base model checks of the LabService, on one tiny trained run.
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { createLabService, type LabService } from '../../../../../src/main/lab/service/service';
import { writeBadModels } from './bad-models';
import { tempHome, tinyConfig } from './helpers';

let home: ReturnType<typeof tempHome>;
let lab: LabService;
let runId = '';
let experimentId = '';
/** A run cancelled before it trained: it has no model. */
let untrainedId = '';

beforeAll(async () => {
  await initEngine();
  home = tempHome('rlab-exports-');
  lab = await createLabService({ home: home.home });
  const trained = await lab.createExperiment({ config: tinyConfig({ name: 'exports', runs: ['base'] }) });
  // queued behind the first run, so it is cancelled before it starts
  const untrained = await lab.createExperiment({ config: tinyConfig({ name: 'untrained', runs: ['base'] }) });
  untrainedId = untrained.runs[0]!.id;
  await lab.cancelRun({ runId: untrainedId });
  await lab.whenIdle();
  runId = trained.runs[0]!.id;
  experimentId = trained.experiment.id;
  expect((await lab.getRun({ runId })).status).toBe('completed');
}, 240_000);
afterAll(async () => {
  await lab.close();
  home.remove();
});

const exportsOf = async (kind: 'export' | 'report', id = runId) => (await lab.getRun({ runId: id })).artifacts.filter((a) => a.kind === kind).map((a) => a.path);

describe('exportModel', () => {
  it('writes a TF.js folder, an ONNX file at a .onnx path, or model.onnx in a folder, recording each as an artifact', async () => {
    const dir = path.join(home.home, 'out', 'tfjs');
    const tfjs = await lab.exportModel({ runId, format: 'tfjs', outDir: dir });
    expect(tfjs.files).toEqual(['model.json', 'weights.bin', 'README.txt', 'metadata.json'].map((f) => path.join(dir, f)));
    const file = path.join(home.home, 'out', 'named.onnx');
    expect((await lab.exportModel({ runId, format: 'onnx', outDir: file })).files).toEqual([file]);
    // a second export to the same file is refused, and replaces it only with force
    await expect(lab.exportModel({ runId, format: 'onnx', outDir: file })).rejects.toMatchObject({ code: 'conflict', field: 'outDir' });
    expect((await lab.exportModel({ runId, format: 'onnx', outDir: file, force: true })).files).toEqual([file]);
    const folder = path.join(home.home, 'out', 'onnx-folder');
    expect((await lab.exportModel({ runId, format: 'onnx', outDir: folder })).files).toEqual([path.join(folder, 'model.onnx')]);
    expect(readdirSync(path.join(home.home, 'out')).sort()).toEqual(['named.onnx', 'onnx-folder', 'tfjs']);
    expect(await exportsOf('export')).toEqual([tfjs.files[0], file, file, path.join(folder, 'model.onnx')]);
  });

  it('refuses an unknown run, a run without a model, and an out path that is the wrong kind of thing, writing nothing', async () => {
    const root = path.join(home.home, 'refused');
    mkdirSync(root);
    const aFile = path.join(root, 'a-file');
    writeFileSync(aFile, 'keep me');
    const before = await exportsOf('export');
    await expect(lab.exportModel({ runId: 'run_missing', format: 'tfjs', outDir: path.join(root, 'x') })).rejects.toMatchObject({ code: 'not_found' });
    await expect(lab.exportModel({ runId: untrainedId, format: 'tfjs', outDir: path.join(root, 'x') })).rejects.toMatchObject({ code: 'failed_precondition', field: 'runId', message: expect.stringContaining('cancelled') });
    await expect(lab.exportModel({ runId, format: 'tfjs', outDir: aFile })).rejects.toMatchObject({ code: 'invalid_argument', field: 'outDir', message: `outDir must be a folder for a TF.js export; ${aFile} is an existing file` });
    await expect(lab.exportModel({ runId, format: 'tfjs', outDir: path.join(root, 'm.onnx') })).rejects.toMatchObject({ code: 'invalid_argument', field: 'outDir', message: expect.stringContaining('ends in .onnx') });
    await expect(lab.exportModel({ runId, format: 'onnx', outDir: aFile })).rejects.toMatchObject({ code: 'invalid_argument', field: 'outDir', message: expect.stringContaining('ending in .onnx') });
    await expect(lab.exportModel({ runId, format: 'pb' as 'tfjs', outDir: path.join(root, 'x') })).rejects.toMatchObject({ code: 'invalid_argument', field: 'format' });
    expect(readdirSync(root)).toEqual(['a-file']);
    expect(readFileSync(aFile, 'utf8')).toBe('keep me');
    expect(await exportsOf('export')).toEqual(before);
  });
});

describe('exportReport', () => {
  it('writes report.json, metrics.csv and evaluations.csv and records the report on each run', async () => {
    const dir = path.join(home.home, 'report');
    const { files } = await lab.exportReport({ experimentId, outDir: dir });
    expect(files).toEqual(['report.json', 'metrics.csv', 'evaluations.csv'].map((f) => path.join(dir, f)));
    const doc = JSON.parse(readFileSync(files[0]!, 'utf8')) as { format: string; experiment: { id: string; runs: { id: string }[] } };
    expect(doc.format).toBe('robustness-lab-report');
    expect(doc.experiment.runs.map((r) => r.id)).toEqual([runId]);
    expect(readFileSync(files[1]!, 'utf8').split('\n')[1]).toMatch(new RegExp(`^${runId},base,1,`));
    expect(readFileSync(files[2]!, 'utf8').split('\n')[1]).toMatch(new RegExp(`^${runId},base,clean,`));
    expect(await exportsOf('report')).toEqual([files[0]]);
  });

  it('refuses an unknown or malformed experiment id and an out path that is a file', async () => {
    const aFile = path.join(home.home, 'report-file');
    writeFileSync(aFile, 'x');
    await expect(lab.exportReport({ experimentId: 'exp_missing', outDir: path.join(home.home, 'r2') })).rejects.toMatchObject({ code: 'not_found' });
    await expect(lab.exportReport({ experimentId: 'run_x', outDir: path.join(home.home, 'r2') })).rejects.toMatchObject({ code: 'invalid_argument', field: 'experimentId' });
    await expect(lab.exportReport({ experimentId, outDir: aFile })).rejects.toMatchObject({ code: 'invalid_argument', field: 'outDir', message: `outDir must be a folder for the report; ${aFile} is an existing file` });
    expect(existsSync(path.join(home.home, 'r2'))).toBe(false);
    expect(readFileSync(aFile, 'utf8')).toBe('x');
  });
});

describe('createExperiment with a base model', () => {
  it('refuses each broken model with its own message before storing anything, leaking no tensors', async () => {
    const good = path.join(home.home, 'runs', runId, 'model');
    const bad = writeBadModels(good, path.join(home.home, 'bad-models'));
    const experiments = (await lab.listExperiments({})).length;
    const folders = readdirSync(path.join(home.home, 'runs')).length;
    const messages = new Set<string>();
    const tensors = tf.memory().numTensors;
    for (const b of bad) {
      const err = await lab.createExperiment({ config: tinyConfig({ baseModelPath: b.modelPath }) }).then(
        () => null,
        (e: unknown) => e as { code: string; field: string; message: string },
      );
      expect(err, b.name).toMatchObject({ code: 'invalid_argument', field: 'config.baseModelPath' });
      expect(err!.message, b.name).toContain('config.baseModelPath is not a usable TF.js layers model: ');
      expect(err!.message, b.name).toContain(b.says);
      messages.add(err!.message.replace(b.modelPath, 'MODEL'));
    }
    expect(messages.size).toBe(bad.length);
    expect(tf.memory().numTensors).toBe(tensors);
    await expect(lab.createExperiment({ config: tinyConfig({ baseModelPath: path.join(home.home, 'nope', 'model.json') }) })).rejects.toMatchObject({ code: 'invalid_argument', field: 'config.baseModelPath', message: expect.stringContaining('does not exist') });
    expect((await lab.listExperiments({})).length).toBe(experiments);
    expect(readdirSync(path.join(home.home, 'runs')).length).toBe(folders);
    expect(await lab.listJobs({})).toEqual([]);
  });

  it('accepts an exported model given by a relative path, stores it absolute, and trains from it', async () => {
    const dir = path.join(home.home, 'base-export');
    await lab.exportModel({ runId, format: 'tfjs', outDir: dir });
    const relative = path.relative(process.cwd(), path.join(dir, 'model.json'));
    const { runs } = await lab.createExperiment({ config: tinyConfig({ name: 'from-export', runs: ['adv'], baseModelPath: relative, hparams: { convFilters: [6], numFcUnits: [8], epochs: 1, batchSize: 32 } }) });
    await lab.whenIdle();
    const run = await lab.getRun({ runId: runs[0]!.id });
    expect(run.status, run.error ?? '').toBe('completed');
    expect(run.config.baseModelPath).toBe(path.join(dir, 'model.json'));
    // the trained model has the exported model's 4 conv filters, not the 6 the hparams' builder would make
    const saved = JSON.parse(readFileSync(run.artifacts.find((a) => a.kind === 'model')!.path, 'utf8')) as { weightsManifest: { weights: { name: string; shape: number[] }[] }[] };
    expect(saved.weightsManifest[0]!.weights.find((w) => w.name === 'conv2d_0/kernel')!.shape).toEqual([3, 3, 1, 4]);
  }, 120_000);
});
