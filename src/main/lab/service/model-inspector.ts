// Checks a user's model file in an engine worker process of its own, never in the host: the file is parsed, its
// topology validated and its weights loaded there, so a hostile model.json can exhaust only that process. It is not
// the job worker, so a check never waits behind (or disturbs) a training run. The worker is kept for a few seconds
// after its last check, so a form that checks several models starts it once; it is stopped when idle or closed.
import { randomUUID } from 'node:crypto';
import { LabError } from '../../../shared/errors';
import { type InspectModelRequest, type ModelInspection } from '../worker/protocol';
import { type WorkerFactory, type WorkerHandle } from '../worker/spawn';
import { describeExit } from './supervisor';

export type InspectModel = (request: Omit<InspectModelRequest, 'requestId'>) => Promise<ModelInspection>;

export interface ModelInspector {
  inspect: InspectModel;
  /** Stops the worker, failing any check still running. */
  close(): Promise<void>;
}

export interface ModelInspectorOptions {
  factory: WorkerFactory;
  home: string;
  env?: Record<string, string>;
  /** Longest time for one check, start-up included. Default 120 s (loading native TF can take a while). */
  timeoutMs?: number;
  /** How long an idle worker is kept. Default 15 s. */
  idleMs?: number;
}

interface Pending {
  resolve(v: ModelInspection): void;
  reject(e: LabError): void;
  timer: NodeJS.Timeout;
}

interface Live {
  handle: WorkerHandle;
  ready: Promise<void>;
  pending: Map<string, Pending>;
  exited: Promise<void>;
}

/** Time a stopped worker gets to exit on its own before it is killed. */
const EXIT_GRACE_MS = 2000;

export function modelInspector(options: ModelInspectorOptions): ModelInspector {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const idleMs = options.idleMs ?? 15_000;
  let live: Live | null = null;
  let idle: NodeJS.Timeout | null = null;

  function failAll(l: Live, err: LabError): void {
    for (const p of l.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    l.pending.clear();
  }

  function start(): Live {
    // No GPU for a check: it builds one small model and must not take device memory from a training run.
    const handle = options.factory({ home: options.home, env: { ...options.env, CUDA_VISIBLE_DEVICES: '' } });
    let readyOk!: () => void;
    let readyFail!: (e: LabError) => void;
    const ready = new Promise<void>((res, rej) => {
      readyOk = res;
      readyFail = rej;
    });
    ready.catch(() => undefined);
    let exitedOk!: () => void;
    const l: Live = { handle, ready, pending: new Map(), exited: new Promise((res) => (exitedOk = res)) };
    handle.onMessage((m) => {
      if (m.type === 'ready') readyOk();
      else if (m.type === 'model-inspected') {
        const p = l.pending.get(m.requestId);
        if (!p) return;
        l.pending.delete(m.requestId);
        clearTimeout(p.timer);
        if (m.result.ok) p.resolve(m.result.inspection);
        else p.reject(LabError.from(m.result.error));
        settle(l);
      } else if (m.type === 'error') {
        const err = new LabError('engine_error', `the engine worker checking the model failed: ${m.error.message}`);
        readyFail(err);
        failAll(l, err);
      }
    });
    handle.onExit((exit) => {
      const oom = exit.signal === 'SIGKILL' ? ' (killed from outside, or out of memory)' : '';
      const err = new LabError('engine_error', `the engine worker checking the model ${describeExit(exit)}${oom} before it answered`, 'modelPath');
      readyFail(err);
      failAll(l, err);
      if (live === l) live = null;
      exitedOk();
    });
    return l;
  }

  function stop(l: Live): Promise<void> {
    if (live === l) live = null;
    l.handle.send({ type: 'shutdown' });
    const kill = setTimeout(() => l.handle.kill(), EXIT_GRACE_MS);
    return l.exited.then(() => clearTimeout(kill));
  }

  /** After the last pending check, keep the worker `idleMs` for the next one. */
  function settle(l: Live): void {
    if (l.pending.size > 0 || live !== l) return;
    if (idle) clearTimeout(idle);
    idle = setTimeout(() => {
      idle = null;
      if (live === l && l.pending.size === 0) void stop(l);
    }, idleMs);
    idle.unref();
  }

  async function inspect(request: Omit<InspectModelRequest, 'requestId'>): Promise<ModelInspection> {
    if (idle) {
      clearTimeout(idle);
      idle = null;
    }
    const l = (live ??= start());
    const requestId = `inspect_${randomUUID()}`;
    const answer = new Promise<ModelInspection>((resolve, reject) => {
      const timer = setTimeout(() => {
        l.pending.delete(requestId);
        reject(new LabError('engine_error', `checking the model took longer than ${Math.round(timeoutMs / 1000)} s; it was stopped`, 'modelPath'));
        // a check that hangs may be stuck in a hostile file: the worker is not trusted with another one
        l.handle.kill();
      }, timeoutMs);
      l.pending.set(requestId, { resolve, reject, timer });
    });
    answer.catch(() => undefined);
    try {
      await l.ready;
    } catch (err) {
      l.pending.get(requestId)?.reject(err as LabError);
      throw err;
    }
    l.handle.send({ type: 'inspect-model', request: { ...request, requestId } });
    return answer;
  }

  return {
    inspect,
    close: async () => {
      if (idle) clearTimeout(idle);
      idle = null;
      const l = live;
      if (!l) return;
      failAll(l, new LabError('failed_precondition', 'the lab was closed while a model was being checked'));
      await stop(l);
    },
  };
}
