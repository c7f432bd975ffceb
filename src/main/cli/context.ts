// What every command gets: output streams, the lab home, and a lazily opened LabService (help and bad input never open it).
import { constants as osConstants } from 'node:os';
import { type LabMethods } from '../../shared/contract';
import { type LabEventSource } from '../handlers/events';
import { labHome } from '../lab/data/paths';

/**
 * What a command opens the lab for (the service's LabAccess): 'read' takes no lock and writes nothing (ls, show);
 * 'write' changes records but leaves the job queue alone and starts no worker (rm, export, report); 'jobs' is the
 * host that runs the queue (run, resume, eval, serve). Only 'jobs' ever starts, stops or rewrites a job.
 */
export type LabAccess = 'read' | 'write' | 'jobs';

/** The LabService as the CLI uses it: the LabApi methods and events, plus resume and shutdown. */
export type CliLab = LabMethods &
  LabEventSource & {
    resumeRun(runId: string): Promise<unknown>;
    close(): Promise<void>;
  };

export interface CliIo {
  /** Results: tables and JSON. */
  out(text: string): void;
  /** Progress, warnings and errors, so `--json` output stays clean. */
  err(text: string): void;
  errIsTTY: boolean;
  columns?: number;
}

export interface CliContext {
  io: CliIo;
  home(): string;
  /** Opens the lab; default 'jobs' (the host). */
  openLab(access?: LabAccess): Promise<CliLab>;
  /** Calls `cb` on Ctrl-C / SIGTERM until the returned function is called; `rlab serve` stops on it, `rlab run` cancels. */
  onInterrupt(cb: (signal: string) => void): () => void;
}

/** The shell's convention for a process ended by a signal: 128 + its number (130 for SIGINT, 143 for SIGTERM). */
export function signalExitCode(signal: string): number {
  const n = (osConstants.signals as Record<string, number | undefined>)[signal];
  return 128 + (n ?? 2);
}

export function processIo(): CliIo {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    errIsTTY: process.stderr.isTTY === true,
    columns: process.stderr.columns,
  };
}

interface HostLab {
  close(options?: { cancelActive?: boolean }): Promise<void>;
}

export interface ProcessContext extends CliContext {
  /** The first SIGINT/SIGTERM this process received while a command listened or a host was open, if any. */
  interruptedBy(): string | null;
}

export function processContext(): ProcessContext {
  const io = processIo();
  const listeners = new Set<(signal: string) => void>();
  // hosts open in this process: a signal cancels their active job cleanly before they close
  const hosts = new Set<HostLab>();
  let signalled: string | null = null;

  const onSignal = (signal: NodeJS.Signals): void => {
    const first = signalled === null;
    signalled ??= signal;
    if (listeners.size > 0) {
      for (const cb of [...listeners]) cb(signal);
      return;
    }
    // nobody handles it (e.g. `rlab eval`): stop every host cleanly, then end as the signal would have;
    // a second one does not wait (the worker, left without its host, exits on its own)
    if (!first) process.exit(signalExitCode(signal));
    io.err(`\nstopping (${signal}): the current job is cancelled at its next batch (again to quit at once)...\n`);
    void Promise.allSettled([...hosts].map((h) => h.close({ cancelActive: true }))).finally(() => process.exit(signalExitCode(signal)));
  };
  const watching = (): boolean => listeners.size > 0 || hosts.size > 0;
  const sync = (wasWatching: boolean): void => {
    if (wasWatching === watching()) return;
    if (watching()) {
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    } else {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  };

  return {
    io,
    home: labHome,
    interruptedBy: () => signalled,
    openLab: async (access = 'jobs') => {
      // Loaded on demand: the service pulls in SQLite and the engine, which `rlab help` and flag errors never need.
      const { createLabService } = await import('../lab/service/service');
      const lab = await createLabService({ home: labHome(), access });
      if (access !== 'jobs') return lab;
      const wasWatching = watching();
      hosts.add(lab);
      sync(wasWatching);
      const close = lab.close.bind(lab);
      return Object.assign(lab, {
        close: async () => {
          try {
            // after Ctrl-C the active job is cancelled (finished epochs kept) rather than left interrupted
            await close({ cancelActive: signalled !== null });
          } finally {
            const before = watching();
            hosts.delete(lab);
            sync(before);
          }
        },
      });
    },
    onInterrupt: (cb) => {
      const wasWatching = watching();
      listeners.add(cb);
      sync(wasWatching);
      return () => {
        const before = watching();
        listeners.delete(cb);
        sync(before);
      };
    },
  };
}
