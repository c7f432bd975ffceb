// The worker's side of the channel: Node's process.send under child_process, or Electron's parentPort in a utilityProcess.
import { type HostToWorker, type WorkerToHost, isHostMessage } from './protocol';

export interface HostPort {
  post(message: WorkerToHost): void;
  onMessage(cb: (message: HostToWorker) => void): void;
  /** Called when the host has gone (channel closed), so the worker does not outlive it. */
  onHostGone(cb: () => void): void;
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', cb: (e: { data: unknown }) => void): void;
}

/** The channel this process was started with; throws when it was started without one. */
export function connectToHost(): HostPort {
  const parentPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (parentPort) {
    return {
      post: (m) => parentPort.postMessage(m),
      onMessage: (cb) =>
        parentPort.on('message', (e) => {
          if (isHostMessage(e.data)) cb(e.data);
        }),
      // a utilityProcess is ended by Electron together with its parent
      onHostGone: () => undefined,
    };
  }
  if (typeof process.send !== 'function') throw new Error('the engine worker must be started by the LabService (no IPC channel)');
  return {
    post: (m) => {
      if (process.connected) process.send!(m);
    },
    onMessage: (cb) =>
      process.on('message', (m: unknown) => {
        if (isHostMessage(m)) cb(m);
      }),
    onHostGone: (cb) => process.on('disconnect', cb),
  };
}
