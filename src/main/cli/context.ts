// What every command gets: output streams, the lab home, and a lazily opened lab (help and bad input never open it):
// the running host's LabApi when one is published, else the lab opened in this process (see open-lab.ts).
import { constants as osConstants } from 'node:os';
import path from 'node:path';
import { type LabMethods } from '../../shared/contract';
import { type LabError } from '../../shared/errors';
import { type LabEventSource } from '../handlers/events';
import { labHome } from '../lab/data/paths';
import { type PublishedHost } from '../lab/host/publish';

/**
 * What a command opens the lab for (the service's LabAccess): 'read' takes no lock and writes nothing (ls, show);
 * 'write' changes records but leaves the job queue alone and starts no worker (rm, export, report); 'jobs' is the
 * host that runs the queue (run, resume, eval, serve). Only 'jobs' ever starts, stops or rewrites a job.
 */
export type LabAccess = 'read' | 'write' | 'jobs';

/** The lab as a command uses it, whichever side it is on (the host itself or its client): the LabApi methods and events, plus closing. */
export type CliLab = LabMethods &
  LabEventSource & {
    close(): Promise<void>;
    /** A client of another process's host: calls `cb` once if the connection to it is lost (the host stopped or died). */
    onLost?(cb: (err: LabError) => void): () => void;
    /** A client: the host it goes through, e.g. "rlab serve (pid 4242)"; absent when the lab is open in this process. */
    readonly hostedBy?: string;
  };

export interface OpenLabOptions {
  /** `rlab serve`: as the host, this process publishes its own server (none is started for it); else it is the live host's client. */
  serving?: boolean;
  /** `--queue URL`: this host sends its jobs to `rlab worker` processes through BullMQ on that Redis. */
  queue?: string;
}

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
  /** Opens the lab for `access` (default 'jobs'): as the running host's client when there is one, else in this process. */
  openLab(access?: LabAccess, options?: OpenLabOptions): Promise<CliLab>;
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

/**
 * Takes the global `--home DIR` (also `--home=DIR`, anywhere before `--`) out of a command line; every command
 * accepts it in place of $RLAB_HOME. Returns the error text for a `--home` without a folder.
 */
export function takeHomeFlag(argv: readonly string[]): { home?: string; rest: string[] } | { error: string } {
  const rest: string[] = [];
  let home: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg !== '--home' && !arg.startsWith('--home=')) {
      rest.push(arg);
      continue;
    }
    if (home !== undefined) return { error: '--home is given more than once' };
    const value = arg === '--home' ? argv[++i] : arg.slice('--home='.length);
    if (value === undefined || value.trim() === '' || (arg === '--home' && value.startsWith('--'))) return { error: '--home needs a folder: the lab home (default $RLAB_HOME, else ~/.robustness-lab)' };
    home = value;
  }
  return home === undefined ? { rest } : { home, rest };
}

export interface ProcessOptions {
  /** The lab home from `--home`; default $RLAB_HOME or ~/.robustness-lab. */
  home?: string;
  /** The command line's command, naming this process as a host ("rlab run"). */
  command?: string;
}

/** How often a closing host looks whether its clients' jobs are done. */
const DRAIN_POLL_MS = 500;
/** How long a closing host waits for clients that are still connected once its queue is empty. */
const CLIENT_GRACE_MS = 3000;

export function processContext(options: ProcessOptions = {}): ProcessContext {
  const io = processIo();
  const home = (): string => (options.home !== undefined ? path.resolve(options.home) : labHome());
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

  /**
   * A host that its clients still give work to (another `rlab run` queued runs on it, an `rlab eval` waits) stays
   * until the queue is empty or the clients have gone, unless a signal says to stop.
   */
  const drain = async (lab: { whenIdle(): Promise<void> }, published: PublishedHost): Promise<void> => {
    let idle = false;
    void lab.whenIdle().then(() => (idle = true));
    await new Promise((r) => setImmediate(r));
    let told = false;
    while (!idle && signalled === null && published.server.clientCount() > 0) {
      if (!told) io.err(`rlab: other rlab commands still have jobs on this host (pid ${process.pid}); it stays until they finish (Ctrl-C cancels the running job, the rest stay queued)\n`);
      told = true;
      await new Promise((r) => setTimeout(r, DRAIN_POLL_MS));
    }
    // a client that saw the last job end (`rlab watch`, `rlab eval`) gets a moment to read its result and leave
    const graceEnd = Date.now() + CLIENT_GRACE_MS;
    while (signalled === null && published.server.clientCount() > 0 && Date.now() < graceEnd) await new Promise((r) => setTimeout(r, 100));
  };

  return {
    io,
    home,
    interruptedBy: () => signalled,
    openLab: async (access = 'jobs', openOptions = {}) => {
      const { openLabFor } = await import('./open-lab');
      const opened = await openLabFor({
        home: home(),
        homeLabel: options.home !== undefined ? '--home' : null,
        access,
        serving: openOptions.serving === true,
        ...(openOptions.queue === undefined ? {} : { queue: openOptions.queue }),
        command: `rlab ${options.command ?? 'host'}`,
        notice: (line) => io.err(`rlab: ${line}\n`),
        log: (line) => io.err(`rlab host: ${line}\n`),
      });
      if (opened.kind !== 'host') return opened.lab;
      const { lab, published } = opened;
      const wasWatching = watching();
      hosts.add(lab);
      sync(wasWatching);
      const close = lab.close.bind(lab);
      let closing: Promise<void> | null = null;
      const closeHost = async (): Promise<void> => {
        try {
          if (published) {
            await drain(lab, published);
            await published.close();
          }
          // after Ctrl-C the active job is cancelled (finished epochs kept) rather than left interrupted
          await close({ cancelActive: signalled !== null });
        } finally {
          const before = watching();
          hosts.delete(lab);
          sync(before);
        }
      };
      return Object.assign(lab, { close: () => (closing ??= closeHost()) });
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
