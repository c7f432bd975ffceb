// The distributed sweep with real parts: a real redis-server, `rlab sweep --queue` as the host and two `rlab worker`
// processes. One worker is SIGKILLed mid-epoch; BullMQ's stalled-job check hands its job to the other, which resumes
// after the last epoch the host recorded. Then Redis itself is stopped and restarted under a running sweep.
import { type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../../../src/main/lab/store';
import { startRlab, type RlabChild } from '../../server/rlab-child';
import { redisServerPath, startTestRedis, type TestRedis } from './redis-server';

const haveRedis = redisServerPath() !== null;
if (!haveRedis) console.log('skipping the distributed sweep tests: redis-server is not installed (.ci/run installs it)');

const children = new Set<ChildProcess>();
let tmp: string;
let redis: TestRedis;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'rlab-dist-'));
  if (haveRedis) redis = await startTestRedis();
});
afterEach(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  children.clear();
});
afterAll(async () => {
  if (haveRedis) await redis.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

const SWEEP = ['sweep', '--preset', 'quick', '--grid', 'advReg.multiplier=0.1,0.3', '--train-size', '1536', '--test-size', '32', '--epochs', '3', '--json'];

async function until(what: string, ok: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function startWorker(name: string, hostHome: string): RlabChild {
  return startRlab(path.join(tmp, name), ['worker', '--queue', redis.url, '--secret-file', path.join(hostHome, 'worker-secret'), '--lock-seconds', '2'], children);
}

function storeOf(home: string) {
  return openStore(path.join(home, 'lab.sqlite'));
}

/** The host's output and every run's status with its error, for a failed expectation. */
async function hostReport(host: RlabChild, home: string): Promise<string> {
  await host.exited;
  const store = storeOf(home);
  try {
    return `${host.stderr()}\n${store.listRuns({}).map((r) => `${r.id} ${r.status} ${r.error ?? ''}`).join('\n')}`;
  } finally {
    store.close();
  }
}

describe.skipIf(!haveRedis)('rlab sweep --queue with rlab worker processes', () => {
  it('finishes every cell exactly once, with its epochs intact, when a worker is SIGKILLed mid-epoch', async () => {
    const home = path.join(tmp, 'host-kill');
    const host = startRlab(home, [...SWEEP, '--queue', redis.url], children);
    await until('the worker secret', () => existsSync(path.join(home, 'worker-secret')));
    const a = startWorker('wa', home);
    // the first job is the shared base run; the worker that takes it is killed once its first epoch is on the host
    const taken = await a.waitFor(/(run_\w+): train job \S+ taken/);
    const victimRun = taken[1]!;
    const b = startWorker('wb', home);
    await until('epoch 1 on the host', () => existsSync(path.join(home, 'runs', victimRun, 'checkpoints', 'epoch-0001', 'checkpoint.json')));
    a.child.kill('SIGKILL');
    expect(await a.exited).toBeNull();
    await b.waitFor(new RegExp(`${victimRun}: train job \\S+ taken \\(resuming after epoch [12]\\)`));
    expect(await host.exited, await hostReport(host, home)).toBe(0);
    b.child.kill('SIGTERM');
    await b.exited;

    const store = storeOf(home);
    try {
      const runs = store.listRuns({});
      expect(runs.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
      for (const summary of runs) {
        const run = store.getRun(summary.id);
        expect(run.epochMetrics.map((e) => e.epoch)).toEqual([1, 2, 3]);
        const keys = run.evaluations.map((e) => `${e.attack} ${JSON.stringify(e.spec)} ${e.sourceRunId}`);
        expect(new Set(keys).size).toBe(keys.length);
        expect(existsSync(path.join(home, 'runs', run.id, 'model', 'model.json'))).toBe(true);
        for (const epoch of [1, 2, 3]) expect(existsSync(path.join(home, 'runs', run.id, 'checkpoints', `epoch-000${epoch}`, 'weights.bin'))).toBe(true);
      }
      const victim = store.getRun(victimRun);
      expect(victim.attempts).toHaveLength(2);
      expect(victim.attempts[0]!.startEpoch).toBe(0);
      expect(victim.attempts[1]!.startEpoch).toBeGreaterThanOrEqual(1);
      expect(victim.attempts[0]!.worker).not.toBe(victim.attempts[1]!.worker);
      for (const r of runs.filter((x) => x.id !== victimRun)) expect(store.getRun(r.id).attempts).toHaveLength(1);
      expect(victim.engine?.backend).toBe('tensorflow');
      expect(victim.engine?.threads).toBeGreaterThan(0);
    } finally {
      store.close();
    }
  }, 300_000);

  it('pauses the sweep while Redis is down and finishes it, nothing lost, once Redis is back', async () => {
    const home = path.join(tmp, 'host-restart');
    const host = startRlab(home, [...SWEEP, '--queue', redis.url], children);
    await until('the worker secret', () => existsSync(path.join(home, 'worker-secret')));
    const w = startWorker('wr', home);
    const taken = await w.waitFor(/(run_\w+): train job \S+ taken/);
    await until('epoch 1 on the host', () => existsSync(path.join(home, 'runs', taken[1]!, 'checkpoints', 'epoch-0001', 'checkpoint.json')));
    await redis.stop();
    await host.waitFor(/paused: Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable since/);
    const paused = startRlab(home, ['sweep', 'ls', '--json'], children);
    expect(await paused.exited).toBe(0);
    const listed = JSON.parse(paused.stdout()) as { status: string; pausedReason: string | null }[];
    expect(listed[0]!.status).toBe('paused');
    expect(listed[0]!.pausedReason).toMatch(/unreachable/);
    await new Promise((r) => setTimeout(r, 1000));
    await redis.start();
    expect(await host.exited, await hostReport(host, home)).toBe(0);
    w.child.kill('SIGTERM');
    await w.exited;
    const store = storeOf(home);
    try {
      const runs = store.listRuns({});
      expect(runs.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
      for (const r of runs) expect(store.getRun(r.id).epochMetrics.map((e) => e.epoch)).toEqual([1, 2, 3]);
      expect(store.listSweeps()[0]!.pausedReason).toBeNull();
    } finally {
      store.close();
    }
  }, 300_000);
});
