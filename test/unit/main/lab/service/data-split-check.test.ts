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
