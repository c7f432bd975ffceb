// Opening the lab to read or to write never starts, stops or rewrites a job; reading takes no lock and writes nothing.
import Database from 'better-sqlite3';
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_METHODS } from '../../../../../src/shared/contract';
import { createLabService, READ_METHODS, type LabService } from '../../../../../src/main/lab/service/service';
import { LOCK_FILE } from '../../../../../src/main/lab/service/home-lock';
import { APPLICATION_ID, LATEST_SCHEMA_VERSION, MIGRATIONS, SCHEMA_LOG_TABLE } from '../../../../../src/main/lab/store/migrations';
import { fingerprint, setWritable } from './lab-files';
import { tempHome, tinyConfig } from './helpers';

let tmp: ReturnType<typeof tempHome>;
/** A lab with one experiment of two queued runs, made by a 'write' lab (which never starts them). */
let home: string;
let runIds: string[];
let experimentId: string;

async function queueTwo(at: string): Promise<{ runIds: string[]; experimentId: string }> {
  const writer = await createLabService({ home: at, access: 'write' });
  try {
    const { experiment, runs } = await writer.createExperiment({ config: tinyConfig({ name: 'queued' }) });
    return { runIds: runs.map((r) => r.id), experimentId: experiment.id };
  } finally {
    await writer.close();
  }
}

/** What the queue holds, in order, and each run's status: the state no reader may change. */
async function queueState(lab: LabService): Promise<unknown> {
  const jobs = await lab.listJobs({});
  const runs = await lab.listRuns({});
  return { jobs: jobs.map((j) => [j.id, j.kind, j.runId, j.status]), runs: runs.map((r) => [r.id, r.status, r.startedAt, r.error]).sort() };
}

beforeAll(async () => {
  tmp = tempHome('rlab-access-');
  home = path.join(tmp.home, 'lab');
  ({ runIds, experimentId } = await queueTwo(home));
});
afterAll(() => {
  setWritable(tmp.home, true);
  tmp.remove();
});

describe("a lab opened to 'write'", () => {
  it('queues runs without starting them: no worker, the jobs stay queued through open and close', async () => {
    const writer = await createLabService({ home, access: 'write' });
    try {
      const state = await queueState(writer);
      expect(state).toEqual({
        jobs: runIds.map((id) => [expect.any(String), 'train', id, 'queued']),
        runs: runIds.map((id) => [id, 'queued', null, null]).sort(),
      });
      await writer.whenIdle();
      expect(writer.workerPid()).toBeUndefined();
      expect(writer.recovery).toEqual({ interruptedRuns: [], requeuedJobs: [], droppedJobs: [] });
    } finally {
      await writer.close();
    }
    const again = await createLabService({ home, access: 'read' });
    try {
      expect((await again.listJobs({})).map((j) => [j.runId, j.status])).toEqual(runIds.map((id) => [id, 'queued']));
    } finally {
      await again.close();
    }
  });
});

describe("a lab opened to 'read'", () => {
  it('takes no lock: it reads beside a writer that holds the lab, and sees its changes', async () => {
    const writer = await createLabService({ home, access: 'write' });
    try {
      expect(existsSync(path.join(home, LOCK_FILE))).toBe(true);
      const reader = await createLabService({ home, access: 'read' });
      try {
        expect((await reader.getExperiment({ experimentId })).runs.map((r) => r.id).sort()).toEqual([...runIds].sort());
        await writer.updateRun({ runId: runIds[0]!, notes: 'seen live' });
        expect((await reader.getRun({ runId: runIds[0]! })).notes).toBe('seen live');
      } finally {
        await reader.close();
      }
      // the writer's lock is untouched by the reader's close
      expect(existsSync(path.join(home, LOCK_FILE))).toBe(true);
    } finally {
      await writer.close();
    }
  });

  it('refuses every method that is not a read, before it does anything', async () => {
    const reader = await createLabService({ home, access: 'read' });
    const before = await queueState(reader);
    const requests: Record<string, unknown> = {
      createExperiment: { config: tinyConfig() },
      deleteRun: { runId: runIds[0] },
      cancelRun: { runId: runIds[0] },
      updateRun: { runId: runIds[0], notes: 'x' },
      deleteExperiment: { experimentId },
      exportReport: { experimentId, outDir: path.join(tmp.home, 'report') },
    };
    try {
      const writes = LAB_METHODS.filter((m) => !READ_METHODS.has(m));
      expect(writes).toEqual(expect.arrayContaining(['createExperiment', 'deleteRun', 'cancelRun', 'evaluate', 'exportModel', 'exportReport', 'engineInfo']));
      for (const m of writes) {
        const call = reader[m] as (req: unknown) => Promise<unknown>;
        await expect(call(requests[m] ?? {}), m).rejects.toMatchObject({ code: 'failed_precondition', message: expect.stringContaining('read-only') });
      }
      await expect(reader.resumeRun(runIds[0]!)).rejects.toMatchObject({ code: 'failed_precondition' });
      expect(await queueState(reader)).toEqual(before);
      expect(existsSync(path.join(tmp.home, 'report'))).toBe(false);
    } finally {
      await reader.close();
    }
  });

  it('reads a home without a lab as an empty lab and creates nothing, not even the folder', async () => {
    const missing = path.join(tmp.home, 'no-lab-here');
    const reader = await createLabService({ home: missing, access: 'read' });
    try {
      expect(await reader.listRuns({})).toEqual([]);
      await expect(reader.getRun({ runId: 'run_abcdef' })).rejects.toMatchObject({ code: 'not_found' });
    } finally {
      await reader.close();
    }
    expect(existsSync(missing)).toBe(false);
    const empty = path.join(tmp.home, 'empty-home');
    mkdirSync(empty);
    await (await createLabService({ home: empty, access: 'read' })).close();
    expect(readdirSync(empty)).toEqual([]);
  });

  it.skipIf(LATEST_SCHEMA_VERSION < 2)('reads a lab of an older schema without upgrading it (only a writer upgrades)', async () => {
    const old = path.join(tmp.home, 'old-schema');
    mkdirSync(old);
    // schema v1 exactly as the first build wrote it: migration 1 and its log entry
    const db = new Database(path.join(old, 'lab.sqlite'));
    db.pragma('journal_mode = WAL');
    db.exec(`CREATE TABLE ${SCHEMA_LOG_TABLE} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
    db.exec(MIGRATIONS[0]!.sql);
    db.prepare(`INSERT INTO ${SCHEMA_LOG_TABLE} (version, name, applied_at) VALUES (1, ?, ?)`).run(MIGRATIONS[0]!.name, new Date().toISOString());
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma('user_version = 1');
    db.close();
    const before = fingerprint(old);
    const reader = await createLabService({ home: old, access: 'read' });
    try {
      expect(await reader.listRuns({})).toEqual([]);
    } finally {
      await reader.close();
    }
    expect(fingerprint(old)).toEqual(before);
  });

  it('refuses a home that is a file, naming it', async () => {
    const file = path.join(tmp.home, 'a-file');
    writeFileSync(file, 'not a lab');
    await expect(createLabService({ home: file, access: 'read' })).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringContaining(file) });
  });

  it('lists a read-only copy of a lab (chmod -R a-w) without writing a byte, also one with a live -wal file', async () => {
    // a copy taken while a writer has the lab open: recent transactions are in lab.sqlite-wal only
    const writer = await createLabService({ home, access: 'write' });
    let copies: string[];
    try {
      await writer.updateRun({ runId: runIds[1]!, notes: 'only in the wal' });
      expect(readdirSync(home)).toContain('lab.sqlite-wal');
      copies = [path.join(tmp.home, 'ro-live'), path.join(tmp.home, 'ro-clean')];
      cpSync(home, copies[0]!, { recursive: true });
    } finally {
      await writer.close();
    }
    cpSync(home, copies[1]!, { recursive: true });
    expect(readdirSync(copies[1]!)).not.toContain('lab.sqlite-wal');
    for (const copy of copies) {
      setWritable(copy, false);
      const before = fingerprint(copy);
      const reader = await createLabService({ home: copy, access: 'read' });
      try {
        const runs = await reader.listRuns({});
        expect(runs.map((r) => [r.id, r.status]).sort()).toEqual(runIds.map((id) => [id, 'queued']).sort());
        expect((await reader.getRun({ runId: runIds[1]! })).notes).toBe('only in the wal');
        expect((await reader.getExperiment({ experimentId })).runs).toHaveLength(2);
        expect((await reader.listJobs({})).map((j) => j.status)).toEqual(['queued', 'queued']);
      } finally {
        await reader.close();
      }
      expect(fingerprint(copy), copy).toEqual(before);
    }
  });
});
