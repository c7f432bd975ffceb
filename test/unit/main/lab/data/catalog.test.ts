// The catalog: listing built-in, downloaded and imported datasets, and loading any of them by spec for a training run.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabError } from '../../../../../src/shared/errors';
import { batches } from '../../../../../src/main/lab/data/batches';
import { listDatasets, loadDataset } from '../../../../../src/main/lab/data/catalog';
import { type DatasetSpec } from '../../../../../src/main/lab/data/dataset';
import { writeIdxFile } from '../../../../../src/main/lab/data/idx';
import { importIdx } from '../../../../../src/main/lab/data/import-idx';
import { dataCacheDir, labHome } from '../../../../../src/main/lab/data/paths';
import { splitDataset } from '../../../../../src/main/lab/data/split';
import { initEngine } from '../../../../../src/main/lab/engine/tf';
import { syntheticExamples, tmpDir } from './fixtures';

let home: string;
const savedHome = process.env.RLAB_HOME;
beforeAll(async () => {
  await initEngine();
  home = await tmpDir('rlab-home-');
  process.env.RLAB_HOME = home;
});
afterAll(async () => {
  if (savedHome === undefined) delete process.env.RLAB_HOME;
  else process.env.RLAB_HOME = savedHome;
  await fs.rm(home, { recursive: true, force: true });
});

describe('lab home', () => {
  it('follows RLAB_HOME and puts the data cache under it', () => {
    expect(labHome()).toBe(home);
    expect(dataCacheDir()).toBe(path.join(home, 'data'));
  });

  it('defaults to ~/.robustness-lab without RLAB_HOME', () => {
    delete process.env.RLAB_HOME;
    try {
      expect(labHome()).toMatch(/[/\\]\.robustness-lab$/);
    } finally {
      process.env.RLAB_HOME = home;
    }
  });
});

describe('listDatasets', () => {
  it('lists the sample (ready, with counts), the full sets (not downloaded) and imports with their sizes', async () => {
    const before = await listDatasets();
    expect(before.map((d) => [d.id, d.ready])).toEqual([
      ['mnist-sample', true],
      ['mnist', false],
      ['fashion-mnist', false],
    ]);
    const sample = before[0]!;
    expect(sample.counts?.total).toBe(10_000);
    expect(sample.bytes).toBeGreaterThan(10_000 * 784);
    expect(before[1]!.bytes).toBe(0);

    const ex = syntheticExamples(8, 2, 9);
    const dir = path.join(home, 'src');
    await writeIdxFile(path.join(dir, 'i'), { dims: [8, 28, 28], data: ex.images });
    await writeIdxFile(path.join(dir, 'l'), { dims: [8], data: ex.labels });
    const imported = await importIdx({ name: 'tiny', train: { images: path.join(dir, 'i'), labels: path.join(dir, 'l') } });
    const after = await listDatasets();
    expect(after.map((d) => d.id)).toEqual(['mnist-sample', 'mnist', 'fashion-mnist', imported.id]);
    expect(after[3]).toMatchObject({ name: 'tiny', kind: 'imported', ready: true, counts: { total: 8 } });
    expect(after[3]!.bytes).toBe(16 + 8 * 784 + 8 + 8 + (await fs.stat(path.join(home, 'data', 'datasets', imported.id, 'manifest.json'))).size);
  });
});

describe('loadDataset', () => {
  it('loads the sample for a run: split by seed, then batched', async () => {
    const ds = await loadDataset({ kind: 'mnist-sample' });
    const { train, test } = splitDataset(ds, { trainSize: 200, testSize: 50, seed: 1 });
    const before = tf.memory().numTensors;
    let seen = 0;
    for (const b of batches(ds, train, 64, { shuffleSeed: 1, epoch: 0 })) {
      expect(b.image.shape.slice(1)).toEqual([28, 28, 1]);
      seen += b.label.shape[0];
      tf.dispose([b.image, b.label]);
    }
    expect(seen).toBe(200);
    expect(test.length).toBe(50);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects unknown kinds, missing imports and built-in ids passed as imports', async () => {
    const bad = (await loadDataset({ kind: 'cifar' } as unknown as DatasetSpec).catch((e: unknown) => e)) as LabError;
    expect(bad).toBeInstanceOf(LabError);
    expect(bad.field).toBe('kind');
    await expect(loadDataset({ kind: 'imported', id: 'nothing-12345678' })).rejects.toMatchObject({ code: 'not_found', field: 'id' });
    await expect(loadDataset({ kind: 'imported', id: 'mnist-sample' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(loadDataset({ kind: 'imported', id: '../escape' })).rejects.toMatchObject({ code: 'invalid_argument', field: 'id' });
  });

  it('reports a damaged cache entry instead of returning wrong data', async () => {
    await loadDataset({ kind: 'mnist-sample' });
    const labels = path.join(home, 'data', 'datasets', 'mnist-sample', 'labels.idx');
    const original = await fs.readFile(labels);
    try {
      await fs.writeFile(labels, original.subarray(0, original.length - 10));
      await expect(loadDataset({ kind: 'mnist-sample' })).rejects.toThrow(/labels\.idx is truncated/);
    } finally {
      await fs.writeFile(labels, original);
    }
  });
});
