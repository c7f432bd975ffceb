// `rlab serve` while another process hosts the lab, all real processes: a host `rlab serve`, a second `rlab serve`
// that forwards its own browsers' calls there, a `rlab run` client of the host whose run and events the second's
// browser sees, a call through the second that the host executes; the host killed with SIGKILL: the second drops
// its browsers, answers every call with one clear error and goes on until Ctrl-C. A host of another protocol version
// stops `rlab serve` at once with a clear message.
import { type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointPath, readEndpoint, writeEndpoint } from '../../../../src/main/lab/host/endpoint-file';
import { LAB_PROTOCOL_VERSION, type RunDetail } from '../../../../src/shared/contract';
import { type WebSocketCtor, WsLabClient } from '../../../../src/shared/ws-client';
import { runRlab } from '../cli/rlab-process';
import { observe, startServe } from './rlab-child';
import { connect } from './ws-test-client';

const TINY = ['--preset', 'quick', '--runs', 'base', '--train-size', '256', '--test-size', '64', '--epochs', '2', '--conv-filters', '2', '--fc-units', '8'];

let tmp: string;
const children = new Set<ChildProcess>();
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'rlab-serve-proxy-'));
});
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

describe('rlab serve in front of another host', () => {
  it('forwards calls and events to the live host, keeps its own token, and answers with a clear error once the host is killed', async () => {
    const home = path.join(tmp, 'lab');
    const host = await startServe(home, children);
    await host.waitFor(/hosting the lab at /);
    const hostEndpoint = readEndpoint(home);
    expect(hostEndpoint).toMatchObject({ kind: 'found', endpoint: { pid: host.child.pid, command: 'rlab serve' } });

    const proxy = await startServe(home, children);
    await proxy.waitFor(new RegExp(`serving the lab hosted by rlab serve \\(pid ${host.child.pid}\\) at ${home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    // the proxy is not a host: the endpoint file still names the first, and its browsers' token is its own
    expect(readEndpoint(home)).toEqual(hostEndpoint);
    const proxyToken = new URL(proxy.url).searchParams.get('token');
    expect(proxyToken).not.toBe(new URL(host.url).searchParams.get('token'));
    const browser = await observe(proxy.url);

    // a run created through the host (a `rlab run` client of it): the proxy's browser sees its events and lists it
    const run = runRlab(home, ['run', ...TINY, '--name', 'via-host', '--json'], 400_000);
    const progress = await browser.waitFor('progress', (p) => p.phase === 'train');
    const listed = await browser.client.api.listRuns({});
    expect(listed.find((r) => r.id === progress.runId)).toMatchObject({ name: 'via-host · base' });
    const ran = await run;
    expect(ran.code, ran.stderr).toBe(0);
    const runId = progress.runId;
    await browser.waitFor('run-status', (s) => s.runId === runId && s.status === 'completed');
    expect(browser.events.some((e) => e.event === 'epoch-end')).toBe(true);

    // a call through the proxy is executed by the host: the change is in the lab the host keeps
    await browser.client.api.updateRun({ runId, notes: 'set through the proxy' });
    const shown = await runRlab(home, ['show', runId, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    expect((JSON.parse(shown.stdout) as RunDetail).notes).toBe('set through the proxy');
    // the host validates: a bad request is refused with the host's message, through the proxy
    await expect(browser.client.api.getRun({ runId: 'nope' })).rejects.toMatchObject({ code: 'invalid_argument', field: 'runId' });

    // the host dies outright: the proxy's browsers are dropped, as when a server goes away
    const dropped = new Promise<string>((resolve) => browser.client.onStateChange((s) => s === 'closed' && resolve(s)));
    host.child.kill('SIGKILL');
    await host.exited;
    await dropped;
    const stopped = `the lab's host, rlab serve (pid ${host.child.pid}), stopped; restart rlab serve`;
    await proxy.waitFor(new RegExp(`rlab serve: ${stopped.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    // ... and every call after that gets the clear error; the proxy keeps running and answering
    const again = new WsLabClient({ url: `ws://${new URL(proxy.url).host}/ws?token=${proxyToken}`, WebSocketImpl: WebSocket as unknown as WebSocketCtor, reconnect: false });
    try {
      await expect(again.api.listRuns({})).rejects.toMatchObject({ code: 'failed_precondition', message: stopped });
      await expect(again.api.cancelRun({ runId })).rejects.toMatchObject({ message: stopped });
    } finally {
      again.close();
    }
    const raw = await connect(`ws://${new URL(proxy.url).host}/ws?token=${proxyToken}`);
    expect(await raw.call(1, 'listJobs')).toEqual({ id: 1, ok: false, error: { code: 'failed_precondition', message: stopped } });
    raw.ws.close();
    expect(proxy.child.exitCode).toBeNull();

    proxy.child.kill('SIGINT');
    expect(await proxy.exited, proxy.stderr()).toBe(0);
    // nothing crashed: no stack trace, and the proxy never wrote an endpoint of its own
    expect(proxy.stderr()).not.toMatch(/\n\s+at /);
    expect(existsSync(endpointPath(home))).toBe(true); // the killed host's stale file, left for the next host to replace
  }, 600_000);

  it('stops at once with a clear message when the live host speaks another protocol version', async () => {
    const home = path.join(tmp, 'other-version');
    mkdirSync(home);
    // this test process plays the live host: its pid runs
    const remove = await writeEndpoint(home, { protocol: LAB_PROTOCOL_VERSION + 1, url: 'ws://127.0.0.1:1/ws', token: 'v'.repeat(32), pid: process.pid, command: 'the desktop app', startedAt: new Date().toISOString() });
    try {
      const served = await runRlab(home, ['serve', '--port', '0']);
      expect(served.code).toBe(1);
      expect(served.stderr).toBe(
        `rlab serve: the lab at ${home} is open in the desktop app (pid ${process.pid}), which speaks LabApi protocol ${LAB_PROTOCOL_VERSION + 1}; this rlab speaks protocol ${LAB_PROTOCOL_VERSION}. Use the same version of the lab for both, or stop that host first\n`,
      );
      expect(served.stdout).toBe('');
    } finally {
      remove();
    }
  });
});
