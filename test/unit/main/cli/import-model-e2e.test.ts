// `rlab import-model` end to end through the real binary: models made with the lab's builders (softmax) and a flat
// logits model become runs with no training that ls/show list, eval evaluates and export writes; bad models are refused
// with exit 2, one line naming the problem, and nothing stored.
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../src/main/lab/engine/tf';
import { buildModel } from '../../../../src/main/lab/models/builders';
import { saveModelFiles } from '../../../../src/main/lab/run/model-files';
import { type EvaluationRecord, type RunDetail, type RunSummary } from '../../../../src/shared/contract';
import { HParamsSchema } from '../../../../src/shared/schemas';
import { runRlab, type RlabResult } from './rlab-process';

let home: string;
let work: string;

function rlab(args: string[], timeoutMs = 180_000): Promise<RlabResult> {
  return runRlab(home, args, timeoutMs);
}

beforeAll(async () => {
  home = mkdtempSync(path.join(os.tmpdir(), 'rlab-import-e2e-'));
  work = mkdtempSync(path.join(os.tmpdir(), 'rlab-import-models-'));
  await initEngine();
  const cnn = buildModel(HParamsSchema.parse({ convFilters: [4], numFcUnits: [8] }), 1);
  await saveModelFiles(cnn, path.join(work, 'cnn'));
  cnn.dispose();
  // a logits classifier on flattened images, as many exported models are
  const flat = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 12, activation: 'relu' }), tf.layers.dense({ units: 10 })] });
  await saveModelFiles(flat, path.join(work, 'flat'));
  const single = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 1, activation: 'sigmoid' })] });
  await saveModelFiles(single, path.join(work, 'single'));
  flat.dispose();
  single.dispose();
});
afterAll(() => {
  rmSync(home, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

describe('rlab import-model', () => {
  it('refuses bad models and bad flags with exit 2 and one line, storing nothing', async () => {
    const passwd = path.join(work, 'passwd');
    writeFileSync(passwd, 'root:x:0:0:root:/root:/bin/bash\n');
    const cases: [string[], string][] = [
      [['import-model', path.join(work, 'cnn', 'model.json')], 'rlab import-model: --name is required: the name of the new run, e.g. --name my-model'],
      [['import-model', path.join(work, 'nope.json'), '--name', 'x'], `rlab import-model: <model.json> must be the model.json of a saved TF.js layers model (${path.join(work, 'nope.json')} does not exist)`],
      [['import-model', passwd, '--name', 'x'], `rlab import-model: <model.json> is not a usable TF.js layers model: ${passwd} is not a TF.js layers model.json (not valid JSON)`],
      [['import-model', path.join(work, 'single', 'model.json'), '--name', 'x'], `rlab import-model: <model.json> is not a usable TF.js layers model: ${path.join(work, 'single', 'model.json')}: the model outputs [1] per example; a classifier needs at least 2 output units`],
      [['run', '--preset', 'quick', '--base-model', passwd], `rlab run: --base-model is not a usable TF.js layers model: ${passwd} is not a TF.js layers model.json (not valid JSON)`],
      [['import-model', path.join(work, 'cnn', 'model.json'), '--name', 'x', '--dataset', 'nope'], 'rlab import-model: --dataset must be one of mnist-sample, mnist, fashion-mnist, imported:ID (got "nope")'],
    ];
    for (const [args, line] of cases) {
      const r = await rlab(args);
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toEqual([line]);
      expect(r.stderr).not.toContain('root:x');
      expect(r.stdout).toBe('');
    }
    const ls = await rlab(['ls', '--json']);
    expect(JSON.parse(ls.stdout)).toEqual([]);
    expect(existsSync(path.join(home, 'runs')) ? readdirSync(path.join(home, 'runs')) : []).toEqual([]);
  }, 600_000);

  it('imports a builder CNN and a flat logits model as completed runs that ls, show, eval and export work on', async () => {
    const a = await rlab(['import-model', path.join(work, 'cnn', 'model.json'), '--name', 'mine', '--tags', 'byo', '--json']);
    expect(a.code, a.stderr).toBe(0);
    const imported = JSON.parse(a.stdout) as { run: RunSummary; experiment: { id: string; runIds: string[] } };
    expect(imported.run).toMatchObject({ name: 'mine', status: 'completed', kind: 'imported', outputKind: 'probabilities', epochsDone: 0, tags: ['byo'] });
    expect(imported.experiment.runIds).toEqual([imported.run.id]);
    // its clean accuracy is measured with the import, on the run's own test split
    expect(imported.run.cleanAccuracy).toEqual(expect.any(Number));

    const b = await rlab(['import-model', path.join(work, 'flat', 'model.json'), '--name', 'flat logits']);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/^imported .*flat\/model\.json as run run_\w+ "flat logits" \(experiment exp_\w+\), logits output; evaluate it with `rlab eval run_\w+ --attack pgd --eps 0\.1`\n$/);
    const flatId = /as run (run_\w+)/.exec(b.stdout)![1]!;

    const ls = await rlab(['ls']);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(new RegExp(`${imported.run.id}\\s+mine\\s+imported\\s+completed`));
    expect(ls.stdout).toMatch(new RegExp(`${flatId}\\s+flat logits\\s+imported\\s+completed`));

    const show = await rlab(['show', flatId, '--json']);
    const detail = JSON.parse(show.stdout) as RunDetail;
    expect(detail.config.imported).toMatchObject({ sourcePath: path.join(work, 'flat', 'model.json'), layers: 2, parameters: 784 * 12 + 12 + 12 * 10 + 10, inputKind: 'flat', outputKind: 'logits' });
    const modelFile = detail.artifacts.find((x) => x.kind === 'model')!.path;
    expect(modelFile).toBe(path.join(home, 'runs', flatId, 'model', 'model.json'));
    const text = await rlab(['show', flatId]);
    expect(text.stdout).toContain(`model file imported from ${path.join(work, 'flat', 'model.json')}: 2 layers, 9550 parameters, outputs logits, flat input (no training)`);

    // the run's copy is independent of the source folder
    rmSync(path.join(work, 'flat'), { recursive: true, force: true });
    const ev = await rlab(['eval', flatId, '--attack', 'fgsm', '--eps', '0.1', '--json'], 300_000);
    expect(ev.code, ev.stderr).toBe(0);
    const after = JSON.parse((await rlab(['show', flatId, '--json'])).stdout) as RunDetail;
    const fgsm = after.evaluations.filter((e: EvaluationRecord) => e.attack === 'fgsm');
    expect(fgsm).toHaveLength(1);
    expect(fgsm[0]!.count).toBe(2000);
    expect(fgsm[0]!.accuracy).toBeGreaterThanOrEqual(0);
    expect(fgsm[0]!.accuracy).toBeLessThanOrEqual(1);
    const clean = after.evaluations.filter((e: EvaluationRecord) => e.attack === 'clean');
    expect(clean).toHaveLength(1);
    expect(clean[0]!.count).toBe(2000);
    expect(clean[0]!.subset).toEqual(fgsm[0]!.subset);
    expect(after.cleanAccuracy).toBe(clean[0]!.accuracy);
    expect(fgsm[0]!.accuracy).toBeLessThanOrEqual(clean[0]!.accuracy);

    const out = path.join(work, 'exported');
    const ex = await rlab(['export', flatId, '--format', 'tfjs', '--out', out]);
    expect(ex.code, ex.stderr).toBe(0);
    expect(existsSync(path.join(out, 'model.json'))).toBe(true);
  }, 900_000);
});
