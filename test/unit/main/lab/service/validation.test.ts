import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_SUBSCRIBERS, LAB_EVENTS, LAB_METHODS } from '../../../../../src/shared/contract';
import { createLabService, type LabService } from '../../../../../src/main/lab/service/service';
import { tempHome } from './helpers';

let home: ReturnType<typeof tempHome>;
let lab: LabService;
beforeAll(async () => {
  home = tempHome('rlab-validation-');
  lab = await createLabService({ home: home.home });
});
afterAll(async () => {
  await lab.close();
  home.remove();
});

describe('LabService requests', () => {
  it('implements every LabApi method and event subscription', () => {
    for (const m of LAB_METHODS) expect(typeof lab[m], m).toBe('function');
    for (const e of LAB_EVENTS) expect(typeof lab[EVENT_SUBSCRIBERS[e]], e).toBe('function');
  });

  it.each(LAB_METHODS)('%s validates its request with the shared schema before doing anything', async (method) => {
    const call = lab[method] as (req: unknown) => Promise<unknown>;
    await expect(call({ notAField: 1 })).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(/notAField|must be/) });
    expect(await lab.listJobs({})).toEqual([]);
  });

  it('resumeRun validates the run id too', async () => {
    await expect(lab.resumeRun('not-a-run')).rejects.toMatchObject({ code: 'invalid_argument', field: 'runId' });
    await expect(lab.resumeRun({ runId: 'run_unknown' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('a new lab starts no worker until there is work', () => {
    expect(lab.workerPid()).toBeUndefined();
    expect(lab.recovery).toEqual({ interruptedRuns: [], requeuedJobs: [], droppedJobs: [] });
  });
});

describe('createExperiment data split', () => {
  async function refused(config: Parameters<LabService['createExperiment']>[0]['config']) {
    const err = await lab.createExperiment({ config }).then(
      () => undefined,
      (e: unknown) => e as { code: string; field?: string; message: string },
    );
    expect(err, 'expected the experiment to be refused').toBeDefined();
    expect(await lab.listRuns({})).toEqual([]);
    expect(await lab.listExperiments({})).toEqual([]);
    return err!;
  }

  it('refuses a split larger than the offline sample, naming the field, and stores nothing', async () => {
    const err = await refused({ data: { trainSize: 9000, testSize: 2000 } });
    expect(err.code).toBe('invalid_argument');
    expect(err.field).toBe('config.data.trainSize');
    expect(err.message).toBe('config.data.trainSize must be in [1, 8000]: dataset "mnist-sample" has 10000 images and config.data.testSize takes 2000 (got 9000)');
  });

  it('refuses an imported dataset the lab does not have', async () => {
    const err = await refused({ data: { dataset: { kind: 'imported', id: 'no-such-digits' } } });
    expect(err.field).toBe('config.data.dataset');
    expect(err.message).toContain('"no-such-digits"');
  });
});
