// Starts the engine worker on demand, waits for its 'ready', routes its messages, and reports when it goes away.
import { type EngineRecord } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { type HostToWorker, type WorkerToHost } from '../worker/protocol';
import { type WorkerExit, type WorkerFactory, type WorkerHandle } from '../worker/spawn';

export interface SupervisorOptions {
  factory: WorkerFactory;
  home: string;
  env?: Record<string, string>;
  /** More environment, decided when each worker starts (e.g. its share of the cores among the host's workers). */
  envAtStart?: () => Record<string, string>;
  /** Longest wait for a fresh worker's 'ready' (loading native TF can take a while). */
  readyTimeoutMs?: number;
  onMessage(message: WorkerToHost): void;
  /** The worker ended without being asked to. */
  onUnexpectedExit(exit: WorkerExit): void;
}

interface Live {
  handle: WorkerHandle;
  ready: Promise<EngineRecord>;
  engine: EngineRecord | null;
  stopping: boolean;
}

/** Describes a worker's end for a person: "was killed (SIGKILL)" or "exited with code 3". */
export function describeExit(exit: WorkerExit): string {
  if (exit.signal) return `was killed (${exit.signal})`;
  return `exited with code ${String(exit.code)}`;
}

export class WorkerSupervisor {
  private live: Live | null = null;
  private lastEngine: EngineRecord | null = null;

  constructor(private readonly options: SupervisorOptions) {}

  get pid(): number | undefined {
    return this.live?.handle.pid;
  }

  /** The engine record of the current (or last) worker, if one has started. */
  get engine(): EngineRecord | null {
    return this.live?.engine ?? this.lastEngine;
  }

  /** A ready worker: the running one, or a fresh one. Rejects with LabError('engine_error') if it cannot start. */
  ensure(): Promise<EngineRecord> {
    if (this.live && !this.live.stopping) return this.live.ready;
    return this.start().ready;
  }

  private start(): Live {
    const env = { ...this.options.env, ...this.options.envAtStart?.() };
    const handle = this.options.factory({ home: this.options.home, env });
    let resolveReady!: (e: EngineRecord) => void;
    let rejectReady!: (e: LabError) => void;
    const ready = new Promise<EngineRecord>((res, rej) => {
      resolveReady = res;
      rejectReady = rej;
    });
    // the rejection is observed by whoever awaits ensure(); this keeps an unobserved one from crashing the host
    ready.catch(() => undefined);
    const live: Live = { handle, ready, engine: null, stopping: false };
    this.live = live;
    const timeoutMs = this.options.readyTimeoutMs ?? 120_000;
    const timer = setTimeout(() => {
      rejectReady(new LabError('engine_error', `the engine worker did not start within ${Math.round(timeoutMs / 1000)} s`));
      handle.kill();
    }, timeoutMs);
    handle.onMessage((m) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        live.engine = m.engine;
        this.lastEngine = m.engine;
        resolveReady(m.engine);
        return;
      }
      if (m.type === 'error' && live.engine === null) {
        // the engine failed to load: its own message says why, which beats "exited before it was ready"
        rejectReady(new LabError('engine_error', `the engine worker could not start: ${m.error.message}`));
        return;
      }
      if (this.live === live) this.options.onMessage(m);
    });
    handle.onExit((exit) => {
      clearTimeout(timer);
      const wasReady = live.engine !== null;
      rejectReady(new LabError('engine_error', `the engine worker ${describeExit(exit)} before it was ready`));
      if (this.live !== live) return;
      this.live = null;
      if (!live.stopping && wasReady) this.options.onUnexpectedExit(exit);
    });
    return live;
  }

  send(message: HostToWorker): void {
    if (!this.live) throw new LabError('engine_error', 'the engine worker is not running');
    this.live.handle.send(message);
  }

  /** Asks the worker to finish and exit; kills it if it has not gone after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    const live = this.live;
    if (!live) return;
    live.stopping = true;
    this.live = null;
    const gone = new Promise<void>((resolve) => live.handle.onExit(() => resolve()));
    live.handle.send({ type: 'shutdown' });
    const timer = setTimeout(() => live.handle.kill(), graceMs);
    await gone;
    clearTimeout(timer);
  }

  /** Ends the worker at once (used when a job must be abandoned). */
  async kill(): Promise<void> {
    const live = this.live;
    if (!live) return;
    live.stopping = true;
    this.live = null;
    const gone = new Promise<void>((resolve) => live.handle.onExit(() => resolve()));
    live.handle.kill();
    await gone;
  }
}
