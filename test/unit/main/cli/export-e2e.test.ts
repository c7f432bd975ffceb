// `rlab export`, `rlab report` and `rlab run --base-model` end to end through `node bin/rlab.mjs`, on one tiny trained experiment.
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../../../src/main/lab/engine/tf';
import { ONNX_INPUT_NAME, ONNX_OUTPUT_NAME } from '../../../../src/main/lab/models/export-onnx';
import { loadModelFiles } from '../../../../src/main/lab/run/model-files';
import { EVALUATION_COLUMNS } from '../../../../src/main/lab/report/write-report';
import { type RunDetail, type RunSummary } from '../../../../src/shared/contract';
import { runRlab, type RlabResult } from './rlab-process';
import { writeBadModels } from '../lab/service/bad-models';

/** The tiny run's flags without --conv-filters, so a test can choose its own. */
const TINY_SPLIT = ['--preset', 'quick', '--train-size', '256', '--test-size', '128', '--epochs', '1', '--fc-units', '8'];
const TINY = [...TINY_SPLIT, '--conv-filters', '4'];

let home: string;
let base: RunSummary;
let adv: RunSummary;

function rlab(args: string[], timeoutMs = 120_000): Promise<RlabResult> {
  return runRlab(home, args, timeoutMs);
}

async function listRuns(): Promise<RunSummary[]> {
  return JSON.parse((await rlab(['ls', '--json'])).stdout) as RunSummary[];
}

async function modelPathOf(runId: string): Promise<string> {
  const detail = JSON.parse((await rlab(['show', runId, '--json'])).stdout) as RunDetail;
  return detail.artifacts.filter((a) => a.kind === 'model').at(-1)!.path;
}

/** RFC 4180 rows: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',' || c === '\n') {
      row.push(field);
      field = '';
      if (c === '\n') {
        rows.push(row);
        row = [];
      }
    } else field += c;
  }
  expect(field === '' && row.length === 0 && !quoted, 'CSV ends with a complete line').toBe(true);
  return rows;
}

/** 16 seeded pseudo-images in [0, 1], NHWC. */
function inputs(): tf.Tensor4D {
  return tf.randomUniform([16, 28, 28, 1], 0, 1, 'float32', 11);
}

beforeAll(async () => {
  await initEngine();
  home = mkdtempSync(path.join(os.tmpdir(), 'rlab-export-e2e-'));
  const run = await rlab(['run', ...TINY, '--json'], 280_000);
  expect(run.code, run.stderr).toBe(0);
  const runs = await listRuns();
  base = runs.find((r) => r.role === 'base')!;
  adv = runs.find((r) => r.role === 'adv')!;
}, 300_000);
afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

describe('rlab export', () => {
  it('--format tfjs writes a folder tf.loadLayersModel reads back with predictions identical to the run\'s model', async () => {
    const out = path.join(home, 'models', 'adv');
    const r = await rlab(['export', adv.id, '--format', 'tfjs', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(['model.json', 'weights.bin', 'README.txt', 'metadata.json'].map((f) => `${path.join(out, f)}\n`).join(''));
    expect(readdirSync(out).sort()).toEqual(['README.txt', 'metadata.json', 'model.json', 'weights.bin']);
    expect(JSON.parse(readFileSync(path.join(out, 'metadata.json'), 'utf8'))).toMatchObject({ run: { id: adv.id, role: 'adv' }, labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] });
    const exported = await loadModelFiles(path.join(out, 'model.json'));
    const original = await loadModelFiles(await modelPathOf(adv.id));
    const x = inputs();
    try {
      const [a, b] = tf.tidy(() => [(exported.predict(x) as tf.Tensor).dataSync(), (original.predict(x) as tf.Tensor).dataSync()]);
      expect(Array.from(a!)).toEqual(Array.from(b!));
    } finally {
      tf.dispose([x, exported, original] as tf.TensorContainer);
    }
  });

  it('--format onnx writes the single .onnx file named by --out, and onnxruntime predicts the same classes', async () => {
    const file = path.join(home, 'models', 'adv.onnx');
    const r = await rlab(['export', adv.id, '--format', 'onnx', '--out', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${file}\n`);
    const model = await loadModelFiles(await modelPathOf(adv.id));
    const x = inputs();
    const session = await ort.InferenceSession.create(file);
    try {
      const tfClasses = tf.tidy(() => Array.from((model.predict(x) as tf.Tensor).argMax(1).dataSync()));
      const out = await session.run({ [ONNX_INPUT_NAME]: new ort.Tensor('float32', x.dataSync() as Float32Array, x.shape) });
      const probs = out[ONNX_OUTPUT_NAME]!;
      expect(probs.dims).toEqual([16, 10]);
      const data = probs.data as Float32Array;
      const onnxClasses = Array.from({ length: 16 }, (_, i) => { const row = Array.from(data.subarray(i * 10, i * 10 + 10)); return row.indexOf(Math.max(...row)); });
      expect(onnxClasses).toEqual(tfClasses);
    } finally {
      await session.release();
      tf.dispose([x, model] as tf.TensorContainer);
    }
    // a folder gets model.onnx
    const folder = path.join(home, 'models', 'onnx-folder');
    const f = await rlab(['export', base.id, '--format', 'onnx', '--out', folder]);
    expect(f.stdout).toBe(`${path.join(folder, 'model.onnx')}\n`);
  });

  it('refuses bad input with exit 2 and one line, writing nothing', async () => {
    const aFile = path.join(home, 'a-file');
    writeFileSync(aFile, 'x');
    const cases: [string[], string][] = [
      [['export', adv.id, '--format', 'savedmodel', '--out', path.join(home, 'never')], 'rlab export: --format must be one of tfjs, onnx (got "savedmodel")'],
      [['export', adv.id, '--format', 'tfjs'], 'rlab export: --out is required'],
      [['export', 'run_doesnotexist', '--out', path.join(home, 'never')], 'rlab export: <run_id>: '],
      [['export', adv.id, '--format', 'tfjs', '--out', aFile], `rlab export: --out must be a folder for a TF.js export; ${aFile} is an existing file`],
      [['report', 'exp_doesnotexist', '--out', path.join(home, 'never')], 'rlab report: <id>: '],
      [['report', adv.experimentId], 'rlab report: --out is required'],
    ];
    for (const [args, line] of cases) {
      const r = await rlab(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.startsWith(line), r.stderr).toBe(true);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
    expect(existsSync(path.join(home, 'never'))).toBe(false);
    expect(readFileSync(aFile, 'utf8')).toBe('x');
  });
});

describe('rlab report', () => {
  it('writes report.json, metrics.csv and evaluations.csv, and the CSVs parse with one row per epoch and per evaluation', async () => {
    const out = path.join(home, 'report');
    const r = await rlab(['report', adv.experimentId, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(['report.json', 'metrics.csv', 'evaluations.csv'].map((f) => `${path.join(out, f)}\n`).join(''));
    const doc = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as { experiment: { id: string; runs: RunDetail[] } };
    expect(doc.experiment.id).toBe(adv.experimentId);
    const metrics = parseCsv(readFileSync(path.join(out, 'metrics.csv'), 'utf8'));
    expect(metrics[0]!.slice(0, 3)).toEqual(['run_id', 'role', 'epoch']);
    expect(metrics[0]).toContain('scaled_adversarial_loss');
    expect(metrics.slice(1).map((row) => [row[0], row[1], row[2]]).sort()).toEqual([[adv.id, 'adv', '1'], [base.id, 'base', '1']].sort());
    expect(metrics.every((row) => row.length === metrics[0]!.length)).toBe(true);
    const evaluations = parseCsv(readFileSync(path.join(out, 'evaluations.csv'), 'utf8'));
    const header = evaluations[0]!;
    expect(header).toEqual([...EVALUATION_COLUMNS]);
    expect(header.slice(0, 12)).toEqual(['run_id', 'role', 'attack', 'norm', 'epsilon', 'steps', 'step_size', 'restarts', 'random_start', 'source_run_id', 'accuracy', 'count']);
    expect(evaluations.length - 1).toBe(doc.experiment.runs.reduce((n, run) => n + run.evaluations.length, 0));
    for (const row of evaluations.slice(1)) {
      const accuracy = Number(row[header.indexOf('accuracy')]);
      expect(accuracy >= 0 && accuracy <= 1, row.join(',')).toBe(true);
    }
    expect(evaluations.some((row) => row[0] === adv.id && row[header.indexOf('source_run_id')] === base.id)).toBe(true);
  });
});

describe('rlab run --base-model', () => {
  it('trains from a previously exported TF.js model', async () => {
    const exported = path.join(home, 'models', 'adv', 'model.json');
    expect(existsSync(exported)).toBe(true);
    // --conv-filters 6 would build another model: the run must take the exported one's 4 filters instead
    const r = await rlab(['run', ...TINY_SPLIT, '--conv-filters', '6', '--runs', 'adv', '--name', 'byo', '--base-model', exported, '--adv-multiplier', '0.2', '--json'], 280_000);
    expect(r.code, r.stderr).toBe(0);
    const { runs } = JSON.parse(r.stdout) as { runs: RunDetail[] };
    expect(runs.map((run) => [run.role, run.status, run.config.baseModelPath])).toEqual([['adv', 'completed', exported]]);
    const saved = JSON.parse(readFileSync(await modelPathOf(runs[0]!.id), 'utf8')) as { weightsManifest: { weights: { name: string; shape: number[] }[] }[] };
    expect(saved.weightsManifest[0]!.weights.find((w) => w.name === 'conv2d_0/kernel')!.shape).toEqual([3, 3, 1, 4]);
  }, 300_000);

  it('refuses each broken model manifest with exit 2 and its own message, storing nothing', async () => {
    const bad = writeBadModels(path.join(home, 'models', 'adv'), path.join(home, 'bad-models'));
    const before = await listRuns();
    const folders = readdirSync(path.join(home, 'runs')).sort();
    const lines = new Set<string>();
    for (const b of bad) {
      const r = await rlab(['run', ...TINY, '--base-model', b.modelPath]);
      expect(r.code, `${b.name}: ${r.stderr}`).toBe(2);
      expect(r.stderr.startsWith('rlab run: --base-model is not a usable TF.js layers model: '), r.stderr).toBe(true);
      expect(r.stderr, b.name).toContain(b.says);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
      lines.add(r.stderr.replace(b.modelPath, 'MODEL'));
    }
    expect(lines.size).toBe(bad.length);
    expect((await listRuns()).map((r) => r.id).sort()).toEqual(before.map((r) => r.id).sort());
    expect(readdirSync(path.join(home, 'runs')).sort()).toEqual(folders);
  }, 300_000);
});
