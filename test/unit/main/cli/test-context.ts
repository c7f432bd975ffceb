// Test helper: a CliContext that captures output and counts how often the lab was opened.
import { type CliContext, type CliLab, type LabAccess } from '../../../../src/main/cli/context';

export interface CapturedContext extends CliContext {
  stdout: () => string;
  stderr: () => string;
  opened: () => number;
  /** What each openLab call asked for, in order ('jobs' when the command gave nothing). */
  accesses: () => LabAccess[];
  interrupt: (signal?: string) => void;
}

export function captureContext(lab?: () => CliLab, home = '/nonexistent/rlab-home'): CapturedContext {
  let out = '';
  let err = '';
  let opened = 0;
  const accesses: LabAccess[] = [];
  const listeners = new Set<(s: string) => void>();
  return {
    io: { out: (t) => void (out += t), err: (t) => void (err += t), errIsTTY: false },
    home: () => home,
    openLab: async (access = 'jobs') => {
      opened++;
      accesses.push(access);
      if (!lab) throw new Error('this test must not open the lab');
      return lab();
    },
    onInterrupt: (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    stdout: () => out,
    stderr: () => err,
    opened: () => opened,
    accesses: () => [...accesses],
    interrupt: (signal = 'SIGINT') => {
      for (const cb of [...listeners]) cb(signal);
    },
  };
}
