// The utilityProcess worker factory speaks the LabService's WorkerHandle interface: environment, message filtering,
// exit reported once (and to late listeners), kill reported as SIGKILL. Electron's utilityProcess is mocked.
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { beforeEach, describe, expect, it, vi } from 'vitest';

class FakeUtilityProcess extends EventEmitter {
  pid: number | undefined = undefined;
  stdout = new PassThrough();
  stderr = new PassThrough();
  posted: unknown[] = [];
  killed = 0;
  postMessage(m: unknown): void {
    this.posted.push(m);
  }
  kill(): boolean {
    this.killed += 1;
    return true;
  }
}

const electron = vi.hoisted(() => ({ forks: [] as { entry: string; args: string[]; options: Record<string, unknown>; child: unknown }[] }));

vi.mock('electron', () => ({
  utilityProcess: {
    fork: (entry: string, args: string[], options: Record<string, unknown>) => {
      const child = new FakeUtilityProcess();
      electron.forks.push({ entry, args, options, child });
      return child;
    },
  },
}));

const { utilityWorkerFactory } = await import('../../../../src/main/electron/utility-worker');

const lastChild = () => electron.forks.at(-1)!.child as FakeUtilityProcess;

beforeEach(() => {
  electron.forks.length = 0;
});

describe('utilityWorkerFactory', () => {
  it('forks the bundled entry with the lab home and extra environment', () => {
    utilityWorkerFactory('/app/out/main/engine-worker.js')({ home: '/labs/one', env: { RLAB_BACKEND: 'cpu' } });
    const fork = electron.forks[0]!;
    expect(fork.entry).toBe('/app/out/main/engine-worker.js');
    expect(fork.options.env).toMatchObject({ RLAB_HOME: '/labs/one', RLAB_BACKEND: 'cpu' });
    expect(fork.options.serviceName).toBe('Robustness Lab engine');
  });

  it('passes on worker messages and drops anything else', () => {
    const handle = utilityWorkerFactory('/w.js')({ home: '/h' });
    const got: unknown[] = [];
    handle.onMessage((m) => got.push(m));
    const ready = { type: 'log', level: 'info', message: 'hello' };
    lastChild().emit('message', ready);
    lastChild().emit('message', { type: 'not-a-worker-message' });
    lastChild().emit('message', 'text');
    expect(got).toEqual([ready]);
  });

  it('sends host messages until the process has exited', () => {
    const handle = utilityWorkerFactory('/w.js')({ home: '/h' });
    handle.send({ type: 'shutdown' });
    lastChild().emit('exit', 0);
    handle.send({ type: 'shutdown' });
    expect(lastChild().posted).toEqual([{ type: 'shutdown' }]);
  });

  it('reports the exit once, also to listeners added afterwards', () => {
    const handle = utilityWorkerFactory('/w.js')({ home: '/h' });
    const early: unknown[] = [];
    handle.onExit((e) => early.push(e));
    lastChild().emit('exit', 3);
    lastChild().emit('exit', 3);
    const late: unknown[] = [];
    handle.onExit((e) => late.push(e));
    expect(early).toEqual([{ code: 3, signal: null }]);
    expect(late).toEqual([{ code: 3, signal: null }]);
  });

  it('kills with SIGKILL by pid and reports that signal', () => {
    const handle = utilityWorkerFactory('/w.js')({ home: '/h' });
    const child = lastChild();
    child.pid = 424242;
    child.emit('spawn');
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    try {
      handle.kill();
      expect(kill).toHaveBeenCalledWith(424242, 'SIGKILL');
    } finally {
      kill.mockRestore();
    }
    const exits: unknown[] = [];
    handle.onExit((e) => exits.push(e));
    child.pid = undefined;
    child.emit('exit', 9);
    expect(exits).toEqual([{ code: null, signal: 'SIGKILL' }]);
    expect(handle.pid).toBe(424242);
  });

  it("passes the worker's output to the app's stderr without TensorFlow's start-up lines", async () => {
    utilityWorkerFactory('/w.js')({ home: '/h', env: { RLAB_VERBOSE: '0' } });
    expect(electron.forks.at(-1)!.options.stdio).toBe('pipe');
    const written: string[] = [];
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((t: string | Uint8Array) => (written.push(String(t)), true));
    try {
      const child = lastChild();
      child.stderr.end('WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\nE0000 00:00:1.5   7 real.cc:1] a real error\n');
      child.stdout.end('tail without newline');
      await new Promise((r) => setImmediate(r));
    } finally {
      write.mockRestore();
    }
    expect(written.sort()).toEqual(['E0000 00:00:1.5   7 real.cc:1] a real error\n', 'tail without newline']);
  });

  it('falls back to the process kill() before the pid is known', () => {
    const handle = utilityWorkerFactory('/w.js')({ home: '/h' });
    handle.kill();
    expect(lastChild().killed).toBe(1);
  });
});
