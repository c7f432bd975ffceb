import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunDetail } from '../../../../../src/shared/contract';
import { ExperimentConfigSchema } from '../../../../../src/shared/schemas';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { buildModel } from '../../../../../src/main/lab/models/builders';
import { saveModelFiles } from '../../../../../src/main/lab/run/model-files';
import { modelPathOf, readRunRecord, writeExperimentRecord, writeRunRecord } from '../../../../../src/main/lab/run/run-record';
import { runConfigFor } from '../../../../../src/main/lab/service/run-config';

let tmp: string;
let modelJson: string;

beforeAll(async () => {
  await initEngine();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'rlab-run-record-'));
  const config = ExperimentConfigSchema.parse({ hparams: { convFilters: [2], numFcUnits: [4] } });
  const model = buildModel(config.hparams, 1);
  modelJson = (await saveModelFiles(model, path.join(tmp, 'runs', 'run_a', 'model'))).modelPath;
  model.dispose();
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function detail(id: string, role: 'base' | 'adv', withModel: boolean): RunDetail {
  const config = runConfigFor(ExperimentConfigSchema.parse({ hparams: { convFilters: [2], numFcUnits: [4], epochs: 2 } }), role);
  return {
    id, experimentId: 'exp_1', experimentName: 'e', name: `e · ${role}`, role, seed: 0, status: 'completed',
    createdAt: '2025-01-01T00:00:00.000Z', startedAt: '2025-01-01T00:00:01.000Z', finishedAt: '2025-01-01T00:00:09.000Z', durationMs: 8000,
    epochsDone: 2, epochs: 2, cleanAccuracy: 0.9, robustAccuracy: 0.4, robustLabel: 'FGSM ∞ ε0.2', headline: null, backend: 'tensorflow', tags: ['t'], error: null,
    config, engine: null, notes: 'n',
    epochMetrics: [{ epoch: 1, metrics: { loss: 1 }, durationMs: 4000 }, { epoch: 2, metrics: { loss: 0.5 }, durationMs: 4000 }],
    evaluations: [],
    ensembles: [],
    attempts: [],
    artifacts: withModel
      ? [{ kind: 'checkpoint', path: path.join(tmp, 'ckpt'), createdAt: '2025-01-01T00:00:05.000Z' }, { kind: 'model', path: modelJson, createdAt: '2025-01-01T00:00:08.000Z' }]
      : [],
  };
}

describe('run records', () => {
  it('write run.json with config, metrics and evaluations, and copy the model next to it', async () => {
    const run = detail('run_a', 'adv', true);
    const out = path.join(tmp, 'out-one');
    const { runJson, files } = await writeRunRecord(run, out);
    expect(files).toEqual([runJson, path.join(out, 'model', 'model.json'), path.join(out, 'model', 'weights.bin')]);
    const record = await readRunRecord(runJson);
    expect(record.run.id).toBe('run_a');
    expect(record.config).toEqual(run.config);
    expect(record.metrics.epochs).toEqual(run.epochMetrics);
    expect(record.summary).toEqual({ cleanAccuracy: 0.9, robustAccuracy: 0.4, robustLabel: 'FGSM ∞ ε0.2' });
    expect(record.modelFiles).toEqual(['model/model.json', 'model/weights.bin']);
    expect(readFileSync(path.join(out, 'model', 'weights.bin'))).toEqual(readFileSync(path.join(path.dirname(modelJson), 'weights.bin')));
  });

  it('a run without a model gets run.json only', async () => {
    const { files } = await writeRunRecord(detail('run_b', 'base', false), path.join(tmp, 'out-nomodel'));
    expect(files).toEqual([path.join(tmp, 'out-nomodel', 'run.json')]);
    expect(modelPathOf(detail('run_b', 'base', false))).toBeNull();
  });

  it('an experiment goes into one folder per role', async () => {
    const out = path.join(tmp, 'out-exp');
    const { dirs } = await writeExperimentRecord([detail('run_b', 'base', false), detail('run_a', 'adv', true)], out);
    expect(dirs).toEqual({ run_b: path.join(out, 'base'), run_a: path.join(out, 'adv') });
    expect((await readRunRecord(path.join(out, 'adv', 'run.json'))).run.role).toBe('adv');
  });

  it('refuses to read a file that is not a run record', async () => {
    await expect(readRunRecord(modelJson)).rejects.toMatchObject({ code: 'corrupt_data' });
  });
});
