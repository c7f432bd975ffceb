// The lab host's side of distributed execution: each engine-worker slot of the job runner becomes a slot on the BullMQ
// queue. A job sent to the slot is enqueued (its input files put in Redis first); whichever `rlab worker` takes it
// streams the engine's messages back as BullMQ job progress, which this side checks (HMAC), fetches files for (into
// the run's own folder only), and hands to the job runner exactly as a local worker's. The host stays the one writer
// of the store; after each recorded epoch and evaluation the queued job's data is moved on, so a worker that takes
// the job over from a dead one resumes after the last epoch the host has.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { type Redis } from 'ioredis';
import { sameAttack } from '../../../shared/attacks';
import { type EngineRecord } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { type EvalTask, type EvaluationResult, type HostToWorker, type WorkerJob, type WorkerToHost } from '../worker/protocol';
import { checkpointDir } from '../worker/run-paths';
import { type WorkerExit, type WorkerFactory, type WorkerHandle } from '../worker/spawn';
import { type BlobFile, dropFiles, getBytes, getFolder, putFolder } from './blobs';
import { checkReachable, lastingConnection, lastingOptions } from './redis-connection';
import { type RedisTarget, redactSecrets } from './redis-url';
import { cancelKey, hostRecordKey, KEY_PREFIX, LAB_VERSION, portableJob, QUEUE_NAME, REMOTE_PROTOCOL_VERSION, type RemoteEnvelope, type RemoteJobData, type RemoteMessage, runRelative, uploadTarget } from './remote-job';
import { sign, verified } from './signing';
import { decodeWire } from './wire';

/** Until a worker takes a job, the run's engine is this; the taking worker's 'attempt' replaces it. */
const NOT_TAKEN_YET: EngineRecord = {
  backend: 'tensorflow',
  tfjsVersion: '',
  tfVersion: null,
  libtensorflowSource: null,
  threads: 0,
  cpu: { model: 'a remote worker (not taken yet)', cores: 0, features: [] },
  gpus: [],
  notUsed: [],
  warnings: [],
};

/** Finished queue jobs stay this long in Redis for inspection, then BullMQ drops them. */
const KEEP_FINISHED_SECONDS = 24 * 3600;
const RESUME_INPUT = '@in/resume';

export interface HostQueueOptions {
  target: RedisTarget;
  secret: string;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** Redis went away (with why) or came back (null). */
  onReachability(down: string | null): void;
}

export class HostQueue {
  private readonly handles = new Map<string, RemoteSlot>();
  private down: string | null = null;
  private closed = false;

  private constructor(
    readonly options: HostQueueOptions,
    readonly redis: Redis,
    readonly queue: Queue,
    private readonly events: QueueEvents,
  ) {
    events.on('progress', ({ jobId, data }) => this.handles.get(jobId)?.onProgress(data));
    events.on('completed', ({ jobId }) => this.handles.get(jobId)?.onQueueEnd(null));
    events.on('failed', ({ jobId, failedReason }) => this.handles.get(jobId)?.onQueueEnd(failedReason));
    events.on('stalled', ({ jobId }) => this.handles.get(jobId)?.onStalled());
    const say = (err: unknown): string => redactSecrets(err instanceof Error ? err.message : String(err), options.target);
    redis.on('error', (err) => {
      if (this.down !== null || this.closed) return;
      this.down = `Redis at ${options.target.redacted} is unreachable since ${new Date().toISOString().slice(0, 19).replace('T', ' ')} UTC (${say(err)}); the sweep goes on when it is back`;
      options.log('warn', this.down);
      options.onReachability(this.down);
    });
    redis.on('ready', () => {
      if (this.down === null) return;
      this.down = null;
      options.log('info', `Redis at ${options.target.redacted} is back; the queue goes on`);
      options.onReachability(null);
    });
    // BullMQ's own connections report the same outage; the lab's connection above says it once
    queue.on('error', () => undefined);
    events.on('error', () => undefined);
  }

  /** Checks Redis (refusing an unreachable or misconfigured one before anything is queued), then opens the queue. */
  static async open(options: HostQueueOptions): Promise<HostQueue> {
    await checkReachable(options.target);
    const connection = lastingOptions(options.target);
    const redis = lastingConnection(options.target);
    const queue = new Queue(QUEUE_NAME, { connection, prefix: KEY_PREFIX });
    const events = new QueueEvents(QUEUE_NAME, { connection, prefix: KEY_PREFIX });
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    await redis.set(hostRecordKey, JSON.stringify({ protocol: REMOTE_PROTOCOL_VERSION, labVersion: LAB_VERSION, startedAt: new Date().toISOString() }));
    return new HostQueue(options, redis, queue, events);
  }

  /** The job runner's worker factory: every slot a queue slot. */
  factory(): WorkerFactory {
    return () => new RemoteSlot(this);
  }

  register(queueJobId: string, slot: RemoteSlot): void {
    this.handles.set(queueJobId, slot);
  }

  unregister(queueJobId: string): void {
    this.handles.delete(queueJobId);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([this.events.close(), this.queue.close()]);
    this.redis.disconnect();
  }
}

interface Sent {
  queueJobId: string;
  /** The host's job, as the runner built it: what a worker taking over must still do is derived from it. */
  job: WorkerJob;
  data: RemoteJobData;
  /** The job's input folders by name (host folders), so its data keeps their names when it changes. */
  inputs: Record<string, string>;
  attempt: string | null;
  seq: number;
  /** Evaluations the host has from this job, so a later attempt measures only the others. */
  measured: EvaluationResult[];
  /** The checkpoint files the job's data points at for a takeover (null: the job's own resume, if any). */
  resumeFiles: BlobFile[] | null;
  ended: boolean;
}

/** One engine-worker slot whose worker is whichever `rlab worker` takes the slot's job off the queue. */
class RemoteSlot implements WorkerHandle {
  readonly pid = undefined;
  private messageCb: ((m: WorkerToHost) => void) | null = null;
  private readonly exitCbs: ((e: WorkerExit) => void)[] = [];
  private exited: WorkerExit | null = null;
  private sent: Sent | null = null;
  /** Messages are applied one after another: each may first fetch files. */
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly hq: HostQueue) {
    // a queue slot is ready at once: the engine is the worker's, reported with its 'attempt'
    setImmediate(() => this.emit({ type: 'ready', engine: NOT_TAKEN_YET, pid: 0 }));
  }

  onMessage(cb: (m: WorkerToHost) => void): void {
    this.messageCb = cb;
  }

  onExit(cb: (e: WorkerExit) => void): void {
    if (this.exited) cb(this.exited);
    else this.exitCbs.push(cb);
  }

  private emit(m: WorkerToHost): void {
    if (!this.exited) this.messageCb?.(m);
  }

  private exit(e: WorkerExit): void {
    if (this.exited) return;
    this.exited = e;
    this.exitCbs.forEach((cb) => cb(e));
  }

  send(message: HostToWorker): void {
    switch (message.type) {
      case 'train':
      case 'evaluate':
        void this.enqueue(message.job).catch((err: unknown) => this.emit({ type: 'error', jobId: message.job.jobId, runId: message.job.runId, error: LabError.wrap(err, 'engine_error').toJSON() }));
        return;
      case 'cancel':
        if (this.sent) void this.cancelRemote(this.sent);
        return;
      case 'shutdown': {
        // the host is closing: its runner has already marked the run interrupted, so the worker stops too
        const sent = this.sent;
        if (sent) void this.cancelRemote(sent);
        this.detach();
        this.exit({ code: 0, signal: null });
        return;
      }
      case 'inspect-model':
        this.emit({ type: 'model-inspected', requestId: message.request.requestId, result: { ok: false, error: { code: 'unsupported', message: 'models are inspected on the lab host, not on queue workers' } } });
        return;
    }
  }

  kill(): void {
    const sent = this.sent;
    this.detach();
    if (sent) void this.cancelRemote(sent).then(() => this.hq.queue.remove(sent.queueJobId).catch(() => 0));
    this.exit({ code: null, signal: 'SIGKILL' });
  }

  private detach(): void {
    if (this.sent) this.hq.unregister(this.sent.queueJobId);
    this.sent = null;
  }

  private async cancelRemote(sent: Sent): Promise<void> {
    await this.hq.redis.set(cancelKey(sent.queueJobId), '1', 'EX', KEEP_FINISHED_SECONDS).catch(() => undefined);
  }

  private async enqueue(job: WorkerJob): Promise<void> {
    const { redis, queue, options } = this.hq;
    const { job: portable, inputs } = portableJob(job);
    const folders: Record<string, BlobFile[]> = {};
    for (const [name, dir] of Object.entries(inputs)) folders[name] = await putFolder(redis, KEY_PREFIX, dir);
    const queueJobId = `${job.jobId}.${randomBytes(4).toString('hex')}`;
    const data: RemoteJobData = { protocol: REMOTE_PROTOCOL_VERSION, labVersion: LAB_VERSION, queueJobId, job: portable, folders };
    const sent: Sent = { queueJobId, job, data, inputs, attempt: null, seq: -1, measured: [], resumeFiles: null, ended: false };
    this.sent = sent;
    this.hq.register(queueJobId, this);
    await queue.add(job.kind, sign(options.secret, JSON.stringify(data)), { jobId: queueJobId, attempts: 1, removeOnComplete: { age: KEEP_FINISHED_SECONDS }, removeOnFail: { age: KEEP_FINISHED_SECONDS } });
  }

  onProgress(data: unknown): void {
    const sent = this.sent;
    if (!sent) return;
    this.chain = this.chain.then(() => this.applyProgress(sent, data)).catch((err: unknown) => {
      const e = LabError.wrap(err, 'engine_error');
      this.hq.options.log('error', `${sent.job.runId}: a message of its worker was refused: ${e.message}`);
      if (e.code === 'permission_denied' || e.code === 'corrupt_data') {
        // a worker that writes outside its run or sends altered files does not get to finish the job
        this.emit({ type: 'error', jobId: sent.job.jobId, runId: sent.job.runId, error: e.toJSON() });
        sent.ended = true;
        void this.cancelRemote(sent);
      }
    });
  }

  onStalled(): void {
    const sent = this.sent;
    if (sent) this.hq.options.log('warn', `${sent.job.runId}: its worker stopped renewing its claim on job ${sent.queueJobId}; the queue hands the job to the next worker`);
  }

  /** The queue job ended; a worker that said nothing about how (it threw, or died too often) fails the job with the queue's reason. */
  onQueueEnd(failedReason: string | null): void {
    const sent = this.sent;
    if (!sent) return;
    this.chain = this.chain.then(() => {
      if (this.sent !== sent || sent.ended) return;
      sent.ended = true;
      this.detach();
      this.emit({ type: 'error', jobId: sent.job.jobId, runId: sent.job.runId, error: { code: 'engine_error', message: failedReason === null ? 'the queue job ended without its worker reporting how' : `the queue job failed: ${redactSecrets(failedReason, this.hq.options.target)}` } });
    });
  }

  private async applyProgress(sent: Sent, data: unknown): Promise<void> {
    if (this.sent !== sent || sent.ended) return;
    const { secret } = this.hq.options;
    const body = verified(secret, data);
    if (body === null) {
      this.hq.options.log('warn', `${sent.job.runId}: a message on job ${sent.queueJobId} without the lab's signature was ignored`);
      return;
    }
    const envelope = decodeWire(body) as RemoteEnvelope;
    let m: RemoteMessage | undefined = envelope.message;
    if (envelope.blob) m = decodeWire((await getBytes(this.hq.redis, KEY_PREFIX, envelope.blob)).toString('utf8')) as RemoteMessage;
    if (!m || typeof m !== 'object') return;
    if (m.type === 'attempt') {
      if (m.jobId !== sent.job.jobId || m.runId !== sent.job.runId) throw new LabError('permission_denied', `an attempt for ${String(m.runId)} arrived on ${sent.job.runId}'s job`, 'job');
      sent.attempt = envelope.attempt;
      sent.seq = envelope.seq;
      this.emit({ ...m, attempt: envelope.attempt });
      return;
    }
    // what an attempt the queue has replaced still says is dropped: the next attempt redoes it
    if (envelope.attempt !== sent.attempt || envelope.seq <= sent.seq) return;
    sent.seq = envelope.seq;
    if ('jobId' in m && m.jobId !== null && m.jobId !== sent.job.jobId) throw new LabError('permission_denied', `a message for job ${String(m.jobId)} arrived on ${sent.job.jobId}`, 'job');
    if ('runId' in m && m.runId !== undefined && m.runId !== null && m.runId !== sent.job.runId) throw new LabError('permission_denied', `a message for run ${String(m.runId)} arrived on ${sent.job.runId}'s job`, 'job');
    await this.deliver(sent, m);
  }

  private async deliver(sent: Sent, m: RemoteMessage): Promise<void> {
    const { redis } = this.hq;
    const runDir = sent.job.runDir;
    switch (m.type) {
      case 'epoch-end': {
        const { upload, ...message } = m;
        const dir = checkpointDir(runDir, m.epoch);
        if (!upload || uploadTarget(runDir, upload.dir) !== dir) throw new LabError('permission_denied', `epoch ${m.epoch}'s checkpoint must come as checkpoints/epoch-${String(m.epoch).padStart(4, '0')}`, 'files');
        await getFolder(redis, KEY_PREFIX, upload.files, dir);
        this.emit({ ...message, checkpointDir: dir });
        await this.moveResume(sent, m.epoch, dir, upload.files);
        return;
      }
      case 'artifact': {
        const { upload, ...message } = m;
        if (!upload) throw new LabError('permission_denied', `the worker's ${m.kind} came without its files`, 'files');
        const dir = uploadTarget(runDir, upload.dir);
        const rel = runRelative(m.path);
        const target = path.join(runDir, ...rel.split('/'));
        if (path.dirname(target) !== dir) throw new LabError('permission_denied', `the worker's ${m.kind} file ${rel} is not in ${upload.dir}/`, 'files');
        await getFolder(redis, KEY_PREFIX, upload.files, dir);
        this.emit({ ...message, path: target });
        return;
      }
      case 'evaluation':
        this.emit(m);
        sent.measured.push(m.evaluation);
        await this.updateData(sent);
        return;
      case 'done':
      case 'error':
        sent.ended = true;
        this.detach();
        if (sent.resumeFiles) await dropFiles(redis, KEY_PREFIX, sent.resumeFiles).catch(() => undefined);
        this.emit(m);
        return;
      case 'ready':
      case 'model-inspected':
        return;
      default:
        this.emit(m);
    }
  }

  /** After an epoch is on the host: a worker taking the job over resumes from it, and older checkpoints leave Redis. */
  private async moveResume(sent: Sent, epoch: number, dir: string, files: BlobFile[]): Promise<void> {
    if (sent.job.kind !== 'train') return;
    const before = sent.resumeFiles;
    sent.job = { ...sent.job, resume: { epoch, checkpointDir: dir } };
    sent.resumeFiles = files;
    await this.updateData(sent);
    if (before) await dropFiles(this.hq.redis, KEY_PREFIX, before.filter((f) => !files.some((g) => g.sha256 === f.sha256))).catch(() => undefined);
  }

  /** The job's data as a takeover would need it: resumed after the last recorded epoch, without the evaluations measured. */
  private async updateData(sent: Sent): Promise<void> {
    const remaining = sent.job.evaluations.filter((t) => !sent.measured.some((e) => measures(e, t)));
    const job: WorkerJob = { ...sent.job, evaluations: remaining };
    const base: WorkerJob = job.kind === 'train' ? { ...job } : job;
    // the run's checkpoint since this job began replaces the one it was sent with (kept when no epoch has come yet)
    if (base.kind === 'train' && sent.resumeFiles) delete base.resume;
    const { job: portable } = portableJob(base, sent.inputs);
    const folders = { ...sent.data.folders };
    if (job.kind === 'train' && job.resume && sent.resumeFiles) {
      folders[RESUME_INPUT] = sent.resumeFiles;
      if (portable.kind === 'train') portable.resume = { epoch: job.resume.epoch, checkpointDir: RESUME_INPUT };
    }
    sent.data = { ...sent.data, job: portable, folders };
    const queued = await this.hq.queue.getJob(sent.queueJobId);
    await queued?.updateData(sign(this.hq.options.secret, JSON.stringify(sent.data)));
  }
}

/** Whether an evaluation the host has is the result of `task` (so a takeover need not measure it again). */
function measures(e: EvaluationResult, t: EvalTask): boolean {
  if (e.sourceRunId !== t.sourceRunId) return false;
  return t.attack === null ? e.attack === 'clean' : e.spec !== null && sameAttack(e.spec, t.attack);
}
