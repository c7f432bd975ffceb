// Test helper: a CliContext that captures output and counts how often the lab was opened.
import { type CliContext, type CliLab } from '../../../../src/main/cli/context';

export interface CapturedContext extends CliContext {
  stdout: () => string;
  stderr: () => string;
  opened: () => number;
  interrupt: (signal?: string) => void;
}

export function captureContext(lab?: () => CliLab, home = '/nonexistent/rlab-home'): CapturedContext {
  let out = '';
  let err = '';
  let opened = 0;
  const listeners = new Set<(s: string) => void>();
  return {
    io: { out: (t) => void (out += t), err: (t) => void (err += t), errIsTTY: false },
    home: () => home,
    openLab: async () => {
      opened++;
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
    interrupt: (signal = 'SIGINT') => {
      for (const cb of [...listeners]) cb(signal);
    },
  };
}
