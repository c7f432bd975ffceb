// Decompression and topology bombs against a real LabService host process: each is refused with a message that names
// the file and what is wrong (never its contents), nothing is stored, and the host's peak RSS (VmHWM from
// /proc/<pid>/status) stays within a ceiling over its own baseline.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeIdx } from '../../../../../src/main/lab/data/idx';
import { buildModel } from '../../../../../src/main/lab/models/builders';
import { saveModelFiles } from '../../../../../src/main/lab/run/model-files';
import { HParamsSchema } from '../../../../../src/shared/schemas';
import { writeDenseBomb } from '../models/bomb-models';

const here = path.dirname(fileURLToPath(import.meta.url));
/** How far above its own baseline the host's peak may go: the bombs would take it to gigabytes. */
const CEILING_KB = 150 * 1024;
const hasProc = existsSync('/proc/self/status');

let root: string;

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'rlab-bombs-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

interface CaseResult {
  name: string;
  ok: boolean;
  code?: string;
  field?: string;
  message?: string;
  /** VmHWM reset to the current RSS just before the case, and VmHWM after it. */
  baselineKb: number;
  peakKb: number;
}

function runHost(home: string, cases: unknown[]): Promise<{ baselineKb: number; results: CaseResult[]; runs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'bomb-host.ts'), home, JSON.stringify(cases)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (err += String(d)));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`the host exited with ${String(code)}: ${err.slice(-2000)}`));
      else resolve(JSON.parse(line));
    });
  });
}

/**
 * A gzip file of a few MB: an IDX header declaring `dims`, then `copies` gzip members of 64 MiB of zeros each
 * (gzip readers inflate concatenated members as one stream), so it expands to `copies` × 64 MiB.
 */
function gzipBomb(file: string, dims: number[], copies: number): void {
  // the IDX header only: magic 0x0000 08 NN, then one big-endian uint32 per dimension
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  const zeros = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
  writeFileSync(file, Buffer.concat([zlib.gzipSync(header), ...Array.from({ length: copies }, () => zeros)]));
}

describe.skipIf(!hasProc)('input bombs against a real host process', () => {
  it('a ~2 MB gzipped IDX expanding to 2 GiB, and one declaring 3 TB, are refused without the host growing', async () => {
    const home = path.join(root, 'idx-home');
    const bomb = path.join(root, 'bomb-images.gz');
    gzipBomb(bomb, [60000, 28, 28], 32);
    const huge = path.join(root, 'huge-images.gz');
    gzipBomb(huge, [4_000_000_000, 28, 28], 1);
    const labels = path.join(root, 'labels.idx');
    writeFileSync(labels, encodeIdx({ dims: [60000], data: new Uint8Array(60000) }));
    const { results, runs } = await runHost(home, [
      { name: 'gzip bomb', method: 'importDataset', request: { name: 'bomb', source: { kind: 'idx', imagesPath: bomb, labelsPath: labels } } },
      { name: 'declared 3 TB', method: 'importDataset', request: { name: 'huge', source: { kind: 'idx', imagesPath: huge, labelsPath: labels } } },
    ]);
    const [gz, declared] = results as [CaseResult, CaseResult];
    expect(gz).toMatchObject({ ok: false, code: 'corrupt_data', field: 'file', message: `${bomb} inflates to more than the 47040016 bytes its dimensions [60000, 28, 28] describe; it is not a valid IDX file` });
    expect(declared).toMatchObject({ ok: false, code: 'unsupported', message: `${huge} declares dimensions [4000000000, 28, 28], 3136000000016 bytes; an IDX file may hold at most 268435456 bytes` });
    for (const r of results) expect(r.peakKb - r.baselineKb, `${r.name}: peak ${r.peakKb} kB vs baseline ${r.baselineKb} kB`).toBeLessThan(CEILING_KB);
    expect(runs).toBe(0);
    expect(readdirSync(path.join(home, 'data')).filter((d) => d.startsWith('bomb') || d.startsWith('huge'))).toEqual([]);
  }, 240_000);

  it('a 200,000-unit Dense model.json, /etc/passwd and symlinked weights are refused by the engine worker, the host staying small', async () => {
    const home = path.join(root, 'model-home');
    const dense = writeDenseBomb(path.join(root, 'dense-bomb'));
    // a real small model whose weights.bin is a link to a file outside its folder
    const linked = path.join(root, 'linked');
    const outside = path.join(root, 'outside');
    mkdirSync(outside);
    const model = buildModel(HParamsSchema.parse({ model: 'mlp', numFcUnits: [8] }), 0);
    await saveModelFiles(model, outside);
    model.dispose();
    mkdirSync(linked);
    writeFileSync(path.join(linked, 'model.json'), readFileSync(path.join(outside, 'model.json')));
    symlinkSync(path.join(outside, 'weights.bin'), path.join(linked, 'weights.bin'));
    const passwd = existsSync('/etc/passwd') ? '/etc/passwd' : path.join(root, 'passwd');
    if (passwd !== '/etc/passwd') writeFileSync(passwd, 'root:x:0:0:root:/root:/bin/sh\n');

    // the other ways a model.json is not an importable classifier, each refused with its own message
    const variant = (name: string, edit: (layers: Record<string, unknown>[], json: Record<string, unknown>) => void): string => {
      const file = writeDenseBomb(path.join(root, name), 16);
      const json = JSON.parse(readFileSync(file, 'utf8')) as { modelTopology: { config: { layers: Record<string, unknown>[] } } } & Record<string, unknown>;
      edit(json.modelTopology.config.layers, json);
      writeFileSync(file, JSON.stringify(json));
      return file;
    };
    const wide = variant('too-many-params', (layers) => {
      layers.splice(2, 0, ...Array.from({ length: 5 }, (_, i) => ({ class_name: 'Dense', config: { name: `wide${i}`, units: 8192 } })));
    });
    const lambda = variant('unknown-layer', (layers) => {
      layers.splice(2, 0, { class_name: 'Lambda', config: { name: 'code', function: 'return x' } });
    });
    const rank3 = variant('rank-3-output', (layers) => {
      layers.splice(0, 1, { class_name: 'Reshape', config: { name: 'r', batch_input_shape: [null, 28, 28, 1], target_shape: [28, 28] } });
    });
    const missing = variant('missing-weights', (_layers, json) => {
      json.weightsManifest = [{ paths: ['shard1.bin'], weights: [{ name: 'huge/kernel', shape: [784, 16], dtype: 'float32' }] }];
    });

    const { results, runs } = await runHost(home, [
      { name: 'too many parameters', method: 'importModel', request: { modelPath: wide, name: 'wide' } },
      { name: 'unknown layer class', method: 'importModel', request: { modelPath: lambda, name: 'lambda' } },
      { name: 'output rank 3', method: 'importModel', request: { modelPath: rank3, name: 'rank3' } },
      { name: 'missing weights file', method: 'importModel', request: { modelPath: missing, name: 'missing' } },
      { name: 'dense bomb (import-model)', method: 'importModel', request: { modelPath: dense, name: 'bomb' } },
      { name: 'dense bomb (base model)', method: 'createExperiment', request: { config: { name: 'x', baseModelPath: dense, hparams: { model: 'mlp', numFcUnits: [8], epochs: 1 }, data: { trainSize: 64, testSize: 32 } } } },
      { name: 'passwd', method: 'importModel', request: { modelPath: passwd, name: 'passwd' } },
      { name: 'symlinked weights', method: 'importModel', request: { modelPath: path.join(linked, 'model.json'), name: 'linked' } },
    ]);
    const [tooMany, unknown, rank, absent, bomb, base, pw, link] = results as CaseResult[] as [CaseResult, CaseResult, CaseResult, CaseResult, CaseResult, CaseResult, CaseResult, CaseResult];
    const refused = `modelPath is not a usable TF.js layers model: `;
    expect(tooMany).toMatchObject({ ok: false, code: 'invalid_argument', field: 'modelPath', message: expect.stringMatching(/the model has more than 20000000 parameters \(reached \d+ at layer "wide1"\); an imported model may have at most 20000000$/) });
    expect(unknown).toMatchObject({ ok: false, code: 'invalid_argument', field: 'modelPath', message: expect.stringContaining(`${refused}${lambda}: layer "code" has class "Lambda", which cannot be imported; allowed: `) });
    expect(rank).toMatchObject({ ok: false, field: 'modelPath', message: expect.stringContaining('(output rank 3); a classifier outputs one score per class (rank 2)') });
    expect(absent).toMatchObject({ ok: false, field: 'modelPath', message: `${refused}${missing}: weights file shard1.bin cannot be read (ENOENT)` });
    const units = `${dense}: layer "huge" (Dense): units 200000 is above the limit of 8192 for an imported model`;
    expect(bomb).toMatchObject({ ok: false, code: 'invalid_argument', field: 'modelPath', message: `modelPath is not a usable TF.js layers model: ${units}` });
    expect(base).toMatchObject({ ok: false, code: 'invalid_argument', field: 'config.baseModelPath', message: `config.baseModelPath is not a usable TF.js layers model: ${units}` });
    expect(pw).toMatchObject({ ok: false, code: 'invalid_argument', message: `modelPath is not a usable TF.js layers model: ${passwd} is not a TF.js layers model.json (not valid JSON)` });
    expect(pw.message).not.toMatch(/root|x:0/);
    expect(link).toMatchObject({ ok: false, code: 'invalid_argument', message: expect.stringContaining("weights file weights.bin is a symbolic link (or lies in a linked folder) that leads outside the model's folder") });
    for (const r of results) expect(r.peakKb - r.baselineKb, `${r.name}: peak ${r.peakKb} kB vs baseline ${r.baselineKb} kB`).toBeLessThan(CEILING_KB);
    expect(runs).toBe(0);
    expect(readdirSync(path.join(home, 'runs'))).toEqual([]);
  }, 300_000);
});
