// One lab, many front ends, all real processes: a `rlab serve` host, CLI commands as its clients while it trains, a
// browser-like WebSocket client that sees the CLI's runs, the host killed with SIGKILL (the next command ignores its
// stale endpoint), `rlab resume` / `eval` / `export` through a new host, a `rlab run` that is itself the published
// host, and a read-only copy of the lab listed without a byte changing.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointPath, readEndpoint, writeEndpoint } from '../../../../src/main/lab/host/endpoint-file';
import { LAB_PROTOCOL_VERSION, type LabEvents, type RunDetail, type RunSummary } from '../../../../src/shared/contract';
import { fingerprint, setWritable } from '../lab/service/lab-files';
import { RLAB_BIN, runRlab } from './rlab-process';
import { observe } from '../server/rlab-child';

// epochs of 8,000 digits take long enough that a client started during one still finds the run training
const TRAIN = ['--preset', 'quick', '--conv-filters', '4', '--fc-units', '8', '--train-size', '8000', '--test-size', '128', '--runs', 'base'];

let tmp: string;
/** Every rlab process a test started, so a failing test leaves none running. */
const children = new Set<ChildProcess>();
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'rlab-host-clients-'));
});
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  // the read-only copy must be made writable again to be removed
  if (existsSync(path.join(tmp, 'ro'))) setWritable(path.join(tmp, 'ro'), true);
  rmSync(tmp, { recursive: true, force: true });
});

interface Child {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
  waitFor(re: RegExp, stream?: 'stdout' | 'stderr'): Promise<RegExpExecArray>;
}

function start(home: string, args: string[]): Child {
  const child = spawn(process.execPath, [RLAB_BIN, ...args], { env: { ...process.env, RLAB_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const text = { stdout: '', stderr: '' };
  const waiters: { re: RegExp; stream: 'stdout' | 'stderr'; resolve(m: RegExpExecArray): void }[] = [];
  const check = () => {
    for (const w of waiters.splice(0)) {
      const m = w.re.exec(text[w.stream]);
      if (m) w.resolve(m);
      else waiters.push(w);
    }
  };
  child.stdout!.on('data', (d) => {
    text.stdout += String(d);
    check();
  });
  child.stderr!.on('data', (d) => {
    text.stderr += String(d);
    check();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    stdout: () => text.stdout,
    stderr: () => text.stderr,
    exited,
    waitFor: (re, stream = 'stderr') =>
      new Promise((resolve, reject) => {
        const m = re.exec(text[stream]);
        if (m) return resolve(m);
        waiters.push({ re, stream, resolve });
        void exited.then(() => setTimeout(() => reject(new Error(`rlab ${args[0]} exited before printing ${String(re)}:\n${text.stdout}\n${text.stderr}`)), 50));
      }),
  };
}

async function serve(home: string): Promise<Child & { url: string }> {
  const s = start(home, ['serve', '--port', '0']);
  const m = await s.waitFor(/Robustness Lab at (http:\S+)/, 'stdout');
  return { ...s, url: m[1]! };
}


const runsOf = (r: { stdout: string }): RunSummary[] => JSON.parse(r.stdout) as RunSummary[];

describe('CLI clients of a running host', () => {
  it('ls, watch, run, resume, eval and export go through the host; a killed host is ignored afterwards; a read-only copy lists untouched', async () => {
    const home = path.join(tmp, 'lab');
    const serve1 = await serve(home);
    const browser1 = await observe(serve1.url);
    const endpoint1 = readEndpoint(home);
    expect(endpoint1).toMatchObject({ kind: 'found', endpoint: { pid: serve1.child.pid, command: 'rlab serve', protocol: LAB_PROTOCOL_VERSION } });
    expect(statSync(endpointPath(home)).mode & 0o777).toBe(0o600);

    // `rlab run` finds the host and queues its experiment there: the training's events reach the browser client
    const run = start(home, ['run', ...TRAIN, '--epochs', '3', '--name', 'through-host', '--json']);
    const progress = await browser1.waitFor('progress', (p) => p.phase === 'train');
    const runId = progress.runId;
    const watch = start(home, ['watch', runId]);
    const ls = await runRlab(home, ['ls', '--json']);
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stderr).toBe('');
    expect(runsOf(ls).find((r) => r.id === runId)).toMatchObject({ name: 'through-host · base', status: 'running' });
    // the client did not become a second host
    expect(readEndpoint(home)).toEqual(endpoint1);

    await watch.waitFor(new RegExp(`following ${runId} \\(running\\) on rlab serve \\(pid ${serve1.child.pid}\\)`));
    // a finished epoch leaves a checkpoint to resume from
    await browser1.waitFor('epoch-end', (e) => e.runId === runId);

    // the host dies outright: its clients say so and stop; the run stays in the store as the host left it
    serve1.child.kill('SIGKILL');
    await serve1.exited;
    browser1.close();
    expect(await run.exited, run.stderr()).toBe(1);
    expect(run.stderr()).toMatch(new RegExp(`the connection to the lab host \\(rlab serve, pid ${serve1.child.pid}\\) was lost`));
    expect(await watch.exited, watch.stderr()).toBe(1);
    expect(watch.stderr()).toMatch(/was lost: it stopped or died/);

    const afterKill = await runRlab(home, ['ls', '--json']);
    expect(afterKill.code, afterKill.stderr).toBe(0);
    expect(afterKill.stderr).toBe(`rlab: ignoring ${endpointPath(home)}: its host (rlab serve, pid ${serve1.child.pid}) is no longer running; the next host replaces the file\n`);
    expect(runsOf(afterKill).find((r) => r.id === runId)?.status).toBe('running');

    // a new host repairs the lab (the run becomes interrupted); `rlab resume` through it finishes the run there
    const serve2 = await serve(home);
    const browser2 = await observe(serve2.url);
    try {
      expect(readEndpoint(home)).toMatchObject({ kind: 'found', endpoint: { pid: serve2.child.pid } });
      const interrupted = await runRlab(home, ['show', runId, '--json']);
      expect((JSON.parse(interrupted.stdout) as RunDetail).status).toBe('interrupted');
      const resumed = await runRlab(home, ['resume', runId, '--json'], 280_000);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(JSON.parse(resumed.stdout) as RunDetail).toMatchObject({ id: runId, status: 'completed', epochsDone: 3 });
      expect(browser2.events.some((e) => e.event === 'progress' && (e.payload as LabEvents['progress']).runId === runId)).toBe(true);

      // `rlab eval` waits for the host's job-finished event and prints exactly the evaluations it names
      const evaluated = await runRlab(home, ['eval', runId, '--attack', 'fgsm', '--eps', '0.1,0.2', '--json'], 280_000);
      expect(evaluated.code, evaluated.stderr).toBe(0);
      const result = JSON.parse(evaluated.stdout) as { ok: boolean; evaluations: { id: number; epsilon: number }[] };
      expect(result.ok).toBe(true);
      expect(result.evaluations.map((e) => e.epsilon).sort()).toEqual([0.1, 0.2]);
      const finished = await browser2.waitFor('job-finished', (j) => j.kind === 'evaluate' && j.runId === runId);
      expect(finished).toMatchObject({ outcome: 'completed' });
      expect([...finished.evaluationIds].sort()).toEqual(result.evaluations.map((e) => e.id).sort());

      const exported = await runRlab(home, ['export', runId, '--out', path.join(tmp, 'exported')], 200_000);
      expect(exported.code, exported.stderr).toBe(0);
      expect(existsSync(path.join(tmp, 'exported', 'model.json'))).toBe(true);
      const reported = await runRlab(home, ['report', runId, '--out', path.join(tmp, 'report')]);
      expect(reported.code, reported.stderr).toBe(0);
      expect(existsSync(path.join(tmp, 'report', 'report.json'))).toBe(true);
      // rm goes through the host too: it answers, instead of a lock held by another process
      const rm = await runRlab(home, ['rm', 'run_notthere1']);
      expect(rm.code).toBe(2);
      expect(rm.stderr).toMatch(/^rlab rm: .*run_notthere1/);
      expect(rm.stderr).not.toMatch(/another process/);

      // a second `rlab serve` is the host's client, not a second host (test/unit/main/server/serve-proxy.test.ts)
      const second = start(home, ['serve', '--port', '0']);
      await second.waitFor(new RegExp(`serving the lab hosted by rlab serve \\(pid ${serve2.child.pid}\\)`));
      expect(readEndpoint(home)).toMatchObject({ kind: 'found', endpoint: { pid: serve2.child.pid } });
      second.child.kill('SIGINT');
      expect(await second.exited, second.stderr()).toBe(0);
    } finally {
      browser2.close();
      serve2.child.kill('SIGINT');
    }
    expect(await serve2.exited, serve2.stderr()).toBe(0);
    expect(existsSync(endpointPath(home))).toBe(false);

    // a read-only copy (as on read-only media): listing and showing need no lock and change nothing at all
    const ro = path.join(tmp, 'ro');
    cpSync(home, ro, { recursive: true });
    setWritable(ro, false);
    const before = fingerprint(ro);
    const listed = await runRlab(path.join(tmp, 'unused-home'), ['--home', ro, 'ls', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(runsOf(listed).find((r) => r.id === runId)?.status).toBe('completed');
    const shown = await runRlab(ro, ['show', runId]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`${runId}  through-host · base`);
    expect(fingerprint(ro)).toEqual(before);
    expect(existsSync(path.join(tmp, 'unused-home'))).toBe(false);
  }, 900_000);

  it('a `rlab run` with no host running is the published host itself, and `rlab ls` / `watch` are its clients', async () => {
    const home = path.join(tmp, 'cli-host');
    const run = start(home, ['run', ...TRAIN, '--epochs', '2', '--name', 'cli-host']);
    const [, runId] = (await run.waitFor(/base (run_\w+)/)) as unknown as [string, string];
    await run.waitFor(/epoch 1\/2 batch/);
    const published = readEndpoint(home);
    expect(published).toMatchObject({ kind: 'found', endpoint: { pid: run.child.pid, command: 'rlab run' } });
    const browser = await observe(`http://${new URL(published.kind === 'found' ? published.endpoint.url : '').host}/?token=${published.kind === 'found' ? published.endpoint.token : ''}`);
    const ls = await runRlab(home, ['ls', '--json']);
    expect(ls.code, ls.stderr).toBe(0);
    expect(runsOf(ls).find((r) => r.id === runId)?.status).toBe('running');
    const watch = await runRlab(home, ['watch', runId, '--json'], 280_000);
    expect(watch.code, watch.stderr).toBe(0);
    expect(JSON.parse(watch.stdout) as RunDetail).toMatchObject({ id: runId, status: 'completed', epochsDone: 2 });
    expect(browser.events.some((e) => e.event === 'epoch-end')).toBe(true);
    browser.close();
    expect(await run.exited, run.stderr()).toBe(0);
    expect(existsSync(endpointPath(home))).toBe(false);
  }, 600_000);
});

describe('a CLI host with clients', () => {
  it('a `rlab run` host whose client queued a run on it stays until that run is done', async () => {
    const home = path.join(tmp, 'drain');
    const first = start(home, ['run', ...TRAIN, '--epochs', '1', '--name', 'first']);
    await first.waitFor(/epoch 1\/1 batch/);
    const second = await runRlab(home, ['run', '--preset', 'quick', '--runs', 'base', '--train-size', '256', '--test-size', '64', '--epochs', '1', '--conv-filters', '2', '--fc-units', '8', '--name', 'second', '--json'], 280_000);
    expect(second.code, second.stderr).toBe(0);
    expect((JSON.parse(second.stdout) as { runs: RunDetail[] }).runs.map((r) => r.status)).toEqual(['completed']);
    expect(await first.exited, first.stderr()).toBe(0);
    expect(first.stderr()).toMatch(new RegExp(`other rlab commands still have jobs on this host \\(pid ${first.child.pid}\\); it stays until they finish`));
    expect(existsSync(endpointPath(home))).toBe(false);
  }, 600_000);
});

describe('bad homes and forged endpoints', () => {
  it('--home at a file or a folder that is not a lab is refused, creating nothing', async () => {
    const file = path.join(tmp, 'a-file');
    writeFileSync(file, 'not a lab');
    const docs = path.join(tmp, 'docs');
    mkdirSync(docs);
    writeFileSync(path.join(docs, 'thesis.tex'), '');
    const onFile = await runRlab(path.join(tmp, 'unused'), ['ls', '--home', file]);
    expect(onFile.code).toBe(2);
    expect(onFile.stderr).toBe(`rlab ls: --home ${file} is a file, not a folder; point --home at a lab folder (one with lab.sqlite), an empty folder or a new path\n`);
    const onDocs = await runRlab(path.join(tmp, 'unused'), ['run', '--home', docs, '--preset', 'quick']);
    expect(onDocs.code).toBe(2);
    expect(onDocs.stderr).toBe(`rlab run: --home ${docs} is not a lab: it has no lab.sqlite and holds 1 other entry; point --home at a lab folder, an empty folder or a new path\n`);
    expect(readdirSync(docs)).toEqual(['thesis.tex']);
    expect(readFileSync(file, 'utf8')).toBe('not a lab');
    expect(existsSync(path.join(tmp, 'unused'))).toBe(false);
  });

  it('an endpoint file naming a port another program holds is ignored with one notice, and the command works', async () => {
    const home = path.join(tmp, 'forged');
    mkdirSync(home);
    const other = createServer((_req, res) => res.end('{"ok":true,"result":{"pid":1}}'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const port = (other.address() as AddressInfo).port;
    const remove = await writeEndpoint(home, { protocol: LAB_PROTOCOL_VERSION, url: `ws://127.0.0.1:${port}/ws`, token: 'f'.repeat(32), pid: process.pid, command: 'rlab serve', startedAt: new Date().toISOString() });
    try {
      const ls = await runRlab(home, ['ls']);
      expect(ls.code, ls.stderr).toBe(0);
      expect(ls.stdout).toContain('no runs yet');
      expect(ls.stderr).toBe(`rlab: ignoring ${endpointPath(home)}: the server on 127.0.0.1:${port} is not the host it names (pid ${process.pid})\n`);
    } finally {
      remove();
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });
});
