// What every command gets: output streams, the lab home, and a lazily opened LabService (help and bad input never open it).
import { type LabMethods } from '../../shared/contract';
import { type LabEventSource } from '../handlers/events';
import { labHome } from '../lab/data/paths';

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
  openLab(): Promise<CliLab>;
  /** Calls `cb` on Ctrl-C / SIGTERM until the returned function is called; `rlab serve` stops on it, `rlab run` cancels. */
  onInterrupt(cb: (signal: string) => void): () => void;
}

export function processIo(): CliIo {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    errIsTTY: process.stderr.isTTY === true,
    columns: process.stderr.columns,
  };
}

async function openRealLab(home: string): Promise<CliLab> {
  // Loaded on demand: the service pulls in SQLite and the engine, which `rlab help` and flag errors never need.
  const { createLabService } = await import('../lab/service/service');
  return createLabService({ home });
}

export function processContext(): CliContext {
  return {
    io: processIo(),
    home: labHome,
    openLab: () => openRealLab(labHome()),
    onInterrupt: (cb) => {
      const on = (signal: NodeJS.Signals) => cb(signal);
      process.on('SIGINT', on);
      process.on('SIGTERM', on);
      return () => {
        process.off('SIGINT', on);
        process.off('SIGTERM', on);
      };
    },
  };
}
