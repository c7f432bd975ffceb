// Queued runs survive every command that does not run jobs (ls, show, report, export, as real `rlab` processes) and a
// clean stop of a host; a read-only copy of a lab is listed without writing a byte.
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunSummary } from '../../../../src/shared/contract';
import { createLabService, type LabService } from '../../../../src/main/lab/service/service';
import { LOCK_FILE } from '../../../../src/main/lab/service/home-lock';
import { fingerprint, setWritable } from '../lab/service/lab-files';
import { tinyConfig } from '../lab/service/helpers';
import { RLAB_BIN, type RlabResult } from './rlab-process';

let tmp: string;
let home: string;
let trained: RunSummary;
let queued: RunSummary[];

/** `rlab ...` as a child process in `cwd`, with RLAB_HOME set. */
function rlab(args: string[], options: { cwd?: string; home?: string } = {}): Promise<RlabResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RLAB_BIN, ...args], { cwd: options.cwd ?? tmp, env: { ...process.env, RLAB_HOME: options.home ?? home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The job queue in order and every run's status and timestamps: what no command but a host may change. */
async function queueState(lab: LabService): Promise<unknown> {
  const jobs = (await lab.listJobs({})).map((j) => [j.id, j.kind, j.runId, j.status, j.createdAt]);
  const runs = (await lab.listRuns({})).map((r) => [r.id, r.status, r.startedAt, r.finishedAt, r.error, r.epochsDone]).sort();
  return { jobs, runs };
}

async function readState(at = home): Promise<unknown> {
  const reader = await createLabService({ home: at, access: 'read' });
  try {
    return await queueState(reader);
  } finally {
    await reader.close();
  }
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'rlab-queue-integrity-'));
  home = path.join(tmp, 'lab');
  const host = await createLabService({ home });
  try {
    const done = await host.createExperiment({ config: tinyConfig({ name: 'trained', runs: ['base'] }) });
    await host.whenIdle();
    trained = await host.getRun({ runId: done.runs[0]!.id });
    expect(trained.status, trained.error ?? '').toBe('completed');
  } finally {
    await host.close();
  }
  // two runs queued by a lab that does not run jobs
  const writer = await createLabService({ home, access: 'write' });
  try {
    queued = (await writer.createExperiment({ config: tinyConfig({ name: 'waiting' }) })).runs;
  } finally {
    await writer.close();
  }
}, 240_000);
afterAll(() => {
  setWritable(tmp, true);
  rmSync(tmp, { recursive: true, force: true });
});

describe('the job queue', () => {
  it('survives any number of ls / show / report / export commands, each a real process', async () => {
    const before = await readState();
    expect((before as { jobs: unknown[][] }).jobs.map((j) => [j[2], j[3]])).toEqual(queued.map((r) => [r.id, 'queued']));
    const commands: [string[], number][] = [
      [['ls'], 0],
      [['ls', '--json'], 0],
      [['ls', '--status', 'queued'], 0],
      [['show', queued[0]!.id], 0],
      [['show', queued[1]!.experimentId, '--json'], 0],
      [['report', queued[0]!.experimentId, '--out', path.join(tmp, 'report-queued')], 0],
      [['report', trained.id, '--out', 'report-relative'], 0],
      [['export', trained.id, '--out', path.join(tmp, 'model-tfjs')], 0],
      [['export', trained.id, '--out', 'model.onnx'], 0],
      [['export', queued[0]!.id, '--out', path.join(tmp, 'never')], 1],
      [['ls'], 0],
    ];
    for (const [args, code] of commands) {
      const r = await rlab(args);
      expect(r.code, `rlab ${args.join(' ')}: ${r.stderr}`).toBe(code);
      expect(await readState(), `after rlab ${args.join(' ')}`).toEqual(before);
      expect(existsSync(path.join(home, LOCK_FILE))).toBe(false);
    }
    // the commands did their work: relative paths are the CLI's working folder
    expect(readdirSync(path.join(tmp, 'report-relative')).sort()).toEqual(['evaluations.csv', 'metrics.csv', 'report.json']);
    expect(readdirSync(path.join(tmp, 'model-tfjs')).sort()).toEqual(['README.txt', 'metadata.json', 'model.json', 'weights.bin']);
    expect(existsSync(path.join(tmp, 'model.onnx'))).toBe(true);
    expect(existsSync(path.join(tmp, 'never'))).toBe(false);
    const listed = JSON.parse((await rlab(['ls', '--json'])).stdout) as RunSummary[];
    expect(listed.filter((r) => r.status === 'queued').map((r) => r.id).sort()).toEqual(queued.map((r) => r.id).sort());
  }, 600_000);

  it('export and report refuse the lab\'s runs folder and a taken folder, and overwrite only with --force', async () => {
    const before = await readState();
    const otherModel = path.join(home, 'runs', trained.id, 'model');
    const inRuns = await rlab(['export', trained.id, '--out', otherModel]);
    expect(inRuns.code).toBe(2);
    expect(inRuns.stderr).toContain('--out');
    expect(inRuns.stderr).toContain('runs folder');
    const taken = await rlab(['export', trained.id, '--out', path.join(tmp, 'model-tfjs')]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/not empty.*--force/);
    const forced = await rlab(['export', trained.id, '--out', path.join(tmp, 'model-tfjs'), '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    const reportTaken = await rlab(['report', trained.id, '--out', path.join(tmp, 'report-relative')]);
    expect(reportTaken.code).toBe(1);
    expect((await rlab(['report', trained.id, '--out', path.join(tmp, 'report-relative'), '--force'])).code).toBe(0);
    expect(await readState()).toEqual(before);
  }, 300_000);

  it('a read-only copy of the lab (chmod -R a-w) is listed and shown without writing a byte', async () => {
    const copy = path.join(tmp, 'read-only-copy');
    cpSync(home, copy, { recursive: true });
    setWritable(copy, false);
    const before = fingerprint(copy);
    const ls = await rlab(['ls', '--json'], { home: copy });
    expect(ls.code, ls.stderr).toBe(0);
    expect((JSON.parse(ls.stdout) as RunSummary[]).map((r) => r.id).sort()).toEqual([trained.id, ...queued.map((r) => r.id)].sort());
    const show = await rlab(['show', trained.id], { home: copy });
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(trained.id);
    expect(fingerprint(copy)).toEqual(before);
  }, 300_000);

  it('survives a clean stop of a host that took a job before it trained; the next host runs both', async () => {
    const before = (await readState()) as { jobs: unknown[][] };
    const host = await createLabService({ home });
    // the host took the first job at once
    expect((await host.listJobs({}))[0]!.status).toBe('running');
    await host.close();
    expect(await readState()).toEqual(before);

    const next = await createLabService({ home });
    try {
      await next.whenIdle();
      for (const r of queued) expect((await next.getRun({ runId: r.id })).status).toBe('completed');
      expect(await next.listJobs({})).toEqual([]);
    } finally {
      await next.close();
    }
  }, 300_000);
});
