// Runs the persistent job queue on N engine-worker slots (one job per slot; one by default), and persists what the
// workers report. Two jobs of one run never run at once, and an adv run trains only after its seed's base run, whose
// model its transfer attacks and gallery need.
import { type JobFinishedEvent, type RunDetail, type RunStatus, type RunSummary } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { SWEEP_MAX_WORKERS } from '../../../shared/sweep-spec';
import { type Store, type StoredJob } from '../store';
import { type WorkerJob, type WorkerToHost } from '../worker/protocol';
import { type WorkerExit } from '../worker/spawn';
import { type EventBus } from './event-bus';
import { evaluateJobFor, trainJobFor } from './job-builder';
import { describeExit, type WorkerSupervisor } from './supervisor';

interface Active {
  slot: Slot;
  stored: StoredJob;
  job: WorkerJob | null;
  /** Epochs whose results reached the host, for the failure message. */
  lastEpoch: number;
  /** Finished epochs when this job started: a job closed before finishing another one is put back in the queue. */
  startEpoch: number;
  /** The run's first start before this job (null: never started), restored when the job goes back in the queue. */
  startedBefore: string | null;
  /** What the worker was last doing, for the failure message. */
  phase: 'train' | 'evaluate';
  cancelRequested: boolean;
  /** Evaluations this job stored, for its job-finished event. */
  evaluationIds: number[];
  ended: Promise<void>;
  end(): void;
}

interface Slot {
  index: number;
  supervisor: WorkerSupervisor;
  active: Active | null;
}

export interface SlotHooks {
  onMessage(message: WorkerToHost): void;
  onUnexpectedExit(exit: WorkerExit): void;
}

export interface JobRunnerDeps {
  store: Store;
  /** The supervisor of one engine-worker slot (0, 1, …), wired to the hooks given. */
  supervisor(slot: number, hooks: SlotHooks): WorkerSupervisor;
  bus: EventBus;
  cacheDir: string;
  /** Slots to start with (default 1); `ensureSlots` adds more. */
  slots?: number;
}


export class JobRunner {
  private readonly slots: Slot[] = [];
  /** Slots the host keeps; more are added for a sweep and retired (their workers stopped) once the queue is empty. */
  private readonly baseSlots: number;
  /** Workers of retired slots on their way out; the host waits for them when it closes. */
  private retiring: Promise<void>[] = [];
  private pumping = false;
  private closed = false;
  /** Set by stopTaking(): the active job runs on, no further one starts. */
  private holding = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly deps: JobRunnerDeps) {
    // no kick here: the queue starts when its host says so, never while the host is being put together
    this.baseSlots = Math.min(SWEEP_MAX_WORKERS, Math.max(1, Math.floor(deps.slots ?? 1)));
    this.addSlots(this.baseSlots);
  }

  /** Slot 0's supervisor: the engine the lab reports (engineInfo) and its first worker. */
  get primary(): WorkerSupervisor {
    return this.slots[0]!.supervisor;
  }

  get slotCount(): number {
    return this.slots.length;
  }

  /** At least `n` slots (never fewer than now, at most SWEEP_MAX_WORKERS); new ones start their worker with their first job. */
  ensureSlots(n: number): void {
    this.addSlots(n);
    this.kick();
  }

  private addSlots(n: number): void {
    const want = Math.min(SWEEP_MAX_WORKERS, Math.max(1, Math.floor(n)));
    while (this.slots.length < want) {
      const slot: Slot = { index: this.slots.length, supervisor: null as unknown as WorkerSupervisor, active: null };
      slot.supervisor = this.deps.supervisor(slot.index, { onMessage: (m) => this.handle(m, slot), onUnexpectedExit: (exit) => this.onWorkerExit(exit, slot) });
      this.slots.push(slot);
    }
  }

  private get activeJobs(): Active[] {
    return this.slots.flatMap((s) => (s.active ? [s.active] : []));
  }

  /** The jobs running now, in slot order. */
  get running(): { jobId: string; runId: string; kind: 'train' | 'evaluate' }[] {
    return this.activeJobs.map((a) => ({ jobId: a.stored.id, runId: a.stored.runId, kind: a.stored.kind }));
  }

  /** The job running for `runId`, if any. */
  activeFor(runId: string): { jobId: string; runId: string; kind: 'train' | 'evaluate' } | null {
    return this.running.find((a) => a.runId === runId) ?? null;
  }

  /** Stops every slot's worker, and waits for those of retired slots, so no engine process outlives the host. */
  async stopWorkers(): Promise<void> {
    const retiring = this.retiring;
    this.retiring = [];
    await Promise.all([...this.slots.map((s) => s.supervisor.stop()), ...retiring]);
  }

  /** Starts queued jobs while a slot is free. */
  kick(): void {
    void this.pump();
  }

  /** Resolves once no job runs and none is queued. */
  whenIdle(): Promise<void> {
    if (this.activeJobs.length === 0 && !this.pumping && (this.closed || this.deps.store.nextJob() === null)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private settleIdle(): void {
    if (this.activeJobs.length > 0 || this.pumping) return;
    if (!this.closed && this.deps.store.isOpen && this.deps.store.nextJob() !== null) return;
    // nothing left to run: the extra workers a sweep asked for give their memory back
    for (const extra of this.slots.splice(this.baseSlots)) {
      const gone: Promise<void> = extra.supervisor.stop().finally(() => (this.retiring = this.retiring.filter((p) => p !== gone)));
      this.retiring.push(gone);
    }
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    waiters.forEach((w) => w());
  }

  /** Lets the active job end but starts no other (a host about to close). */
  stopTaking(): void {
    this.holding = true;
  }

  private freeSlot(): Slot | undefined {
    return this.slots.find((s) => s.active === null);
  }

  private async pump(): Promise<void> {
    if (this.pumping || this.closed || this.holding) return;
    this.pumping = true;
    try {
      for (let slot = this.freeSlot(); slot && !this.closed && !this.holding; slot = this.freeSlot()) {
        const next = this.deps.store.nextRunnableJob();
        if (!next) break;
        // start() takes the slot and marks the job running before its first await, so workers start side by side
        void this.start(next, slot).catch((err: unknown) => this.log('error', `${next.runId}: the job could not start: ${LabError.wrap(err).message}`, next.runId));
      }
    } catch (err) {
      this.log('error', `the job queue stopped: ${LabError.wrap(err).message}`);
    } finally {
      this.pumping = false;
      this.settleIdle();
    }
  }

  private log(level: 'info' | 'warn' | 'error', message: string, runId?: string): void {
    this.deps.bus.emit('log', runId === undefined ? { level, message } : { level, message, runId });
  }

  private emitStatus(s: RunSummary): void {
    this.deps.bus.emit('run-status', s.error ? { runId: s.id, experimentId: s.experimentId, status: s.status, error: s.error } : { runId: s.id, experimentId: s.experimentId, status: s.status });
  }

  /** Moves a run to `status` and publishes it; a transition the store refuses is logged, not thrown (the queue must go on). */
  setStatus(runId: string, status: RunStatus, error?: string): RunSummary | null {
    try {
      const s = this.deps.store.setRunStatus(runId, status, error === undefined ? {} : { error });
      this.emitStatus(s);
      return s;
    } catch (err) {
      this.log('error', `${runId}: could not mark the run ${status}: ${LabError.wrap(err).message}`, runId);
      return null;
    }
  }

  private async start(stored: StoredJob, slot: Slot): Promise<void> {
    const { store } = this.deps;
    let run: RunDetail;
    try {
      run = store.getRun(stored.runId);
    } catch {
      store.finishJob(stored.id);
      this.emitFinished({ stored, evaluationIds: [] }, 'failed', `${stored.runId} no longer exists`);
      return;
    }
    if (stored.kind === 'train' && run.status !== 'queued') {
      // a stale job (its run was cancelled or finished meanwhile) is dropped
      store.finishJob(stored.id);
      this.emitFinished({ stored, evaluationIds: [] }, 'cancelled', `${run.id} is ${run.status}, not queued`);
      return;
    }
    let ended!: () => void;
    const active: Active = { slot, stored, job: null, lastEpoch: run.epochsDone, startEpoch: run.epochsDone, startedBefore: run.startedAt, phase: stored.kind === 'train' ? 'train' : 'evaluate', cancelRequested: false, evaluationIds: [], ended: new Promise((r) => (ended = r)), end: () => ended() };
    slot.active = active;
    try {
      store.transaction(() => {
        store.markJobRunning(stored.id);
        if (stored.kind === 'train') this.emitStatus(store.setRunStatus(run.id, 'running'));
      });
      const build = { store, cacheDir: this.deps.cacheDir, warn: (message: string) => this.log('warn', message, run.id) };
      active.job = stored.kind === 'train' ? trainJobFor(build, stored, run) : evaluateJobFor(build, stored, run);
      const engine = await slot.supervisor.ensure();
      if (stored.kind === 'train') store.setRunEngine(run.id, engine);
      if (active.cancelRequested) {
        this.finish(active, { type: 'done', jobId: stored.id, runId: run.id, outcome: 'cancelled' });
        return;
      }
      slot.supervisor.send(active.job.kind === 'train' ? { type: 'train', job: active.job } : { type: 'evaluate', job: active.job });
    } catch (err) {
      const e = LabError.wrap(err, 'engine_error');
      this.finish(active, { type: 'error', jobId: stored.id, runId: run.id, error: e.toJSON() });
    }
  }

  /** Routes one worker message of a slot; store errors are logged so a bad message never takes the host down. */
  private handle(m: WorkerToHost, slot: Slot): void {
    const a = slot.active;
    try {
      if (m.type === 'log') {
        this.deps.bus.emit('log', m.runId === undefined ? { level: m.level, message: m.message } : { level: m.level, message: m.message, runId: m.runId });
        return;
      }
      // 'model-inspected' answers a model inspector's own worker (service/model-inspector.ts), never a queued job
      if (m.type === 'ready' || m.type === 'model-inspected') return;
      // a worker about to exit must not be handed the next job: retire it first, the next job gets a fresh one
      if (m.type === 'error' && m.fatal) void slot.supervisor.kill();
      if (!a || m.jobId !== a.stored.id) {
        if (m.type === 'error') this.log('error', `engine worker: ${m.error.message}`);
        return;
      }
      this.apply(a, m);
    } catch (err) {
      this.log('error', `could not record the worker's ${m.type} message: ${LabError.wrap(err).message}`, a?.stored.runId);
    }
  }

  private apply(a: Active, m: Exclude<WorkerToHost, { type: 'log' | 'ready' }>): void {
    const { store, bus } = this.deps;
    switch (m.type) {
      case 'progress': {
        a.phase = m.phase;
        const { type: _t, jobId: _j, ...event } = m;
        bus.emit('progress', event);
        return;
      }
      case 'attempt': {
        const earlier = store.listAttempts(m.runId);
        store.transaction(() => {
          store.recordAttempt({ runId: m.runId, attempt: m.attempt, jobId: m.jobId, worker: m.worker, startEpoch: m.startEpoch });
          if (a.stored.kind === 'train') store.setRunEngine(m.runId, m.engine);
        });
        if (earlier.some((x) => x.jobId === m.jobId && x.attempt !== m.attempt)) this.log('warn', `${m.runId}: the job went to ${m.worker} after its worker stopped answering; it resumes after epoch ${m.startEpoch}`, m.runId);
        return;
      }
      case 'epoch-end':
        // a worker that took over a job before the host had recorded the last epoch of the one it replaced trains that epoch again: the first record stands
        if (m.epoch <= a.lastEpoch) {
          this.log('warn', `${m.runId}: epoch ${m.epoch} was reported again by a later attempt; the first record is kept`, m.runId);
          return;
        }
        store.transaction(() => {
          store.recordEpoch(m.runId, m.epoch, m.metrics, m.durationMs, m.batches);
          if (m.stopped) store.setRunEarlyStop(m.runId, { afterEpoch: m.epoch, keptEpoch: m.stopped.keepEpoch, reason: m.stopped.reason });
          if (!store.listArtifacts(m.runId).some((x) => x.kind === 'checkpoint' && x.path === m.checkpointDir)) store.addArtifact(m.runId, { kind: 'checkpoint', path: m.checkpointDir });
        });
        a.lastEpoch = m.epoch;
        bus.emit('epoch-end', { runId: m.runId, epoch: m.epoch, metrics: m.metrics, durationMs: m.durationMs });
        return;
      case 'evaluation': {
        a.phase = 'evaluate';
        const record = store.recordEvaluation({ ...m.evaluation, runId: m.runId }, m.gallery ?? undefined);
        a.evaluationIds.push(record.id);
        bus.emit('evaluation', { runId: m.runId, evaluation: record });
        return;
      }
      case 'artifact':
        store.transaction(() => {
          if (!store.listArtifacts(m.runId).some((x) => x.kind === m.kind && x.path === m.path)) store.addArtifact(m.runId, { kind: m.kind, path: m.path });
          if (m.kind === 'model' && m.outputKind !== undefined) store.setRunOutputKind(m.runId, m.outputKind);
        });
        return;
      case 'done':
      case 'error':
        this.finish(a, m);
        return;
    }
  }

  /** Ends the active job with the worker's verdict (or the host's, for a crash), then moves the queue on. */
  private finish(a: Active, m: Extract<WorkerToHost, { type: 'done' | 'error' }>): void {
    if (a.slot.active !== a) return;
    const { store } = this.deps;
    const runId = a.stored.runId;
    try {
      store.finishJob(a.stored.id);
    } catch {
      // already removed (the run was deleted meanwhile)
    }
    if (a.stored.kind === 'train') {
      if (m.type === 'done') this.setStatus(runId, m.outcome === 'completed' ? 'completed' : 'cancelled', m.outcome === 'cancelled' ? this.cancelMessage(a) : undefined);
      else if (m.error.code === 'cancelled' && a.cancelRequested) this.setStatus(runId, 'cancelled', this.cancelMessage(a));
      else this.setStatus(runId, 'failed', m.error.message);
    } else if (m.type === 'error') {
      this.log('error', `${runId}: the evaluation failed: ${m.error.message}`, runId);
    } else if (m.outcome === 'cancelled') {
      this.log('info', `${runId}: the evaluation was cancelled`, runId);
    }
    a.slot.active = null;
    this.emitFinished(a, m.type === 'error' ? (m.error.code === 'cancelled' && a.cancelRequested ? 'cancelled' : 'failed') : m.outcome, m.type === 'error' ? m.error.message : undefined);
    a.end();
    this.kick();
  }

  private emitFinished(a: Pick<Active, 'stored' | 'evaluationIds'>, outcome: JobFinishedEvent['outcome'], error?: string): void {
    const { id: jobId, runId, kind } = a.stored;
    this.deps.bus.emit('job-finished', { jobId, runId, kind, outcome, evaluationIds: [...a.evaluationIds], ...(error === undefined ? {} : { error }) });
  }

  /** Puts a started train job back in the queue and its run back to queued (through interrupted, the only way back). */
  private requeue(a: Active): void {
    const { store } = this.deps;
    const runId = a.stored.runId;
    try {
      const s = store.transaction(() => {
        store.requeueJob(a.stored.id);
        store.setRunStatus(runId, 'interrupted');
        return store.setRunStatus(runId, 'queued', { startedAt: a.startedBefore });
      });
      this.emitStatus(s);
    } catch (err) {
      this.log('error', `${runId}: could not put the run back in the queue: ${LabError.wrap(err).message}`, runId);
    }
  }

  private cancelMessage(a: Active): string {
    return `cancelled by the user after ${a.lastEpoch} finished epoch${a.lastEpoch === 1 ? '' : 's'}`;
  }

  /** The worker died on its own: the job fails with the reason, the run keeps its finished epochs, the queue goes on. */
  private onWorkerExit(exit: WorkerExit, slot: Slot): void {
    const a = slot.active;
    if (!a) {
      this.log('warn', `the engine worker${this.slots.length > 1 ? ` of slot ${slot.index}` : ''} ${describeExit(exit)} while idle; a new one starts with the next job`);
      return;
    }
    const kept = `the ${a.lastEpoch} finished epoch${a.lastEpoch === 1 ? ' is' : 's are'} kept`;
    const where = a.phase === 'evaluate' ? (a.stored.kind === 'train' ? ` while evaluating after training; ${kept} with the evaluations already measured` : ' during an evaluation') : ` during epoch ${a.lastEpoch + 1}; ${kept}`;
    const message = `the engine worker ${describeExit(exit)}${where}${exit.signal === 'SIGKILL' ? ' (killed from outside, or out of memory)' : ''}`;
    this.finish(a, { type: 'error', jobId: a.stored.id, runId: a.stored.runId, error: { code: 'engine_error', message } });
  }

  /** Asks the worker to stop the run's active job; resolves when the job has ended (killing the worker after `graceMs`). */
  async cancelActive(runId: string, graceMs: number): Promise<boolean> {
    const a = this.activeJobs.find((x) => x.stored.runId === runId);
    if (!a) return false;
    a.cancelRequested = true;
    if (a.job) {
      try {
        a.slot.supervisor.send({ type: 'cancel' });
      } catch {
        // no worker: start() sees the flag
      }
    }
    const timer = setTimeout(() => {
      if (a.slot.active !== a) return;
      void a.slot.supervisor.kill();
      this.finish(a, { type: 'done', jobId: a.stored.id, runId, outcome: 'cancelled' });
    }, graceMs);
    await a.ended;
    clearTimeout(timer);
    return true;
  }

  /**
   * Stops taking jobs. A training run in progress becomes interrupted (resumable), like after a crash; one that had
   * not finished an epoch in this job lost nothing and goes back to the queue, at its place, for the next host.
   */
  close(): void {
    this.closed = true;
    for (const slot of this.slots) {
      const a = slot.active;
      if (!a) continue;
      slot.active = null;
      if (a.stored.kind === 'train' && a.lastEpoch === a.startEpoch) this.requeue(a);
      else if (a.stored.kind === 'train') {
        try {
          this.deps.store.finishJob(a.stored.id);
        } catch {
          // nothing to remove
        }
        this.setStatus(a.stored.runId, 'interrupted', `the lab was closed while this run was training; resume with \`rlab resume ${a.stored.runId}\``);
      }
      this.emitFinished(a, 'interrupted', 'the lab host closed while the job ran');
      a.end();
    }
    this.settleIdle();
  }
}
