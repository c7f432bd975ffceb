// A full dataset that is not downloaded is refused when the experiment is created (before anything is stored), for
// every front end, with the command that downloads it.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataSplitSchema } from '../../../../../src/shared/schemas';
import { checkDataSplit } from '../../../../../src/main/lab/service/data-split-check';
import { createLabService } from '../../../../../src/main/lab/service/service';
import { tempHome, tinyConfig } from './helpers';

const homes: { remove(): void }[] = [];
afterEach(() => {
  for (const h of homes.splice(0)) h.remove();
});
function home(): string {
  const h = tempHome('rlab-split-check-');
  homes.push(h);
  return h.home;
}

describe('checkDataSplit', () => {
  it.each(['mnist', 'fashion-mnist'] as const)('refuses %s until it is downloaded, naming the field and the command', async (kind) => {
    const cacheDir = path.join(home(), 'data');
    const err = await checkDataSplit(DataSplitSchema.parse({ dataset: { kind }, trainSize: 100, testSize: 10 }), cacheDir).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invalid_argument', field: 'config.data.dataset' });
    expect((err as Error).message).toMatch(new RegExp(`^config\\.data\\.dataset "${kind}" is not downloaded yet: .*\`rlab data download ${kind}\``));
  });

  it('refuses a split the dataset cannot give, naming the field and its range', async () => {
    const cacheDir = path.join(home(), 'data');
    await expect(checkDataSplit(DataSplitSchema.parse({ trainSize: 9700, testSize: 400 }), cacheDir)).rejects.toMatchObject({
      code: 'invalid_argument',
      field: 'config.data.trainSize',
      message: 'config.data.trainSize must be in [1, 9600]: dataset "mnist-sample" has 10000 images and config.data.testSize takes 400 (got 9700)',
    });
  });

  it.each([
    [{ inputShape: [32, 32, 1] as [number, number, number], numClasses: 10 }, 'config.hparams.inputShape', 'config.hparams.inputShape must be [28, 28, 1] for dataset mnist-sample (got [32, 32, 1])'],
    [{ inputShape: [28, 28, 3] as [number, number, number], numClasses: 10 }, 'config.hparams.inputShape', 'config.hparams.inputShape must be [28, 28, 1] for dataset mnist-sample (got [28, 28, 3])'],
    [{ inputShape: [28, 28, 1] as [number, number, number], numClasses: 7 }, 'config.hparams.numClasses', 'config.hparams.numClasses must be 10 for dataset mnist-sample (got 7)'],
  ])('refuses a model that does not fit the dataset (%j) with the training worker\'s rule', async (hparams, field, message) => {
    const cacheDir = path.join(home(), 'data');
    await expect(checkDataSplit(DataSplitSchema.parse({ trainSize: 100, testSize: 10 }), cacheDir, hparams)).rejects.toMatchObject({ code: 'invalid_argument', field, message });
    await expect(checkDataSplit(DataSplitSchema.parse({ trainSize: 100, testSize: 10 }), cacheDir, { inputShape: [28, 28, 1], numClasses: 10 })).resolves.toBeUndefined();
  });

  it('lets the bundled sample through', async () => {
    await expect(checkDataSplit(DataSplitSchema.parse({ trainSize: 100, testSize: 10 }), path.join(home(), 'data'))).resolves.toBeUndefined();
  });
});

describe('createExperiment with a dataset not downloaded', () => {
  it('is refused and stores nothing', async () => {
    const lab = await createLabService({ home: home(), access: 'write' });
    try {
      await expect(lab.createExperiment({ config: tinyConfig({ data: { dataset: { kind: 'mnist' }, trainSize: 100, testSize: 10 } }) })).rejects.toMatchObject({ code: 'invalid_argument', field: 'config.data.dataset' });
      expect(await lab.listExperiments({})).toEqual([]);
      expect(await lab.listJobs({})).toEqual([]);
    } finally {
      await lab.close();
    }
  });
});
