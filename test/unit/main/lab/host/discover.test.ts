// Finding a lab's host: a live one is used through the shared WebSocket client; a stale or forged endpoint file (its
// process gone, its port held by another program, a wrong token, another host's pid) is ignored with one notice; a
// host of another protocol version is a clear error.
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectHost } from '../../../../../src/main/lab/host/client';
import { writeEndpoint, type HostEndpoint } from '../../../../../src/main/lab/host/endpoint-file';
import { findHost } from '../../../../../src/main/lab/host/discover';
import { publishEndpoint, startPublishedHost } from '../../../../../src/main/lab/host/publish';
import { startServer, type RunningServer } from '../../../../../src/main/server/server';
import { LAB_PROTOCOL_VERSION, type JobFinishedEvent } from '../../../../../src/shared/contract';
import { createFakeLab } from '../../handlers/fake-lab';

let home: string;
let notices: string[];
const cleanup: (() => Promise<void> | void)[] = [];
beforeEach(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'rlab-discover-'));
  notices = [];
});
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
  rmSync(home, { recursive: true, force: true });
});

const notice = (line: string) => notices.push(line);

async function realServer(): Promise<{ server: RunningServer; lab: ReturnType<typeof createFakeLab> }> {
  const lab = createFakeLab();
  const server = await startServer({ service: lab.service, port: 0, log: () => undefined });
  cleanup.push(() => server.close());
  return { server, lab };
}

async function plant(over: Partial<HostEndpoint>): Promise<void> {
  const remove = await writeEndpoint(home, { protocol: LAB_PROTOCOL_VERSION, url: 'ws://127.0.0.1:1/ws', token: 't'.repeat(32), pid: process.pid, command: 'rlab serve', startedAt: new Date().toISOString(), ...over });
  cleanup.push(remove);
}

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('findHost', () => {
  it('finds nothing, silently, when no host ever ran', async () => {
    expect(await findHost(home, notice)).toBeNull();
    expect(notices).toEqual([]);
  });

  it('finds a published host and talks to it over the LabApi, events included', async () => {
    const { server, lab } = await realServer();
    cleanup.push(await publishEndpoint(home, server, 'rlab serve'));
    const endpoint = await findHost(home, notice);
    expect(notices).toEqual([]);
    expect(endpoint).toMatchObject({ pid: process.pid, command: 'rlab serve', protocol: LAB_PROTOCOL_VERSION, token: server.token });
    lab.answer('listRuns', () => []);
    const client = await connectHost(endpoint!);
    try {
      expect(client.hostedBy).toBe(`rlab serve (pid ${process.pid})`);
      expect(await client.listRuns({})).toEqual([]);
      expect(lab.calls).toEqual([{ method: 'listRuns', request: { limit: 1000 } }]);
      const finished = new Promise<JobFinishedEvent>((resolve) => client.onJobFinished(resolve));
      const event: JobFinishedEvent = { jobId: 'job_1', runId: 'run_a', kind: 'evaluate', outcome: 'completed', evaluationIds: [4, 5] };
      lab.emit('job-finished', event);
      expect(await finished).toEqual(event);
      await expect(client.getRun({ runId: 'run_a' })).rejects.toMatchObject({ code: 'unsupported' });
    } finally {
      await client.close();
    }
  });

  it('a client whose host stops is told once, and its calls fail instead of waiting', async () => {
    const lab = createFakeLab();
    const host = await startPublishedHost(lab.service, home, 'rlab run', () => undefined);
    const client = await connectHost((await findHost(home, notice))!);
    const lost = new Promise<string>((resolve) => client.onLost((err) => resolve(err.message)));
    await host.close();
    expect(await lost).toMatch(/^the connection to the lab host \(rlab run, pid \d+\) was lost/);
    await expect(client.listRuns({})).rejects.toMatchObject({ code: 'failed_precondition' });
    // the host removed its endpoint on the way out
    expect(await findHost(home, notice)).toBeNull();
    expect(notices).toEqual([]);
  });

  it('ignores the file of a host whose process is gone', async () => {
    const pid = deadPid();
    await plant({ pid, command: 'rlab run' });
    expect(await findHost(home, notice)).toBeNull();
    expect(notices).toEqual([`ignoring ${path.join(home, 'host.json')}: its host (rlab run, pid ${pid}) is no longer running; the next host replaces the file`]);
  });

  it('ignores a port held by another program', async () => {
    const other: Server = createServer((_req, res) => res.end('<html>some other program</html>'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => other.close(() => resolve())));
    const port = (other.address() as AddressInfo).port;
    await plant({ url: `ws://127.0.0.1:${port}/ws` });
    expect(await findHost(home, notice)).toBeNull();
    expect(notices).toEqual([`ignoring ${path.join(home, 'host.json')}: the port it names (127.0.0.1:${port}) is not this lab's host: it does not answer as a lab host (not JSON)`]);
  });

  it('ignores a closed port, a wrong token, and a server that is another process', async () => {
    const { server } = await realServer();
    const file = path.join(home, 'host.json');
    const closed = await startServer({ service: createFakeLab().service, port: 0, log: () => undefined });
    const closedPort = closed.port;
    await closed.close();
    await plant({ url: `ws://127.0.0.1:${closedPort}/ws` });
    expect(await findHost(home, notice)).toBeNull();
    await plant({ url: `ws://127.0.0.1:${server.port}/ws` });
    expect(await findHost(home, notice)).toBeNull();
    await plant({ url: `ws://127.0.0.1:${server.port}/ws`, token: server.token, pid: process.ppid });
    expect(await findHost(home, notice)).toBeNull();
    expect(notices).toEqual([
      `ignoring ${file}: the port it names (127.0.0.1:${closedPort}) is not this lab's host: nothing listens on its port`,
      `ignoring ${file}: the port it names (127.0.0.1:${server.port}) is not this lab's host: it refuses the token in the file`,
      `ignoring ${file}: the server on 127.0.0.1:${server.port} is not the host it names (pid ${process.ppid})`,
    ]);
  });

  it('stops with a clear message at a live host of another protocol version', async () => {
    await plant({ protocol: LAB_PROTOCOL_VERSION + 1, command: 'rlab serve' });
    await expect(findHost(home, notice)).rejects.toMatchObject({
      code: 'failed_precondition',
      message: `the lab at ${home} is open in rlab serve (pid ${process.pid}), which speaks LabApi protocol ${LAB_PROTOCOL_VERSION + 1}; this rlab speaks protocol ${LAB_PROTOCOL_VERSION}. Use the same version of the lab for both, or stop that host first`,
    });
  });
});
