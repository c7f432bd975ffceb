// `rlab serve` when another process hosts the lab: each call of its own browsers is forwarded, as it came, to the host
// (which parses it, once), and the host's events reach them through the server's usual fan-out. Once the host is gone
// every call is answered with one clear error instead, and the proxy itself goes on.
import { type LabMethods } from '../../../shared/contract';
import { type Envelope, LabError } from '../../../shared/errors';
import { type LabEventSource } from '../../handlers/events';
import { errorShape, isLabMethod } from '../../handlers/dispatch';
import { type CallHandler } from '../../server/ws-hub';

/** What the proxy needs of its connection to the host: the CLI's client lab. */
export type ProxiedHost = LabMethods &
  LabEventSource & {
    onLost?(cb: (err: LabError) => void): () => void;
    /** e.g. "rlab run (pid 4242)". */
    readonly hostedBy?: string;
  };

export interface HostProxy {
  /** The WebSocket server's call handler. */
  call: CallHandler;
  /** The error every call gets once the host is gone, or null while it runs. */
  lost(): LabError | null;
  /** Calls `cb` once when the host goes away (not when this proxy closes its connection). */
  onLost(cb: (err: LabError) => void): () => void;
  /** Stops following the connection's loss. */
  close(): void;
}

/** The message every call gets once the host has stopped. */
export function hostStoppedError(hostedBy: string): LabError {
  return new LabError('failed_precondition', `the lab's host, ${hostedBy}, stopped; restart rlab serve`);
}

export function hostProxy(host: ProxiedHost): HostProxy {
  const hostedBy = host.hostedBy ?? 'another process';
  let lostErr: LabError | null = null;
  const listeners = new Set<(err: LabError) => void>();
  const offLost =
    host.onLost?.(() => {
      lostErr = hostStoppedError(hostedBy);
      for (const cb of [...listeners]) cb(lostErr);
      listeners.clear();
    }) ?? (() => undefined);

  const call: CallHandler = async (method, params): Promise<Envelope<unknown>> => {
    if (lostErr) return { ok: false, error: lostErr.toJSON() };
    if (!isLabMethod(method)) {
      // the host would refuse it too; saying so here spares it the message and names the proxy's own methods
      return { ok: false, error: new LabError('unsupported', `unknown method ${typeof method === 'string' ? JSON.stringify(method.slice(0, 60)) : typeof method}`, 'method').toJSON() };
    }
    try {
      const forward = host[method] as (req: unknown) => Promise<unknown>;
      return { ok: true, result: await forward.call(host, params) };
    } catch (err) {
      const gone = lostErr as LabError | null;
      if (gone === null) return { ok: false, error: errorShape(err) };
      // the host died while this call was on its way: it may or may not have run there
      return { ok: false, error: new LabError(gone.code, `the lab's host, ${hostedBy}, stopped before ${method} answered (it may or may not have run); restart rlab serve`).toJSON() };
    }
  };

  return {
    call,
    lost: () => lostErr,
    onLost: (cb) => {
      if (lostErr) {
        const err = lostErr;
        queueMicrotask(() => cb(err));
        return () => undefined;
      }
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    close: () => {
      offLost();
      listeners.clear();
    },
  };
}
