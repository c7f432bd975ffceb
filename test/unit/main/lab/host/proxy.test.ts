// The proxy of `rlab serve` in front of another process's host, in one process with real servers and sockets: calls
// reach the host exactly as the browser sent them (the host parses them), the host's events reach the browser, the
// browser's token is the proxy's own; once the host stops, open browsers are dropped and every call gets one clear error.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectHost } from '../../../../../src/main/lab/host/client';
import { findHost } from '../../../../../src/main/lab/host/discover';
import { hostProxy } from '../../../../../src/main/lab/host/proxy';
import { startPublishedHost } from '../../../../../src/main/lab/host/publish';
import { startServer } from '../../../../../src/main/server/server';
import { type JobFinishedEvent } from '../../../../../src/shared/contract';
import { LabError } from '../../../../../src/shared/errors';
import { createFakeLab } from '../../handlers/fake-lab';
import { connect } from '../../server/ws-test-client';

let home: string;
const cleanup: (() => Promise<void> | void)[] = [];
beforeEach(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'rlab-proxy-'));
});
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
  rmSync(home, { recursive: true, force: true });
});

async function proxied() {
  const lab = createFakeLab();
  const host = await startPublishedHost(lab.service, home, 'rlab run', () => undefined);
  cleanup.push(() => host.close());
  const client = await connectHost((await findHost(home, () => undefined))!);
  cleanup.push(() => client.close());
  const proxy = hostProxy(client);
  cleanup.push(() => proxy.close());
  const server = await startServer({ service: client, call: proxy.call, goneAway: () => proxy.lost()?.message ?? null, port: 0, log: () => undefined });
  cleanup.push(() => server.close());
  const browser = await connect(server.wsUrl);
  cleanup.push(() => browser.ws.terminate());
  return { lab, host, client, proxy, server, browser };
}

describe('hostProxy behind rlab serve', () => {
  it('forwards calls as sent, answers with the host’s results and errors, and passes the host’s events on', async () => {
    const { lab, host, server, browser } = await proxied();
    expect(server.token).not.toBe(host.server.token);
    lab.answer('listRuns', () => [{ id: 'run_a' }]);
    expect(await browser.call(1, 'listRuns', { limit: 5 })).toEqual({ id: 1, ok: true, result: [{ id: 'run_a' }] });
    // the host parsed it: defaults are the host's business, the proxy sent the request as it came
    expect(lab.calls).toEqual([{ method: 'listRuns', request: { limit: 5 } }]);
    lab.answer('getRun', () => {
      throw new LabError('not_found', 'no run run_b', 'runId');
    });
    expect(await browser.call(2, 'getRun', { runId: 'run_b' })).toEqual({ id: 2, ok: false, error: { code: 'not_found', message: 'no run run_b', field: 'runId' } });
    expect(await browser.call(3, 'noSuchMethod', {})).toMatchObject({ id: 3, ok: false, error: { code: 'unsupported', field: 'method' } });
    expect(lab.calls.map((c) => c.method)).toEqual(['listRuns', 'getRun']);

    const event: JobFinishedEvent = { jobId: 'job_1', runId: 'run_a', kind: 'evaluate', outcome: 'completed', evaluationIds: [3] };
    const seen = browser.nextMessage((m) => m.event === 'job-finished');
    lab.emit('job-finished', event);
    expect(await seen).toEqual({ event: 'job-finished', payload: event });
  });

  it('refuses the host’s token: the browser’s token is the proxy’s own', async () => {
    const { host, server } = await proxied();
    const wrong = await connect(server.wsUrl.replace(/token=[^&]+/, `token=${host.server.token}`));
    expect((await wrong.closed).code).toBe(4401);
  });

  it('once the host stops: open browsers are dropped, later calls get one clear error, the proxy answers on', async () => {
    const { host, proxy, server, browser } = await proxied();
    const lost = new Promise<LabError>((resolve) => proxy.onLost(resolve));
    proxy.onLost((err) => server.dropClients(err.message));
    await host.close();
    const hostedBy = `rlab run (pid ${process.pid})`;
    expect((await lost).message).toBe(`the lab's host, ${hostedBy}, stopped; restart rlab serve`);
    expect(await browser.closed).toEqual({ code: 1011, reason: `the lab's host, ${hostedBy}, stopped; restart rlab serve` });
    const again = await connect(server.wsUrl);
    cleanup.push(() => again.ws.terminate());
    expect(await again.call(1, 'listRuns', {})).toEqual({ id: 1, ok: false, error: { code: 'failed_precondition', message: `the lab's host, ${hostedBy}, stopped; restart rlab serve` } });
    expect(proxy.lost()?.message).toMatch(/stopped; restart rlab serve$/);
    // a browser page (its upgrade carries an Origin) is closed at once: it shows "connection lost" and retries
    const page = new WebSocket(server.wsUrl, { origin: `http://127.0.0.1:${server.port}` });
    const closed = await new Promise<{ code: number; reason: string }>((resolve) => page.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
    expect(closed).toEqual({ code: 1011, reason: `the lab's host, ${hostedBy}, stopped; restart rlab serve` });
  });

  it('a call on its way when the host dies says it may or may not have run', async () => {
    const { lab, host, browser } = await proxied();
    let arrived!: () => void;
    const atHost = new Promise<void>((resolve) => (arrived = resolve));
    lab.answer('listJobs', () => {
      arrived();
      return new Promise(() => undefined);
    });
    const reply = browser.call(1, 'listJobs', {});
    await atHost;
    await host.close();
    expect(await reply).toEqual({
      id: 1,
      ok: false,
      error: { code: 'failed_precondition', message: `the lab's host, rlab run (pid ${process.pid}), stopped before listJobs answered (it may or may not have run); restart rlab serve` },
    });
  });
});
