// Evaluation results as the worker reports them and the store keeps them: a class absent from the test split has null accuracy.
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { buildModel } from '../../../../../src/main/lab/models/builders';
import { openStore } from '../../../../../src/main/lab/store';
import { runEvaluations } from '../../../../../src/main/lab/worker/evaluations';
import { runTrainJob } from '../../../../../src/main/lab/worker/jobs';
import { loadRunData } from '../../../../../src/main/lab/worker/run-data';
import { type EvaluationResult } from '../../../../../src/main/lab/worker/protocol';
import { ExperimentConfigSchema } from '../../../../../src/shared/schemas';
import { CLEAN_TASK, FGSM_TASK, Inbox, tinyExperiment, tinyRunConfig, trainJob } from './fixtures';

let dir: string;
beforeAll(async () => {
  await initEngine();
  dir = mkdtempSync(path.join(os.tmpdir(), 'rlab-evaluations-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runEvaluations', () => {
  it('reports null accuracy for a class with no test example, and the store keeps it null', async () => {
    const config = tinyRunConfig('base');
    const model = buildModel(config.hparams, config.seed);
    // 20 images of classes 0..8: class 9 has no example
    const count = 20;
    const pixels = new Uint8Array(count * 28 * 28).map((_, i) => (i * 37) % 256);
    const labels = Uint8Array.from({ length: count }, (_, i) => i % 9);
    const results: EvaluationResult[] = [];
    const tensors = tf.memory().numTensors;
    try {
      await runEvaluations(
        {
          target: { runId: 'run_t1', role: 'base', model },
          peer: null,
          test: { images: { pixels, shape: [count, 28, 28, 1] }, labels, classNames: Array.from({ length: 10 }, (_, i) => String(i)), subset: { dataset: 'synthetic', splitSeed: 0, size: count, indicesHash: '00112233aabbccdd' } },
          loadSource: () => Promise.reject(new Error('no transfer task here')),
          onResult: (r) => results.push(r),
          onProgress: () => undefined,
          shouldStop: () => false,
        },
        [CLEAN_TASK],
      );
    } finally {
      model.dispose();
    }
    expect(tf.memory().numTensors).toBe(tensors - model.weights.length);
    const perClass = results[0]!.perClassAccuracy;
    expect(perClass).toHaveLength(10);
    expect(perClass[9]).toBeNull();
    expect(perClass.slice(0, 9).every((a) => typeof a === 'number' && a >= 0 && a <= 1)).toBe(true);

    const store = openStore(path.join(dir, 'lab.sqlite'));
    try {
      const experiment = ExperimentConfigSchema.parse(tinyExperiment({ runs: ['base'] }));
      const { runs } = store.createExperiment(experiment, [{ role: 'base', name: 'tiny · base', config }]);
      const runId = runs[0]!.id;
      const stored = store.recordEvaluation({ ...results[0]!, runId });
      expect(stored.perClassAccuracy).toEqual(perClass);
      expect(store.listEvaluations(runId)[0]!.perClassAccuracy[9]).toBeNull();
    } finally {
      store.close();
    }
  });

  it('reports each example\'s label and prediction: the stored confusion matrix\'s diagonal is the correct count, its rows the class counts', async () => {
    const config = tinyRunConfig('adv', { hparams: { convFilters: [4], numFcUnits: [8], epochs: 1, batchSize: 32 } });
    const cacheDir = path.join(dir, 'data');
    const inbox = new Inbox();
    const tensors = tf.memory().numTensors;
    await runTrainJob(trainJob(path.join(dir, 'run_confusion'), cacheDir, config, { evaluations: [CLEAN_TASK, FGSM_TASK] }), { post: inbox.post, cancelRequested: () => false });
    expect(tf.memory().numTensors).toBe(tensors);
    const results = inbox.of('evaluation').map((m) => m.evaluation);
    expect(results.map((r) => r.attack)).toEqual(['clean', 'fgsm']);
    const { test } = await loadRunData(config, cacheDir);
    const classCounts = Array.from({ length: 10 }, (_, c) => test.labels.filter((l) => l === c).length);

    const store = openStore(path.join(dir, 'confusion.sqlite'));
    try {
      const experiment = ExperimentConfigSchema.parse(tinyExperiment({ runs: ['adv'] }));
      const runId = store.createExperiment(experiment, [{ role: 'adv', name: 'tiny · adv', config }]).runs[0]!.id;
      for (const r of results) {
        expect(Array.from(r.labels!)).toEqual(Array.from(test.labels));
        expect(r.predictions).toHaveLength(128);
        const stored = store.recordEvaluation({ ...r, runId });
        const c = store.confusion(stored.id);
        expect(c.count).toBe(128);
        expect(c.matrix.reduce((sum, row, i) => sum + row[i]!, 0)).toBe(stored.correct);
        expect(c.correct).toBe(r.correct);
        expect(c.matrix.map((row) => row.reduce((a, b) => a + b, 0))).toEqual(classCounts);
        expect(c.perClass.map((p) => p.accuracy)).toEqual(r.perClassAccuracy.map((a) => (a === null ? null : expect.closeTo(a, 12))));
      }
    } finally {
      store.close();
    }
  });
});
