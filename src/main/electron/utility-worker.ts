// The engine worker as an Electron utilityProcess, behind the LabService's WorkerFactory interface.
// A crash or out-of-memory in TensorFlow there never takes the window or the database with it.
import { utilityProcess } from 'electron';
import { type WorkerExit, type WorkerFactory } from '../lab/worker/spawn';
import { isWorkerMessage, type WorkerToHost } from '../lab/worker/protocol';
import { pipeWorkerOutput, verboseFromEnv, withVerboseLogLevel } from '../lab/worker/startup-noise';

/**
 * Forks `entry` (the bundled worker, out/main/engine-worker.js) for every worker the service asks for.
 * The worker talks through process.parentPort (src/main/lab/worker/port.ts picks it up by itself).
 */
export function utilityWorkerFactory(entry: string): WorkerFactory {
  return ({ home, env }) => {
    const workerEnv = withVerboseLogLevel({ ...process.env, ...env, RLAB_HOME: home });
    const verbose = verboseFromEnv(workerEnv);
    const child = utilityProcess.fork(entry, [], {
      env: workerEnv,
      serviceName: 'Robustness Lab engine',
      // native TensorFlow's own diagnostics still reach the terminal that started the app, less its start-up lines
      stdio: 'pipe',
    });
    pipeWorkerOutput([child.stdout, child.stderr], process.stderr, verbose);
    const exitCallbacks: ((e: WorkerExit) => void)[] = [];
    let exited: WorkerExit | null = null;
    let killedWith: string | null = null;
    let lastPid: number | undefined;
    const finish = (e: WorkerExit): void => {
      if (exited) return;
      exited = e;
      for (const cb of exitCallbacks) cb(e);
    };
    child.on('spawn', () => {
      lastPid = child.pid;
    });
    // utilityProcess reports only an exit code; a kill we sent is reported as that signal
    child.on('exit', (code) => finish({ code: killedWith ? null : code, signal: killedWith }));
    return {
      get pid() {
        return child.pid ?? lastPid;
      },
      send(message) {
        if (!exited) child.postMessage(message);
      },
      onMessage(cb: (m: WorkerToHost) => void) {
        child.on('message', (m: unknown) => {
          if (isWorkerMessage(m)) cb(m);
        });
      },
      onExit(cb) {
        if (exited) cb(exited);
        else exitCallbacks.push(cb);
      },
      kill() {
        if (exited) return;
        killedWith = 'SIGKILL';
        const pid = child.pid;
        if (pid === undefined) {
          child.kill();
          return;
        }
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone: the exit event follows
          child.kill();
        }
      },
    };
  };
}
