// LabService: the one host of the lab. Validates every request, owns the store, queues jobs, supervises the engine
// worker and publishes events. No Electron imports: the desktop app, `rlab serve` and the CLI share it.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  LAB_REQUEST_SCHEMAS,
  type EngineRecord,
  type LabApi,
  type LabEventName,
  type LabMethod,
  type LabEvents,
  type LabParsedRequest,
  type LabRequest,
  type RunSummary,
} from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { RunIdRequestSchema } from '../../../shared/schemas';
import { parseOrThrow } from '../../../shared/validate';
import { labHome } from '../data/paths';
import { openStore, type RecoveryReport, type Store } from '../store';
import { forkWorkerFactory, type WorkerFactory } from '../worker/spawn';
import { checkpointEvaluationMethods } from './checkpoint-evaluation';
import { datasetMethods } from './datasets';
import { EventBus, eventSubscriptions, type Unsubscribe } from './event-bus';
import { acquireHomeLock } from './home-lock';
import { openReadStore } from './read-store';
import { estimateMethod } from './estimate';
import { experimentMethods } from './experiments';
import { exportMethods } from './export-methods';
import { JobRunner } from './job-runner';
import { jobMethods } from './jobs';
import { importModelMethods } from './import-model';
import { modelInspector, type InspectModel } from './model-inspector';
import { runMethods } from './runs';
import { WorkerSupervisor } from './supervisor';
import { sweepMethods } from '../sweeps/sweep-methods';
import { defaultWorkerCount, machineFacts, slotEnvironment } from '../sweeps/worker-slots';
import { SWEEP_MAX_WORKERS } from '../../../shared/sweep-spec';
import { HostQueue } from '../queue/host-queue';
import { parseRedisUrl } from '../queue/redis-url';
import { labWorkerSecret } from '../queue/signing';

/**
 * What the lab is opened for. 'jobs' (default): the host: takes the home lock, repairs after a crash, runs the job
 * queue and the engine worker. 'write': the store for commands that change records but run no jobs (rm, export,
 * report): the lock, but the queue is left exactly as it is and no worker starts. 'read': no lock, no writes at
 * all (see read-store.ts); only the methods in READ_METHODS answer.
 */
export type LabAccess = 'read' | 'write' | 'jobs';

/** The methods a 'read' lab answers: they only read the store. */
export const READ_METHODS: ReadonlySet<LabMethod> = new Set<LabMethod>(['listExperiments', 'getExperiment', 'listRuns', 'getRun', 'getMetrics', 'listEvaluations', 'ensemble', 'getGallery', 'confusion', 'galleryPage', 'listJobs', 'estimateExperiment', 'planSweep', 'listSweeps', 'getSweep']);

export interface LabServiceOptions {
  /** The lab's data folder: lab.sqlite, runs/, data/. Default labHome() ($RLAB_HOME or ~/.robustness-lab). */
  home?: string;
  /** Default 'jobs'; see LabAccess. */
  access?: LabAccess;
  /** How engine workers are started; default child_process.fork of the worker entry through tsx. */
  workerFactory?: WorkerFactory;
  /** Extra environment for the worker (e.g. RLAB_BACKEND). */
  workerEnv?: Record<string, string>;
  /** better-sqlite3 binary for this runtime (the Electron build differs from Node's). */
  sqliteBinding?: string;
  /** Longest wait for a worker's 'ready'. */
  workerReadyTimeoutMs?: number;
  /** Mirror folder URLs for full dataset downloads (default: each dataset's official location). */
  datasetMirrors?: Partial<Record<'mnist' | 'fashion-mnist', string>>;
  /** How long a cancelled job may take to stop at its next batch before the worker is killed. Default 30 s. */
  cancelGraceMs?: number;
  /** Engine workers running jobs at once (default 1; a sweep raises it to its own, `--workers` or the machine's default). */
  workers?: number;
  /**
   * A Redis URL (redis:// or rediss://): the jobs go to `rlab worker` processes through BullMQ on it instead of to
   * engine workers of this host. Checked (and refused when unreachable) before the lab opens.
   */
  queue?: string;
}

export interface LabService extends LabApi {
  readonly home: string;
  readonly access: LabAccess;
  /** What start-up repaired after an unclean stop. */
  readonly recovery: RecoveryReport;
  on<K extends LabEventName>(event: K, cb: (payload: LabEvents[K]) => void): Unsubscribe;
  /** Continues an interrupted, failed or cancelled run from its last finished epoch's checkpoint (`rlab resume`). */
  resumeRun(req: string | LabRequest<'resumeRun'>): Promise<RunSummary>;
  /** Resolves once no job runs and none is queued. */
  whenIdle(): Promise<void>;
  /** Process id of the engine worker, when one is running. */
  workerPid(): number | undefined;
  /**
   * Stops the worker and closes the store. A training run in progress becomes interrupted (resumable), or with
   * `cancelActive` (a host stopped by Ctrl-C or SIGTERM) is first cancelled cleanly at its next batch, keeping its
   * finished epochs. Queued jobs stay queued.
   */
  close(options?: { cancelActive?: boolean }): Promise<void>;
}

/** The context the method groups share. */
export interface ServiceContext {
  home: string;
  cacheDir: string;
  store: Store;
  bus: EventBus;
  runner: JobRunner;
  supervisor: WorkerSupervisor;
  cancelGraceMs: number;
  /** Checks a user's model file in an engine worker of its own (the host never parses one). */
  inspectModel: InspectModel;
  /** Throws once the service is closed. */
  checkOpen(): void;
}

/** The store and what closing it takes: a writer holds the home lock, a reader may hold a private copy. */
async function openLabStore(home: string, access: LabAccess, sqliteBinding: string | undefined): Promise<{ store: Store; release(): void }> {
  if (access === 'read') {
    const read = openReadStore(home, sqliteBinding === undefined ? {} : { sqliteBinding });
    return { store: read.store, release: () => read.close() };
  }
  await fs.mkdir(path.join(home, 'runs'), { recursive: true });
  const releaseLock = acquireHomeLock(home);
  try {
    const store = openStore(path.join(home, 'lab.sqlite'), sqliteBinding === undefined ? {} : { nativeBinding: sqliteBinding });
    if (!store.checkIntegrity()) {
      store.close();
      throw new LabError('corrupt_data', `${path.join(home, 'lab.sqlite')} failed SQLite's integrity check; restore it from a backup or move it away to start a fresh lab`);
    }
    return {
      store,
      release: () => {
        store.close();
        releaseLock();
      },
    };
  } catch (err) {
    releaseLock();
    throw err;
  }
}

export async function createLabService(options: LabServiceOptions = {}): Promise<LabService> {
  const home = path.resolve(options.home ?? labHome());
  const access = options.access ?? 'jobs';
  const runsJobs = access === 'jobs';
  const { store, release } = await openLabStore(home, access, options.sqliteBinding);
  // crash repair belongs to the process that takes the queue: anyone else leaves runs and jobs exactly as they are
  const recovery: RecoveryReport = runsJobs ? store.recoverAfterCrash() : { interruptedRuns: [], requeuedJobs: [], droppedJobs: [] };
  const bus = new EventBus((event, err) => console.error(`a ${event} listener threw:`, err));
  let hostQueue: HostQueue | null = null;
  if (options.queue !== undefined && runsJobs) {
    try {
      const target = parseRedisUrl(options.queue);
      hostQueue = await HostQueue.open({
        target,
        secret: await labWorkerSecret(home),
        log: (level, message) => bus.emit('log', { level, message }),
        onReachability: (down) => {
          try {
            if (store.isOpen) store.setSweepsPaused(down);
          } catch (err) {
            bus.emit('log', { level: 'error', message: `could not mark the sweeps ${down === null ? 'running' : 'paused'}: ${LabError.wrap(err).message}` });
          }
        },
      });
      // a host that starts with its queue reachable has no pause left from an earlier outage
      store.setSweepsPaused(null);
    } catch (err) {
      release();
      throw err;
    }
  }
  const workerFactory = hostQueue?.factory() ?? options.workerFactory ?? forkWorkerFactory();
  const machine = machineFacts();
  const cacheDir = path.join(home, 'data');
  const runner: JobRunner = new JobRunner({
    store,
    bus,
    cacheDir,
    slots: options.workers ?? (hostQueue ? SWEEP_MAX_WORKERS : 1),
    supervisor: (slot, hooks) =>
      new WorkerSupervisor({
        factory: workerFactory,
        home,
        ...(options.workerEnv ? { env: options.workerEnv } : {}),
        envAtStart: () => slotEnvironment(slot, runner.slotCount, machine),
        ...(options.workerReadyTimeoutMs ? { readyTimeoutMs: options.workerReadyTimeoutMs } : {}),
        ...hooks,
      }),
  });
  const supervisor = runner.primary;
  const inspector = modelInspector({ factory: options.workerFactory ?? forkWorkerFactory(), home, ...(options.workerEnv ? { env: options.workerEnv } : {}) });
  // a lab that does not run jobs never starts one: a closed runner ignores every kick and reports idle
  if (!runsJobs) runner.close();
  let closed = false;
  let closing: Promise<void> | null = null;
  const ctx: ServiceContext = {
    home,
    cacheDir,
    store,
    bus,
    runner,
    supervisor,
    cancelGraceMs: options.cancelGraceMs ?? 30_000,
    inspectModel: inspector.inspect,
    checkOpen: () => {
      if (closed) throw new LabError('failed_precondition', 'the lab service is closed');
    },
  };

  for (const id of recovery.interruptedRuns) {
    bus.emit('log', { level: 'warn', runId: id, message: `${id} was interrupted by an unclean stop; resume it with \`rlab resume ${id}\`` });
  }

  /** Validates with the method's schema, then runs it; everything a caller gets back is a LabError on failure. */
  const method =
    <M extends LabMethod, R>(name: M, body: (req: LabParsedRequest<M>) => R | Promise<R>) =>
    async (req: unknown): Promise<R> => {
      ctx.checkOpen();
      if (access === 'read' && !READ_METHODS.has(name)) throw new LabError('failed_precondition', `${name} changes the lab, which this command opened read-only`);
      const parsed = parseOrThrow(LAB_REQUEST_SCHEMAS[name], req ?? {});
      try {
        return await body(parsed as LabParsedRequest<M>);
      } catch (err) {
        throw LabError.wrap(err);
      }
    };

  const experiments = experimentMethods(ctx);
  const runs = runMethods(ctx);
  const datasets = datasetMethods(ctx, options.datasetMirrors);
  const exporting = exportMethods(ctx);
  const jobs = jobMethods(ctx);
  const checkpoints = checkpointEvaluationMethods(ctx);
  // with a queue a slot is a queued job, not a process here: a sweep queues as many as it may run at once
  const sweeps = sweepMethods(ctx, runs, () => (hostQueue ? SWEEP_MAX_WORKERS : defaultWorkerCount(machineFacts())));

  async function closeService(cancelActive: boolean): Promise<void> {
    runner.stopTaking();
    if (cancelActive) await Promise.all(runner.running.map((a) => runner.cancelActive(a.runId, ctx.cancelGraceMs)));
    closed = true;
    runner.close();
    await runner.stopWorkers();
    await hostQueue?.close();
    await inspector.close();
    release();
    bus.clear();
  }

  const service: LabService = {
    home,
    access,
    recovery,
    createExperiment: method('createExperiment', experiments.createExperiment),
    listExperiments: method('listExperiments', () => store.listExperiments()),
    getExperiment: method('getExperiment', (r) => store.getExperiment(r.experimentId)),
    deleteExperiment: method('deleteExperiment', experiments.deleteExperiment),
    listRuns: method('listRuns', (r) => store.listRuns(r)),
    getRun: method('getRun', (r) => store.getRun(r.runId)),
    deleteRun: method('deleteRun', runs.deleteRun),
    cancelRun: method('cancelRun', runs.cancelRun),
    updateRun: method('updateRun', (r) => store.updateRun(r)),
    getMetrics: method('getMetrics', (r) => store.getMetrics(r.runId, r.granularity)),
    listEvaluations: method('listEvaluations', (r) => store.listEvaluations(r.runId)),
    ensemble: method('ensemble', (r) => store.ensembleOf(r.evaluationIds)),
    evaluate: method('evaluate', runs.evaluate),
    evaluateCheckpoint: method('evaluateCheckpoint', checkpoints.evaluateCheckpoint),
    getGallery: method('getGallery', (r) => store.getGallery(r.evaluationId)),
    confusion: method('confusion', (r) => store.confusion(r.evaluationId)),
    galleryPage: method('galleryPage', (r) => store.galleryPage(r)),
    engineInfo: method('engineInfo', async (): Promise<EngineRecord> => supervisor.engine ?? (await supervisor.ensure())),
    listDatasets: method('listDatasets', datasets.listDatasets),
    downloadDataset: method('downloadDataset', datasets.downloadDataset),
    importDataset: method('importDataset', datasets.importDataset),
    importModel: method('importModel', importModelMethods(ctx).importModel),
    exportModel: method('exportModel', exporting.exportModel),
    exportReport: method('exportReport', exporting.exportReport),
    listJobs: method('listJobs', () => store.listJobs()),
    cancelJob: method('cancelJob', (r) => {
      if (!runsJobs) throw new LabError('failed_precondition', 'cancelJob changes the job queue, which only the lab\'s host runs; this command opened the lab without it');
      return jobs.cancelJob(r);
    }),
    estimateExperiment: method('estimateExperiment', estimateMethod(store)),
    planSweep: method('planSweep', sweeps.planSweep),
    createSweep: method('createSweep', sweeps.createSweep),
    listSweeps: method('listSweeps', sweeps.listSweeps),
    getSweep: method('getSweep', sweeps.getSweep),
    cancelSweep: method('cancelSweep', sweeps.cancelSweep),
    resumeSweep: method('resumeSweep', sweeps.resumeSweep),
    ...eventSubscriptions(bus),
    on: (event, cb) => bus.on(event, cb),
    resumeRun: async (req) => {
      ctx.checkOpen();
      if (access === 'read') throw new LabError('failed_precondition', 'resumeRun changes the lab, which this command opened read-only');
      const { runId } = parseOrThrow(RunIdRequestSchema, typeof req === 'string' ? { runId: req } : req);
      try {
        return await runs.resumeRun(runId);
      } catch (err) {
        throw LabError.wrap(err);
      }
    },
    whenIdle: () => runner.whenIdle(),
    workerPid: () => supervisor.pid,
    close: (closeOptions) => (closing ??= closeService(closeOptions?.cancelActive === true)),
  };
  if (runsJobs) runner.kick();
  return service;
}
