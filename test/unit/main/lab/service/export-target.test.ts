// Where exports and reports may write: absolute paths outside the lab's own folders, new or empty unless forced,
// and published so that a failure leaves the target as it was.
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLabService } from '../../../../../src/main/lab/service/service';
import { exportTarget, reportDir } from '../../../../../src/main/lab/service/export-target';
import { publishFolder } from '../../../../../src/main/lab/service/publish-folder';
import { tempHome, tinyConfig } from './helpers';

let tmp: ReturnType<typeof tempHome>;
let home: string;
let runDir: string;
const rules = (force = false) => ({ home, force });

beforeAll(() => {
  tmp = tempHome('rlab-export-target-');
  home = path.join(tmp.home, 'lab');
  runDir = path.join(home, 'runs', 'run_b0b0b0b0b0', 'model');
  mkdirSync(runDir, { recursive: true });
  writeFileSync(path.join(runDir, 'model.json'), '{"theirs":true}');
  mkdirSync(path.join(home, 'data'));
});
afterAll(() => tmp.remove());

const out = (...parts: string[]) => path.join(tmp.home, ...parts);

describe('exportTarget / reportDir', () => {
  it('refuses a relative path: it would land in the host\'s working directory', async () => {
    for (const check of [() => exportTarget('tfjs', 'models/adv', rules()), () => exportTarget('onnx', 'adv.onnx', rules()), () => reportDir('./report', rules())]) {
      await expect(check()).rejects.toMatchObject({ code: 'invalid_argument', field: 'outDir', message: expect.stringContaining('absolute path') });
    }
  });

  it('refuses the lab home and anything in its runs and data folders, also through a symbolic link or "..", even with force', async () => {
    const link = out('link-to-run');
    symlinkSync(path.join(home, 'runs', 'run_b0b0b0b0b0'), link);
    const linkToHome = out('link-to-home');
    symlinkSync(home, linkToHome);
    const inside = [
      runDir,
      path.join(home, 'runs', 'run_new'),
      path.join(home, 'runs'),
      path.join(home, 'data', 'x'),
      home,
      path.join(link, 'model'),
      path.join(linkToHome, 'runs', 'other', 'deep'),
      path.join(tmp.home, 'elsewhere', '..', 'lab', 'runs', 'r'),
    ];
    for (const target of inside) {
      for (const force of [false, true]) {
        await expect(exportTarget('tfjs', target, rules(force)), target).rejects.toMatchObject({ code: 'invalid_argument', field: 'outDir' });
        await expect(exportTarget('onnx', target === home ? home : path.join(target, 'm.onnx'), rules(force)), target).rejects.toMatchObject({ code: 'invalid_argument', field: 'outDir' });
        await expect(reportDir(target, rules(force)), target).rejects.toMatchObject({ code: 'invalid_argument', field: 'outDir' });
      }
    }
    expect(readFileSync(path.join(runDir, 'model.json'), 'utf8')).toBe('{"theirs":true}');
  });

  it('refuses a folder it cannot write into at once, before any model is loaded', async () => {
    // below a regular file nothing can be created, whoever runs the test (root included)
    writeFileSync(out('plain-file'), 'x');
    await expect(exportTarget('tfjs', out('plain-file', 'sub', 'model'), rules())).rejects.toMatchObject({ field: 'outDir' });
    await expect(exportTarget('onnx', out('plain-file', 'm.onnx'), rules())).rejects.toMatchObject({ field: 'outDir' });
    await expect(reportDir(out('plain-file', 'report'), rules())).rejects.toMatchObject({ field: 'outDir' });
  });

  it('refuses a broken symbolic link instead of writing where it points', async () => {
    const dangling = out('dangling');
    symlinkSync(out('nowhere', 'at-all'), dangling);
    await expect(exportTarget('tfjs', path.join(dangling, 'm'), rules(true))).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('broken symbolic link') });
  });

  it('takes a new or empty folder; a non-empty one or an existing .onnx file only with force', async () => {
    expect(await exportTarget('tfjs', out('new', 'folder'), rules())).toEqual({ format: 'tfjs', dir: out('new', 'folder') });
    mkdirSync(out('empty'));
    expect(await exportTarget('tfjs', out('empty'), rules())).toEqual({ format: 'tfjs', dir: out('empty') });
    expect(await exportTarget('onnx', out('empty'), rules())).toEqual({ format: 'onnx', file: out('empty', 'model.onnx') });
    expect(await reportDir(out('empty'), rules())).toBe(out('empty'));

    mkdirSync(out('full'));
    writeFileSync(out('full', 'notes.txt'), 'mine');
    for (const check of [() => exportTarget('tfjs', out('full'), rules()), () => exportTarget('onnx', out('full'), rules()), () => reportDir(out('full'), rules())]) {
      await expect(check()).rejects.toMatchObject({ code: 'conflict', field: 'outDir', message: expect.stringContaining('not empty') });
    }
    expect(await exportTarget('tfjs', out('full'), rules(true))).toEqual({ format: 'tfjs', dir: out('full') });
    expect(await reportDir(out('full'), rules(true))).toBe(out('full'));

    writeFileSync(out('old.onnx'), 'old model');
    await expect(exportTarget('onnx', out('old.onnx'), rules())).rejects.toMatchObject({ code: 'conflict', field: 'outDir' });
    expect(await exportTarget('onnx', out('old.onnx'), rules(true))).toEqual({ format: 'onnx', file: out('old.onnx') });
    // a file where a folder is meant stays refused, force or not
    await expect(exportTarget('tfjs', out('old.onnx'), rules(true))).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(reportDir(out('full', 'notes.txt'), rules(true))).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});

describe('publishFolder', () => {
  const build =
    (files: Record<string, string>, failAfter?: number) =>
    async (dir: string): Promise<{ files: string[] }> => {
      let n = 0;
      for (const [name, text] of Object.entries(files)) {
        if (failAfter !== undefined && n++ === failAfter) throw new Error(`disk full while writing ${path.join(dir, name)}`);
        writeFileSync(path.join(dir, name), text);
      }
      return { files: Object.keys(files).map((f) => path.join(dir, f)) };
    };

  it('a new folder appears whole; a failed build leaves neither it nor a temporary folder', async () => {
    const target = out('pub', 'fresh');
    expect(await publishFolder(target, build({ 'model.json': 'm', 'weights.bin': 'w' }))).toEqual([path.join(target, 'model.json'), path.join(target, 'weights.bin')]);
    expect(readdirSync(target).sort()).toEqual(['model.json', 'weights.bin']);
    const failed = out('pub', 'failed');
    await expect(publishFolder(failed, build({ 'model.json': 'm', 'weights.bin': 'w' }, 1))).rejects.toMatchObject({ code: 'io_error', field: 'outDir', message: expect.stringContaining(failed) });
    expect(readdirSync(out('pub'))).toEqual(['fresh']);
  });

  it('over a good model, a failed export changes nothing; a forced one replaces only its own files', async () => {
    const target = out('pub', 'good');
    mkdirSync(target);
    writeFileSync(path.join(target, 'model.json'), 'good model');
    writeFileSync(path.join(target, 'weights.bin'), 'good weights');
    writeFileSync(path.join(target, 'notes.txt'), 'mine');
    await expect(publishFolder(target, build({ 'model.json': 'new model', 'weights.bin': 'new weights' }, 1))).rejects.toMatchObject({ code: 'io_error' });
    const read = (n: string) => readFileSync(path.join(target, n), 'utf8');
    expect([read('model.json'), read('weights.bin'), read('notes.txt')]).toEqual(['good model', 'good weights', 'mine']);
    expect(readdirSync(out('pub')).sort()).toEqual(['fresh', 'good']);

    await publishFolder(target, build({ 'model.json': 'new model', 'weights.bin': 'new weights' }));
    expect([read('model.json'), read('weights.bin'), read('notes.txt')]).toEqual(['new model', 'new weights', 'mine']);
  });
});

describe('exportReport through the service', () => {
  it('refuses relative, in-lab and taken folders, writes a new one, and overwrites only with force', async () => {
    const lab = await createLabService({ home, access: 'write' });
    try {
      const { experiment } = await lab.createExperiment({ config: tinyConfig({ name: 'reported' }) });
      const experimentId = experiment.id;
      await expect(lab.exportReport({ experimentId, outDir: 'report' })).rejects.toMatchObject({ code: 'invalid_argument', field: 'outDir' });
      await expect(lab.exportReport({ experimentId, outDir: path.join(home, 'runs', 'r') })).rejects.toMatchObject({ code: 'invalid_argument', field: 'outDir' });
      const dir = out('report');
      const { files } = await lab.exportReport({ experimentId, outDir: dir });
      expect(files).toEqual(['report.json', 'metrics.csv', 'evaluations.csv'].map((f) => path.join(dir, f)));
      const first = readFileSync(files[0]!, 'utf8');
      await expect(lab.exportReport({ experimentId, outDir: dir })).rejects.toMatchObject({ code: 'conflict', field: 'outDir' });
      expect(readFileSync(files[0]!, 'utf8')).toBe(first);
      await lab.updateRun({ runId: experiment.runIds[0]!, notes: 'changed' });
      await lab.exportReport({ experimentId, outDir: dir, force: true });
      expect(readFileSync(files[0]!, 'utf8')).toContain('changed');
      expect((await lab.getRun({ runId: experiment.runIds[0]! })).artifacts.filter((a) => a.kind === 'report').map((a) => a.path)).toEqual([files[0], files[0]]);
    } finally {
      await lab.close();
    }
  });
});
