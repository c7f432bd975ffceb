// The queue's pure parts: Redis URLs (checked, passwords redacted), signatures, the wire codec, and the mapping of a
// host job onto a worker's own folders (nothing outside them accepted).
import { describe, expect, it } from 'vitest';
import { parseRedisUrl, redactSecrets } from '../../../../../src/main/lab/queue/redis-url';
import { sign, verified } from '../../../../../src/main/lab/queue/signing';
import { decodeWire, encodeWire } from '../../../../../src/main/lab/queue/wire';
import { checkCompatible, localInput, localJob, portableJob, runRelative, uploadTarget } from '../../../../../src/main/lab/queue/remote-job';
import { checkFileName } from '../../../../../src/main/lab/queue/blobs';
import { type TrainJob } from '../../../../../src/main/lab/worker/protocol';

describe('parseRedisUrl', () => {
  it('reads host, port, db and credentials, and never shows the password', () => {
    const t = parseRedisUrl('redis://lab:s3cr%40t@10.0.0.5:6380/2');
    expect(t).toMatchObject({ host: '10.0.0.5', port: 6380, db: 2, username: 'lab', password: 's3cr@t', tls: false });
    expect(t.redacted).toBe('redis://lab:***@10.0.0.5:6380/2');
    expect(parseRedisUrl('rediss://:pw@h').redacted).toBe('rediss://***@h');
    expect(parseRedisUrl('rediss://h').tls).toBe(true);
    expect(redactSecrets('WRONGPASS pw refused', parseRedisUrl('redis://:pw@h'))).toBe('WRONGPASS *** refused');
  });

  it.each([
    ['http://h:6379', /must start with redis:\/\/ or rediss:\/\//],
    ['redis://h:99999', /port/],
    ['redis://h/16', /database after the host must be a number 0–15/],
    ['redis://h/x', /database/],
    ['not a url', /must be a Redis URL/],
    ['redis://h?x=1', /no query/],
  ])('refuses %s naming --queue', (raw, re) => {
    expect(() => parseRedisUrl(raw)).toThrow(re);
    try {
      parseRedisUrl(raw);
    } catch (err) {
      expect((err as { field?: string }).field).toBe('queue');
    }
  });

  it('keeps a password out of the message of a URL it cannot parse', () => {
    expect(() => parseRedisUrl('redis://u:hunter2@ho st')).toThrow(/^(?!.*hunter2)/);
  });
});

describe('signatures', () => {
  it('accepts only the body signed with the same secret, unaltered', () => {
    const secret = 'k'.repeat(64);
    const s = sign(secret, '{"a":1}');
    expect(verified(secret, s)).toBe('{"a":1}');
    expect(verified('x'.repeat(64), s)).toBeNull();
    expect(verified(secret, { ...s, body: '{"a":2}' })).toBeNull();
    expect(verified(secret, { body: '{}' })).toBeNull();
    expect(verified(secret, 'text')).toBeNull();
  });
});

describe('wire codec', () => {
  it('keeps typed arrays through JSON', () => {
    const back = decodeWire(encodeWire({ mask: new Uint8Array([1, 0, 1]), preds: new Uint16Array([300, 2]), n: 1 })) as { mask: Uint8Array; preds: Uint16Array; n: number };
    expect(back.mask).toBeInstanceOf(Uint8Array);
    expect([...back.mask]).toEqual([1, 0, 1]);
    expect(back.preds).toBeInstanceOf(Uint16Array);
    expect([...back.preds]).toEqual([300, 2]);
    expect(back.n).toBe(1);
  });
});

const hostJob = (): TrainJob => ({
  kind: 'train',
  jobId: 'job_1',
  runId: 'run_a',
  runDir: '/lab/runs/run_a',
  cacheDir: '/lab/data',
  config: {} as TrainJob['config'],
  galleryPeer: { runId: 'run_b', role: 'base', modelPath: '/lab/runs/run_b/model/model.json' },
  resume: { epoch: 2, checkpointDir: '/lab/runs/run_a/checkpoints/epoch-0002' },
  evaluations: [
    { attack: null, sourceRunId: null, sourceModelPath: null, gallery: false, testSize: null },
    { attack: null, sourceRunId: 'run_b', sourceModelPath: '/lab/runs/run_b/model/model.json', gallery: false, testSize: null },
  ],
});

describe('job paths', () => {
  it('sends no host path and maps names onto the worker folders', () => {
    const { job, inputs } = portableJob(hostJob());
    expect(JSON.stringify(job)).not.toContain('/lab/');
    expect(inputs).toEqual({ '@in/0': '/lab/runs/run_b/model', '@in/1': '/lab/runs/run_a/checkpoints/epoch-0002' });
    const local = localJob(job, { run: '/w/j/run', data: '/w/data', inputs: '/w/j/in' }) as TrainJob;
    expect(local.runDir).toBe('/w/j/run');
    expect(local.cacheDir).toBe('/w/data');
    expect(local.galleryPeer?.modelPath).toBe('/w/j/in/0/model.json');
    expect(local.evaluations[1]!.sourceModelPath).toBe('/w/j/in/0/model.json');
    expect(local.resume?.checkpointDir).toBe('/w/j/in/1');
    // an earlier call's names are kept when the job changes
    expect(portableJob({ ...hostJob(), galleryPeer: null, evaluations: [] }, inputs).job).toMatchObject({ resume: { checkpointDir: '@in/1' } });
  });

  it('refuses a job that names a path outside its own folders', () => {
    const { job } = portableJob(hostJob());
    const dirs = { run: '/w/j/run', data: '/w/data', inputs: '/w/j/in' };
    expect(() => localJob({ ...job, galleryPeer: { runId: 'x', role: 'base', modelPath: '/etc/passwd' } }, dirs)).toThrow(/outside its own folders/);
    expect(() => localJob({ ...job, galleryPeer: { runId: 'x', role: 'base', modelPath: '@in/../../x' } }, dirs)).toThrow(/not one of its folders/);
    expect(() => localJob({ ...job, cacheDir: '/elsewhere' }, dirs)).toThrow(/dataset folder/);
    expect(() => localInput('@in/../x', '/w/in')).toThrow(/not an input folder/);
  });

  it('lets a worker write only its run model and checkpoint folders, plain file names only', () => {
    expect(uploadTarget('/lab/runs/run_a', 'model')).toBe('/lab/runs/run_a/model');
    expect(uploadTarget('/lab/runs/run_a', 'checkpoints/epoch-0003')).toBe('/lab/runs/run_a/checkpoints/epoch-0003');
    for (const bad of ['../run_b/model', 'checkpoints/../../x', '/abs', 'model/x', '']) expect(() => uploadTarget('/lab/runs/run_a', bad)).toThrow(/may write only/);
    expect(runRelative('@run/model/model.json')).toBe('model/model.json');
    expect(() => runRelative('/lab/runs/run_b/model.json')).toThrow(/run folder/);
    expect(checkFileName('weights.bin')).toBe('weights.bin');
    for (const bad of ['..', '../x', 'a/b', '.hidden', '']) expect(() => checkFileName(bad)).toThrow(/plain file name/);
  });

  it('names both versions when host and worker speak different queue protocols', () => {
    expect(() => checkCompatible({ protocol: 999, labVersion: '9.9.9' }, 'the lab host')).toThrow(/this worker runs Robustness Lab \S+ \(queue protocol 1\); the lab host runs Robustness Lab 9\.9\.9 \(queue protocol 999\)/);
    expect(() => checkCompatible({ protocol: 1, labVersion: 'x' }, 'h')).not.toThrow();
  });
});
