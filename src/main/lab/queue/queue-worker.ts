// `rlab worker`: takes the lab's engine jobs off the BullMQ queue, runs each in an engine worker process of its own (as
// the host runs them), and streams what the engine says back as signed job progress, files as blobs. It writes
// nothing of the lab's: only a scratch folder per job, removed when the job ends. A job whose worker dies (lock not
// renewed) is returned by BullMQ's stalled-job check and taken by another worker, resuming from the job's data.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import { LabError } from '../../../shared/errors';
import { type WorkerJob, type WorkerToHost } from '../worker/protocol';
import { type WorkerExit, type WorkerFactory, forkWorkerFactory } from '../worker/spawn';
import { describeExit, WorkerSupervisor } from '../service/supervisor';
import { getFolder, putBytes, putFolder } from './blobs';
import { checkReachable, lastingConnection, lastingOptions } from './redis-connection';
import { type RedisTarget, redactSecrets } from './redis-url';
import { cancelKey, checkCompatible, type HostRecord, hostRecordKey, KEY_PREFIX, localInput, localJob, QUEUE_NAME, type RemoteEnvelope, type RemoteJobData, type RemoteMessage, RUN_DIR } from './remote-job';
import { sign, verified } from './signing';
import { encodeWire } from './wire';

export interface QueueWorkerOptions {
  target: RedisTarget;
  secret: string;
  /** Its own lab home: datasets in data/, scratch folders in worker/. */
  home: string;
  concurrency: number;
  /** How long its claim on a job lasts without renewal; a dead worker's job goes to another after about this. */
  lockSeconds: number;
  log(line: string): void;
  factory?: WorkerFactory;
}

/** Messages above this travel as a blob, so Redis's event stream keeps small entries. */
const INLINE_LIMIT = 64 * 1024;
const CANCEL_POLL_MS = 1000;

interface EngineSlot {
  supervisor: WorkerSupervisor;
  onMessage: ((m: WorkerToHost) => void) | null;
  onExit: ((e: WorkerExit) => void) | null;
  /** The queue job it runs, while it runs one. */
  jobId: string | null;
  /** This worker's attempt at that job (a job taken again after a lost claim is a new attempt). */
  attempt: string | null;
  /** Ends that job's wait at once (its claim was lost). */
  abandon: (() => void) | null;
}

export interface RunningQueueWorker {
  readonly name: string;
  /** Resolves with why, when the worker stopped by itself: jobs it must not run (another lab's secret, another version). */
  readonly refused: Promise<LabError>;
  close(): Promise<void>;
}

export async function startQueueWorker(o: QueueWorkerOptions): Promise<RunningQueueWorker> {
  await checkReachable(o.target);
  const redis = lastingConnection(o.target);
  redis.on('error', () => undefined);
  try {
    const record = await redis.get(hostRecordKey);
    if (record !== null) checkCompatible(JSON.parse(record) as HostRecord, `the lab host of ${o.target.redacted}`);
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const name = `${os.hostname()} pid ${process.pid}`;
  const factory = o.factory ?? forkWorkerFactory();
  const slots: EngineSlot[] = Array.from({ length: o.concurrency }, () => {
    const slot: EngineSlot = { supervisor: null as unknown as WorkerSupervisor, onMessage: null, onExit: null, jobId: null, attempt: null, abandon: null };
    slot.supervisor = new WorkerSupervisor({ factory, home: o.home, onMessage: (m) => slot.onMessage?.(m), onUnexpectedExit: (e) => slot.onExit?.(e) });
    return slot;
  });
  const lost = new Set<string>();
  let refuse!: (e: LabError) => void;
  const refused = new Promise<LabError>((resolve) => (refuse = resolve));
  /** A job this worker must not run goes back to the queue for the lab's own workers, and this worker stops taking any. */
  const giveBack = async (job: Job, token: string | undefined, why: LabError): Promise<never> => {
    refuse(why);
    void worker.close(true).catch(() => undefined);
    await job.moveToDelayed(Date.now(), token);
    throw new DelayedError(why.message);
  };
  const processor = async (job: Job, token?: string): Promise<{ outcome: string }> => {
    const body = verified(o.secret, job.data);
    if (body === null) return giveBack(job, token, new LabError('permission_denied', `the jobs on ${o.target.redacted} are not signed with this worker's secret: give it a copy of the lab host's <lab home>/worker-secret (--secret-file)`, 'secret-file'));
    const data = JSON.parse(body) as RemoteJobData;
    try {
      checkCompatible(data, 'the lab host that queued this job');
    } catch (err) {
      return giveBack(job, token, LabError.wrap(err, 'failed_precondition'));
    }
    const slot = slots.find((s) => s.jobId === null);
    if (!slot) throw new Error('no free engine slot (concurrency exceeded)');
    slot.jobId = job.id ?? data.queueJobId;
    try {
      return await runOne(job, data, slot);
    } finally {
      slot.jobId = null;
      slot.onMessage = null;
      slot.onExit = null;
      slot.abandon = null;
      slot.attempt = null;
    }
  };

  async function runOne(job: Job, data: RemoteJobData, slot: EngineSlot): Promise<{ outcome: string }> {
    const attempt = randomBytes(6).toString('hex');
    slot.attempt = attempt;
    const scratch = path.join(o.home, 'worker', `${data.queueJobId}-${attempt}`);
    const dirs = { run: path.join(scratch, 'run'), data: path.join(o.home, 'data'), inputs: path.join(scratch, 'in') };
    let seq = 0;
    let sending: Promise<void> = Promise.resolve();
    const post = (message: RemoteMessage): void => {
      const envelope: RemoteEnvelope = { attempt, seq: seq++ };
      sending = sending.then(async () => {
        if (lost.has(attempt)) return;
        const text = encodeWire(message);
        if (text.length > INLINE_LIMIT) envelope.blob = { name: 'message.json', size: Buffer.byteLength(text), sha256: await putBytes(redis, KEY_PREFIX, Buffer.from(text)) };
        else envelope.message = message;
        await job.updateProgress(sign(o.secret, encodeWire(envelope)));
      });
    };
    const { jobId, runId } = data.job;
    let local: WorkerJob;
    try {
      await fs.mkdir(dirs.run, { recursive: true });
      for (const [input, files] of Object.entries(data.folders)) await getFolder(redis, KEY_PREFIX, files, localInput(input, dirs.inputs));
      local = localJob(data.job, dirs);
    } catch (err) {
      await fs.rm(scratch, { recursive: true, force: true });
      throw new UnrecoverableError(`${runId}: the job's files could not be prepared: ${LabError.wrap(err).message}`);
    }
    const cancelTimer = setInterval(() => {
      void redis.get(cancelKey(data.queueJobId)).then((v) => {
        if (v !== null) {
          try {
            slot.supervisor.send({ type: 'cancel' });
          } catch {
            // the engine is not running
          }
        }
      }, () => undefined);
    }, CANCEL_POLL_MS);
    try {
      const engine = await slot.supervisor.ensure();
      post({ type: 'attempt', jobId, runId, attempt, worker: name, engine, startEpoch: local.kind === 'train' ? (local.resume?.epoch ?? 0) : 0 });
      o.log(`${runId}: ${local.kind} job ${data.queueJobId} taken${local.kind === 'train' && local.resume ? ` (resuming after epoch ${local.resume.epoch})` : ''}`);
      const outcome = await new Promise<string>((resolve, reject) => {
        slot.abandon = () => reject(new Error(`lost the claim on job ${data.queueJobId}; another attempt resumes it`));
        const rel = (p: string): string => path.relative(dirs.run, p).split(path.sep).join('/');
        const forward = async (m: WorkerToHost): Promise<void> => {
          if (m.type === 'epoch-end') post({ ...m, checkpointDir: `${RUN_DIR}/${rel(m.checkpointDir)}`, upload: { dir: rel(m.checkpointDir), files: await putFolder(redis, KEY_PREFIX, m.checkpointDir) } });
          else if (m.type === 'artifact') post({ ...m, path: `${RUN_DIR}/${rel(m.path)}`, upload: { dir: rel(path.dirname(m.path)), files: await putFolder(redis, KEY_PREFIX, path.dirname(m.path)) } });
          else post(m);
        };
        let order: Promise<void> = Promise.resolve();
        slot.onMessage = (m) => {
          if (m.type === 'ready' || m.type === 'model-inspected') return;
          order = order.then(() => forward(m)).catch((err: unknown) => post({ type: 'error', jobId, runId, error: LabError.wrap(err, 'engine_error').toJSON() }));
          if (m.type === 'done') void order.then(() => resolve(m.outcome));
          if (m.type === 'error' && (m.jobId === jobId || m.jobId === null)) {
            if (m.fatal) void slot.supervisor.kill();
            void order.then(() => resolve('failed'));
          }
        };
        slot.onExit = (e) => {
          void order.then(() => {
            post({ type: 'error', jobId, runId, error: { code: 'engine_error', message: `the engine worker on ${name} ${describeExit(e)}` } });
            resolve('failed');
          });
        };
        slot.supervisor.send(local.kind === 'train' ? { type: 'train', job: local } : { type: 'evaluate', job: local });
      });
      await sending;
      o.log(`${runId}: job ${data.queueJobId} ${outcome}`);
      return { outcome };
    } catch (err) {
      await sending.catch(() => undefined);
      throw new Error(redactSecrets(LabError.wrap(err).message, o.target));
    } finally {
      clearInterval(cancelTimer);
      await fs.rm(scratch, { recursive: true, force: true });
    }
  }

  const worker = new Worker(QUEUE_NAME, processor, {
    connection: lastingOptions(o.target),
    prefix: KEY_PREFIX,
    concurrency: o.concurrency,
    lockDuration: o.lockSeconds * 1000,
    stalledInterval: o.lockSeconds * 1000,
    maxStalledCount: 5,
  });
  // an outage makes every connection report each retry: one line when it starts, one when Redis is back
  let outage = false;
  worker.on('error', (err) => {
    if (outage || /could not renew lock|Missing lock/i.test(err.message)) return;
    outage = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|Connection is closed/i.test(err.message);
    o.log(`queue: ${redactSecrets(err.message, o.target)}${outage ? '; waiting for Redis to come back' : ''}`);
  });
  redis.on('ready', () => {
    if (!outage) return;
    outage = false;
    o.log(`Redis at ${o.target.redacted} is back`);
  });
  worker.on('lockRenewalFailed', (ids) => {
    // the queue may give these jobs to another worker now: stop them here so two attempts never write at once
    for (const s of slots) {
      if (s.jobId === null || s.attempt === null || !ids.includes(s.jobId) || lost.has(s.attempt)) continue;
      lost.add(s.attempt);
      o.log(`lost the claim on ${s.jobId} (Redis away too long); its engine work stops here and the job's next attempt resumes it`);
      s.abandon?.();
      void s.supervisor.kill();
    }
  });
  await worker.waitUntilReady();
  o.log(`worker ${name} takes jobs from ${o.target.redacted} (${o.concurrency} at once)`);
  return {
    name,
    refused,
    close: async () => {
      await worker.close(true);
      await Promise.all(slots.map((s) => s.supervisor.stop()));
      redis.disconnect();
    },
  };
}

