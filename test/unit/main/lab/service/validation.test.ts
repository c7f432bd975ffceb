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
