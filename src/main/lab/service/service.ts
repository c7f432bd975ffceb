// LabService: the one host of the lab. Validates every request, owns the store, queues jobs, supervises the engine
// worker and publishes events. No Electron imports: the desktop app, `rlab serve` and the CLI share it.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { type z } from 'zod';
import {
  LAB_REQUEST_SCHEMAS,
  type EngineRecord,
  type LabApi,
  type LabEventName,
  type LabEvents,
  type RunSummary,
} from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { RunIdRequestSchema } from '../../../shared/schemas';
import { parseOrThrow } from '../../../shared/validate';
import { labHome } from '../data/paths';
import { openStore, type RecoveryReport, type Store } from '../store';
import { forkWorkerFactory, type WorkerFactory } from '../worker/spawn';
import { datasetMethods } from './datasets';
import { EventBus, eventSubscriptions, type Unsubscribe } from './event-bus';
import { acquireHomeLock } from './home-lock';
import { experimentMethods } from './experiments';
import { exportMethods } from './export-methods';
import { JobRunner } from './job-runner';
import { runMethods } from './runs';
import { WorkerSupervisor } from './supervisor';

export interface LabServiceOptions {
  /** The lab's data folder: lab.sqlite, runs/, data/. Default labHome() ($RLAB_HOME or ~/.robustness-lab). */
  home?: string;
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
}

export interface LabService extends LabApi {
  readonly home: string;
  /** What start-up repaired after an unclean stop. */
  readonly recovery: RecoveryReport;
  on<K extends LabEventName>(event: K, cb: (payload: LabEvents[K]) => void): Unsubscribe;
  /** Continues an interrupted, failed or cancelled run from its last finished epoch's checkpoint (`rlab resume`). */
  resumeRun(req: string | { runId: string }): Promise<RunSummary>;
  /** Resolves once no job runs and none is queued. */
  whenIdle(): Promise<void>;
  /** Process id of the engine worker, when one is running. */
  workerPid(): number | undefined;
  /** Stops the worker (a training run in progress becomes interrupted) and closes the store. */
  close(): Promise<void>;
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
  /** Throws once the service is closed. */
  checkOpen(): void;
}

export async function createLabService(options: LabServiceOptions = {}): Promise<LabService> {
  const home = path.resolve(options.home ?? labHome());
  await fs.mkdir(path.join(home, 'runs'), { recursive: true });
  const releaseLock = acquireHomeLock(home);
  let store: Store;
  try {
    store = openStore(path.join(home, 'lab.sqlite'), options.sqliteBinding === undefined ? {} : { nativeBinding: options.sqliteBinding });
    if (!store.checkIntegrity()) {
      store.close();
      throw new LabError('corrupt_data', `${path.join(home, 'lab.sqlite')} failed SQLite's integrity check; restore it from a backup or move it away to start a fresh lab`);
    }
  } catch (err) {
    releaseLock();
    throw err;
  }
  const recovery = store.recoverAfterCrash();
  const bus = new EventBus((event, err) => console.error(`a ${event} listener threw:`, err));
  const supervisor = new WorkerSupervisor({
    factory: options.workerFactory ?? forkWorkerFactory(),
    home,
    ...(options.workerEnv ? { env: options.workerEnv } : {}),
    ...(options.workerReadyTimeoutMs ? { readyTimeoutMs: options.workerReadyTimeoutMs } : {}),
    onMessage: (m) => runner.handle(m),
    onUnexpectedExit: (exit) => runner.onWorkerExit(exit),
  });
  const cacheDir = path.join(home, 'data');
  const runner = new JobRunner({ store, supervisor, bus, cacheDir });
  let closed = false;
  const ctx: ServiceContext = {
    home,
    cacheDir,
    store,
    bus,
    runner,
    supervisor,
    cancelGraceMs: options.cancelGraceMs ?? 30_000,
    checkOpen: () => {
      if (closed) throw new LabError('failed_precondition', 'the lab service is closed');
    },
  };

  for (const id of recovery.interruptedRuns) {
    bus.emit('log', { level: 'warn', runId: id, message: `${id} was interrupted by an unclean stop; resume it with \`rlab resume ${id}\`` });
  }

  /** Validates with the method's schema, then runs it; everything a caller gets back is a LabError on failure. */
  const method =
    <M extends keyof typeof LAB_REQUEST_SCHEMAS, R>(name: M, body: (req: z.infer<(typeof LAB_REQUEST_SCHEMAS)[M]>) => R | Promise<R>) =>
    async (req: unknown): Promise<R> => {
      ctx.checkOpen();
      const parsed = parseOrThrow(LAB_REQUEST_SCHEMAS[name], req ?? {});
      try {
        return await body(parsed as z.infer<(typeof LAB_REQUEST_SCHEMAS)[M]>);
      } catch (err) {
        throw LabError.wrap(err);
      }
    };

  const experiments = experimentMethods(ctx);
  const runs = runMethods(ctx);
  const datasets = datasetMethods(ctx, options.datasetMirrors);
  const exporting = exportMethods(ctx);

  const service: LabService = {
    home,
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
    evaluate: method('evaluate', runs.evaluate),
    getGallery: method('getGallery', (r) => store.getGallery(r.evaluationId)),
    engineInfo: method('engineInfo', async (): Promise<EngineRecord> => supervisor.engine ?? (await supervisor.ensure())),
    listDatasets: method('listDatasets', datasets.listDatasets),
    downloadDataset: method('downloadDataset', datasets.downloadDataset),
    importDataset: method('importDataset', datasets.importDataset),
    exportModel: method('exportModel', exporting.exportModel),
    exportReport: method('exportReport', exporting.exportReport),
    listJobs: method('listJobs', () => store.listJobs()),
    ...eventSubscriptions(bus),
    on: (event, cb) => bus.on(event, cb),
    resumeRun: async (req) => {
      ctx.checkOpen();
      const { runId } = parseOrThrow(RunIdRequestSchema, typeof req === 'string' ? { runId: req } : req);
      try {
        return await runs.resumeRun(runId);
      } catch (err) {
        throw LabError.wrap(err);
      }
    },
    whenIdle: () => runner.whenIdle(),
    workerPid: () => supervisor.pid,
    close: async () => {
      if (closed) return;
      closed = true;
      runner.close();
      await supervisor.stop();
      store.close();
      bus.clear();
      releaseLock();
    },
  };
  runner.kick();
  return service;
}
