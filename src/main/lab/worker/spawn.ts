// How the host starts an engine worker: a small interface, with the Node child_process implementation.
// The Electron main process supplies its own factory (utilityProcess) behind the same interface.
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type HostToWorker, type WorkerToHost, isWorkerMessage } from './protocol';
import { pipeWorkerOutput, verboseFromEnv, withVerboseLogLevel } from './startup-noise';

export interface WorkerExit {
  code: number | null;
  signal: string | null;
}

/** A running worker process as the host sees it. */
export interface WorkerHandle {
  /** OS process id, once known. */
  readonly pid: number | undefined;
  send(message: HostToWorker): void;
  onMessage(cb: (message: WorkerToHost) => void): void;
  /** Called once when the process has gone, for whatever reason. */
  onExit(cb: (exit: WorkerExit) => void): void;
  /** Ends the process now (SIGKILL or equivalent). */
  kill(): void;
}

export interface WorkerSpawnOptions {
  /** The lab home; the worker reads datasets from it (passed as RLAB_HOME). */
  home: string;
  /** Extra environment for the worker. */
  env?: Record<string, string>;
}

export type WorkerFactory = (options: WorkerSpawnOptions) => WorkerHandle;

/** Path of the worker entry module (TypeScript source; run through tsx under Node). */
export function workerEntryPath(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), 'entry.ts');
}

/**
 * The tsx loader as an absolute URL: `--import tsx` would resolve from the current directory, which is wherever
 * the user ran `rlab` from, not the project.
 */
function tsxLoaderUrl(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

export interface ForkOptions {
  /** Where the worker's stdout and stderr go; default the host's stderr. */
  output?: Pick<NodeJS.WritableStream, 'write'>;
}

/**
 * Forks `entry` (default: the worker entry) with tsx loaded, over Node's IPC channel.
 * Both of the worker's output streams go to the host's stderr: native TF's diagnostics still reach a terminal,
 * and the host's stdout stays clean for results (`rlab ... --json`). TensorFlow's start-up lines are dropped on the
 * way unless RLAB_VERBOSE=1 (`rlab --verbose`), which also lowers TF's log level to show its info lines.
 * The worker gets its own process group (detached), so a Ctrl-C in the terminal reaches only the host, which
 * cancels the job and stops the worker itself; the worker still ends with its host, when the IPC channel closes.
 */
export function forkWorkerFactory(entry: string = workerEntryPath(), options: ForkOptions = {}): WorkerFactory {
  const loader = tsxLoaderUrl();
  return ({ home, env }) => {
    const workerEnv = withVerboseLogLevel({ ...process.env, ...env, RLAB_HOME: home });
    const verbose = verboseFromEnv(workerEnv);
    const child = fork(entry, [], {
      execArgv: ['--import', loader],
      env: workerEnv,
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      detached: true,
    });
    pipeWorkerOutput([child.stdout, child.stderr], options.output ?? process.stderr, verbose);
    const exitCallbacks: ((e: WorkerExit) => void)[] = [];
    let exited: WorkerExit | null = null;
    const finish = (e: WorkerExit): void => {
      if (exited) return;
      exited = e;
      for (const cb of exitCallbacks) cb(e);
    };
    child.on('exit', (code, signal) => finish({ code, signal }));
    // a failed spawn emits 'error' without 'exit'
    child.on('error', () => finish({ code: child.exitCode, signal: child.signalCode }));
    return {
      get pid() {
        return child.pid;
      },
      send(message) {
        if (child.connected) child.send(message);
      },
      onMessage(cb) {
        child.on('message', (m: unknown) => {
          if (isWorkerMessage(m)) cb(m);
        });
      },
      onExit(cb) {
        if (exited) cb(exited);
        else exitCallbacks.push(cb);
      },
      kill() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      },
    };
  };
}
