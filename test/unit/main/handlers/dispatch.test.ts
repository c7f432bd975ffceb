import { describe, expect, it } from 'vitest';
import { dispatch, isLabMethod } from '../../../../src/main/handlers/dispatch';
import { LAB_METHODS } from '../../../../src/shared/contract';
import { LabError } from '../../../../src/shared/errors';
import { createFakeLab } from './fake-lab';

const trusted = { senderOk: true };

describe('dispatch', () => {
  it('refuses an untrusted sender without calling the service', async () => {
    const lab = createFakeLab();
    lab.answer('listJobs', () => []);
    const reply = await dispatch(lab.service, 'listJobs', {}, { senderOk: false });
    expect(reply.ok).toBe(false);
    if (!reply.ok) expect(reply.error.code).toBe('permission_denied');
    expect(lab.calls).toHaveLength(0);
  });

  it('answers a known method with the result in an ok envelope', async () => {
    const lab = createFakeLab();
    lab.answer('listJobs', () => [{ id: 'job_1' }]);
    expect(await dispatch(lab.service, 'listJobs', {}, trusted)).toEqual({ ok: true, result: [{ id: 'job_1' }] });
  });

  it('passes the parsed request, defaults filled in, to the service', async () => {
    const lab = createFakeLab();
    lab.answer('listRuns', () => []);
    await dispatch(lab.service, 'listRuns', { tag: 'x' }, trusted);
    expect(lab.calls).toEqual([{ method: 'listRuns', request: { tag: 'x', limit: 1000 } }]);
  });

  it.each(['nope', '__proto__', 'toString', 'constructor', 42, null, undefined])('rejects unknown method %s as unsupported on field "method"', async (name) => {
    const lab = createFakeLab();
    const reply = await dispatch(lab.service, name, {}, trusted);
    expect(reply.ok).toBe(false);
    if (!reply.ok) {
      expect(reply.error.code).toBe('unsupported');
      expect(reply.error.field).toBe('method');
      expect(reply.error.message).toContain('known methods: createExperiment');
    }
    expect(lab.calls).toHaveLength(0);
  });

  it('rejects invalid params with the schema field and does not call the service', async () => {
    const lab = createFakeLab();
    const reply = await dispatch(lab.service, 'getRun', { runId: 'not-an-id' }, trusted);
    expect(reply).toEqual({ ok: false, error: { code: 'invalid_argument', field: 'runId', message: expect.stringContaining('runId must be a run id') } });
    expect(lab.calls).toHaveLength(0);
  });

  it('rejects unknown request fields (schemas are strict)', async () => {
    const lab = createFakeLab();
    const reply = await dispatch(lab.service, 'getRun', { runId: 'run_a1', extra: 1 }, trusted);
    expect(reply.ok).toBe(false);
    if (!reply.ok) expect(reply.error).toMatchObject({ code: 'invalid_argument', field: 'extra' });
  });

  it.each([null, undefined, 'text', [1, 2]])('rejects params %s that are not an object', async (params) => {
    const lab = createFakeLab();
    const reply = await dispatch(lab.service, 'listJobs', params, trusted);
    expect(reply.ok).toBe(false);
    if (!reply.ok) expect(reply.error.code).toBe('invalid_argument');
  });

  it('keeps the code and field of a LabError thrown by the service', async () => {
    const lab = createFakeLab();
    lab.answer('getRun', () => {
      throw new LabError('not_found', 'no run run_zz', 'runId');
    });
    expect(await dispatch(lab.service, 'getRun', { runId: 'run_zz' }, trusted)).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'no run run_zz', field: 'runId' },
    });
  });

  it('turns any other error into internal, keeping its message', async () => {
    const lab = createFakeLab();
    lab.answer('listJobs', () => {
      throw new TypeError('boom');
    });
    expect(await dispatch(lab.service, 'listJobs', {}, trusted)).toEqual({ ok: false, error: { code: 'internal', message: 'boom' } });
  });

  it('never rejects, even when a service method throws synchronously or is missing', async () => {
    const lab = createFakeLab();
    const service = {
      ...lab.service,
      listJobs: () => {
        throw new Error('sync');
      },
      listDatasets: undefined,
    } as unknown as typeof lab.service;
    await expect(dispatch(service, 'listJobs', {}, trusted)).resolves.toEqual({ ok: false, error: { code: 'internal', message: 'sync' } });
    await expect(dispatch(service, 'listDatasets', {}, trusted)).resolves.toMatchObject({ ok: false, error: { code: 'unsupported' } });
  });

  it('recognises exactly the contract methods', () => {
    for (const m of LAB_METHODS) expect(isLabMethod(m)).toBe(true);
    expect(isLabMethod('hasOwnProperty')).toBe(false);
  });
});
