// Bad input around the queue, with real processes and a real Redis: a malformed or unreachable URL is refused before
// anything is stored; a worker of another queue protocol refuses to start naming both versions; altered files in
// Redis are refused.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { getBytes, putBytes } from '../../../../../src/main/lab/queue/blobs';
import { openStore } from '../../../../../src/main/lab/store';
import { runRlab } from '../../cli/rlab-process';
import { redisServerPath, startTestRedis, type TestRedis } from './redis-server';

const haveRedis = redisServerPath() !== null;
if (!haveRedis) console.log('skipping the queue refusal tests: redis-server is not installed (.ci/run installs it)');

let tmp: string;
let redis: TestRedis;
beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'rlab-qbad-'));
  if (haveRedis) redis = await startTestRedis();
});
afterAll(async () => {
  if (haveRedis) await redis.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

const SWEEP = ['sweep', '--preset', 'quick', '--grid', 'advReg.multiplier=0.1,0.3', '--train-size', '64', '--test-size', '16', '--epochs', '1'];

function sweepsStored(home: string): number {
  if (!existsSync(path.join(home, 'lab.sqlite'))) return 0;
  const store = openStore(path.join(home, 'lab.sqlite'));
  try {
    return store.listSweeps().length + store.listRuns({}).length;
  } finally {
    store.close();
  }
}

describe.skipIf(!haveRedis)('queue refusals', () => {
  it('refuses a malformed URL naming --queue, storing nothing', async () => {
    const home = path.join(tmp, 'malformed');
    const r = await runRlab(home, [...SWEEP, '--queue', 'http://user:hunter2@h:6379']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--queue must start with redis:\/\/ or rediss:\/\//);
    expect(r.stderr).not.toContain('hunter2');
    expect(sweepsStored(home)).toBe(0);
  });

  it('refuses an unreachable Redis before anything is queued, without printing its password', async () => {
    const home = path.join(tmp, 'unreachable');
    const r = await runRlab(home, [...SWEEP, '--queue', 'redis://:hunter2@127.0.0.1:1']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/the job queue at redis:\/\/\*\*\*@127\.0\.0\.1:1 is not reachable: nothing listens there/);
    expect(r.stderr).not.toContain('hunter2');
    expect(sweepsStored(home)).toBe(0);
  });

  it('a worker of another queue protocol refuses to start, naming both versions', async () => {
    const client = new Redis(redis.port, '127.0.0.1');
    try {
      await client.set('rlab:host', JSON.stringify({ protocol: 999, labVersion: '99.0.0', startedAt: new Date().toISOString() }));
      const r = await runRlab(path.join(tmp, 'w-old'), ['worker', '--queue', redis.url], 60_000, { RLAB_WORKER_SECRET: 's'.repeat(64) });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/this worker runs Robustness Lab \S+ \(queue protocol 1\); the lab host of redis:\/\/127\.0\.0\.1:\d+ runs Robustness Lab 99\.0\.0 \(queue protocol 999\)/);
    } finally {
      await client.del('rlab:host');
      client.disconnect();
    }
  });

  it('a worker without the secret is refused naming how to give it one', async () => {
    const r = await runRlab(path.join(tmp, 'w-nosecret'), ['worker', '--queue', redis.url], 60_000, { RLAB_WORKER_SECRET: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs the lab's worker secret: --secret-file FILE/);
  });

  it('refuses a file whose bytes in Redis were altered', async () => {
    const client = new Redis(redis.port, '127.0.0.1');
    try {
      const bytes = Buffer.from('weights of a model');
      const sha256 = await putBytes(client, 'rlab-test', bytes);
      expect((await getBytes(client, 'rlab-test', { name: 'w.bin', sha256, size: bytes.length })).equals(bytes)).toBe(true);
      await client.set(`rlab-test:blob:${sha256}:0`, 'weights of a modeX');
      await expect(getBytes(client, 'rlab-test', { name: 'w.bin', sha256, size: bytes.length })).rejects.toThrow(/do not match their SHA-256/);
      await expect(getBytes(client, 'rlab-test', { name: 'w.bin', sha256: 'f'.repeat(64), size: 3 })).rejects.toThrow(/no longer in Redis/);
    } finally {
      client.disconnect();
    }
  });
});
