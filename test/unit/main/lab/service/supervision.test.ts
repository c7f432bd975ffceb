import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLabService } from '../../../../../src/main/lab/service/service';
import { forkWorkerFactory } from '../../../../../src/main/lab/worker/spawn';
import { tempHome, tinyConfig } from './helpers';

const here = path.dirname(fileURLToPath(import.meta.url));
let home: ReturnType<typeof tempHome>;
beforeAll(() => {
  home = tempHome('rlab-supervision-');
});
afterAll(() => home.remove());

describe('worker supervision', () => {
  it('a worker that dies before it is ready fails the job with the reason and the service stays up', async () => {
    const lab = await createLabService({ home: path.join(home.home, 'exit'), workerFactory: forkWorkerFactory(path.join(here, 'exit-worker.mjs')) });
    try {
      await expect(lab.engineInfo({})).rejects.toMatchObject({ code: 'engine_error', message: expect.stringContaining('exited with code 3 before it was ready') });
      const { runs } = await lab.createExperiment({ config: tinyConfig() });
      await lab.whenIdle();
      for (const r of runs) {
        const run = await lab.getRun({ runId: r.id });
        expect(run.status).toBe('failed');
        expect(run.error).toContain('exited with code 3');
      }
      expect(await lab.listJobs({})).toEqual([]);
      expect((await lab.listRuns({})).length).toBe(2);
    } finally {
      await lab.close();
    }
  });

  it("a worker whose engine cannot load passes on the engine's own reason", async () => {
    const lab = await createLabService({ home: path.join(home.home, 'no-engine'), workerFactory: forkWorkerFactory(path.join(here, 'no-engine-worker.mjs')) });
    try {
      await expect(lab.engineInfo({})).rejects.toMatchObject({ code: 'engine_error', message: expect.stringContaining('no TensorFlow backend could be loaded') });
    } finally {
      await lab.close();
    }
  });
});
