// An experiment over several seeds: one run per (seed, role) in a real SQLite store, each adv run paired with its own
// seed's base run. The engine worker here is an in-process stand-in that "trains" by writing a model file, so the test
// checks the host's bookkeeping (what is stored and what each job is given) without TensorFlow.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EngineRecord } from '../../../../../src/shared/contract';
import { createLabService, type LabService } from '../../../../../src/main/lab/service/service';
import { openStore } from '../../../../../src/main/lab/store';
import { MIGRATIONS, SCHEMA_LOG_TABLE, APPLICATION_ID } from '../../../../../src/main/lab/store/migrations';
import { type HostToWorker, type TrainJob, type WorkerToHost } from '../../../../../src/main/lab/worker/protocol';
import { type WorkerExit, type WorkerFactory } from '../../../../../src/main/lab/worker/spawn';
import { tempHome, tinyConfig, TUTORIAL_SUITE } from './helpers';

const ENGINE: EngineRecord = { backend: 'cpu', tfjsVersion: 'test', tfVersion: null, libtensorflowSource: null, threads: 1, cpu: { model: 'test', cores: 1, features: [] }, gpus: [], notUsed: [], warnings: [] };

/** A worker that answers every train job at once: writes model/model.json in the run folder, reports it, and is done. */
function instantWorker(jobs: TrainJob[]): WorkerFactory {
  return () => {
    const listeners: ((m: WorkerToHost) => void)[] = [];
    const exits: ((e: WorkerExit) => void)[] = [];
    const emit = (m: WorkerToHost) => setImmediate(() => listeners.forEach((l) => l(m)));
    emit({ type: 'ready', engine: ENGINE, pid: process.pid });
    return {
      pid: process.pid,
      send(message: HostToWorker) {
        if (message.type === 'shutdown') setImmediate(() => exits.forEach((e) => e({ code: 0, signal: null })));
        if (message.type !== 'train') return;
        const job = message.job;
        jobs.push(job);
        const modelPath = path.join(job.runDir, 'model', 'model.json');
        mkdirSync(path.dirname(modelPath), { recursive: true });
        writeFileSync(modelPath, '{}');
        emit({ type: 'artifact', jobId: job.jobId, runId: job.runId, kind: 'model', path: modelPath });
        emit({ type: 'done', jobId: job.jobId, runId: job.runId, outcome: 'completed' });
      },
      onMessage: (cb) => void listeners.push(cb),
      onExit: (cb) => void exits.push(cb),
      kill: () => setImmediate(() => exits.forEach((e) => e({ code: null, signal: 'SIGKILL' }))),
    };
  };
}

let home: ReturnType<typeof tempHome>;
let lab: LabService;
const jobs: TrainJob[] = [];
beforeAll(async () => {
  home = tempHome('rlab-seeds-');
  lab = await createLabService({ home: home.home, workerFactory: instantWorker(jobs) });
});
afterAll(async () => {
  await lab.close();
  home.remove();
});

describe('createExperiment over seeds', () => {
  it('creates one run per (seed, role), queued seed by seed with base before adv', async () => {
    const { runs } = await lab.createExperiment({ config: tinyConfig({ name: 'spread', seed: undefined, seeds: [3, 1, 4], attacks: TUTORIAL_SUITE }) });
    expect(runs.map((r) => [r.role, r.seed, r.name])).toEqual([
      ['base', 3, 'spread · base · seed 3'],
      ['adv', 3, 'spread · adv · seed 3'],
      ['base', 1, 'spread · base · seed 1'],
      ['adv', 1, 'spread · adv · seed 1'],
      ['base', 4, 'spread · base · seed 4'],
      ['adv', 4, 'spread · adv · seed 4'],
    ]);
    await lab.whenIdle();
    const detail = await lab.getExperiment({ experimentId: runs[0]!.experimentId });
    expect(detail.runs.map((r) => r.status)).toEqual(Array(6).fill('completed'));
    for (const r of detail.runs) {
      // each run trains from its own seed; every run splits the data by the experiment's seed (the first)
      expect(r.config.seed).toBe(r.seed);
      expect(r.config.splitSeed).toBe(3);
      expect(r.config.advReg.multiplier).toBe(r.role === 'base' ? 0 : 0.2);
      expect(r.config.attacks).toEqual(detail.runs[0]!.config.attacks);
    }
    expect((await lab.listRuns({ experimentId: runs[0]!.experimentId })).map((r) => r.seed).sort()).toEqual([1, 1, 3, 3, 4, 4]);
  });

  it('gives each adv run its own seed\'s base run as transfer source and gallery peer', () => {
    const advJobs = jobs.filter((j) => j.config.role === 'adv');
    expect(advJobs).toHaveLength(3);
    for (const job of advJobs) {
      const base = jobs.find((j) => j.config.role === 'base' && j.config.seed === job.config.seed)!;
      const transfers = job.evaluations.filter((t) => t.sourceRunId !== null);
      expect(transfers.map((t) => t.sourceRunId)).toEqual([base.runId]);
      expect(transfers[0]!.sourceModelPath).toBe(path.join(base.runDir, 'model', 'model.json'));
      expect(job.galleryPeer?.runId).toBe(base.runId);
    }
    // base and adv of one seed get the same data split and evaluation suite apart from the transfer source
    const seed1 = jobs.filter((j) => j.config.seed === 1);
    expect(seed1.map((j) => j.config.role)).toEqual(['base', 'adv']);
    expect(seed1[0]!.config.data).toEqual(seed1[1]!.config.data);
    const whiteBox = (j: TrainJob) => j.evaluations.filter((t) => t.sourceRunId === null).map((t) => [t.attack?.attack ?? 'clean', t.attack?.epsilon ?? 0, t.attack?.steps ?? 0]);
    expect(whiteBox(seed1[0]!)).toEqual(whiteBox(seed1[1]!));
    expect(whiteBox(seed1[0]!)).toHaveLength(3);
  });

  it('keeps the single-seed experiment of today: names without a seed, split by that seed', async () => {
    const { runs } = await lab.createExperiment({ config: tinyConfig({ name: 'single', seed: 6 }) });
    expect(runs.map((r) => [r.name, r.seed])).toEqual([['single · base', 6], ['single · adv', 6]]);
    const run = await lab.getRun({ runId: runs[0]!.id });
    expect(run.config).toMatchObject({ seed: 6, splitSeed: 6 });
    await lab.whenIdle();
  });

  it('stores the seed in its own column', () => {
    const db = new Database(path.join(home.home, 'lab.sqlite'), { readonly: true });
    try {
      const rows = db.prepare<[], { seed: number; config: string }>('SELECT seed, config FROM runs').all();
      expect(rows.length).toBe(8);
      for (const r of rows) expect(r.seed).toBe((JSON.parse(r.config) as { seed: number }).seed);
    } finally {
      db.close();
    }
  });

  it.each([
    [{ seeds: [1, 1] }, 'config.seeds', /^config\.seeds must be a list of 1 to 32 distinct integers in \[0, 2147483647\] \(got \[1,1\]\)/],
    [{ seeds: [] }, 'config.seeds', /^config\.seeds must be a list of 1 to 32 distinct integers/],
    [{ seed: 2, seeds: [1, 2] }, 'config.seed', /^config\.seed must be the first of seeds \(1\)/],
  ])('refuses %j naming the field, and stores nothing', async (over, field, message) => {
    const before = (await lab.listRuns({})).length;
    const err = await lab.createExperiment({ config: tinyConfig({ seed: undefined, ...over }) }).then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'invalid_argument', field, message: expect.stringMatching(message) });
    expect((await lab.listRuns({})).length).toBe(before);
    expect(await lab.listJobs({})).toEqual([]);
  });
});

describe('a store from before seed groups', () => {
  it('gets every run\'s seed from its config when it is opened', () => {
    const file = path.join(home.home, 'v1.sqlite');
    const db = new Database(file);
    db.exec(MIGRATIONS[0]!.sql);
    db.exec(`CREATE TABLE ${SCHEMA_LOG_TABLE} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
    db.prepare(`INSERT INTO ${SCHEMA_LOG_TABLE} VALUES (1, ?, ?)`).run(MIGRATIONS[0]!.name, '2026-01-01T00:00:00.000Z');
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma('user_version = 1');
    db.prepare(`INSERT INTO experiments (id, name, created_at, config) VALUES ('exp_old', 'old', '2026-01-01T00:00:00.000Z', '{}')`).run();
    const insert = db.prepare(`INSERT INTO runs (id, experiment_id, name, role, created_at, epochs, config) VALUES (?, 'exp_old', ?, ?, '2026-01-01T00:00:00.000Z', 1, ?)`);
    insert.run('run_old1', 'old · base', 'base', JSON.stringify({ role: 'base', seed: 7 }));
    insert.run('run_old2', 'old · adv', 'adv', JSON.stringify({ role: 'adv', seed: 7 }));
    db.close();

    const store = openStore(file);
    try {
      expect(store.listRuns({}).map((r) => [r.id, r.seed]).sort()).toEqual([['run_old1', 7], ['run_old2', 7]]);
    } finally {
      store.close();
    }
  });
});
