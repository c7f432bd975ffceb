// Test helper: a long-running `rlab` child process (serve, run, eval) whose output can be awaited line by line, and
// a WebSocket client of a served address that records the lab's events.
import { spawn, type ChildProcess } from 'node:child_process';
import { WebSocket } from 'ws';
import { type LabEventName, type LabEvents } from '../../../../src/shared/contract';
import { type WebSocketCtor, WsLabClient } from '../../../../src/shared/ws-client';
import { RLAB_BIN } from '../cli/rlab-process';

export interface RlabChild {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
  /** Resolves with the first match of `re` in the stream (stderr by default); rejects if the process exits first. */
  waitFor(re: RegExp, stream?: 'stdout' | 'stderr'): Promise<RegExpExecArray>;
}

/** Starts `rlab ARGS` with RLAB_HOME=home; every child started is added to `children` so a test can kill leftovers. */
export function startRlab(home: string, args: string[], children: Set<ChildProcess>): RlabChild {
  const child = spawn(process.execPath, [RLAB_BIN, ...args], { env: { ...process.env, RLAB_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const text = { stdout: '', stderr: '' };
  const waiters: { re: RegExp; stream: 'stdout' | 'stderr'; resolve(m: RegExpExecArray): void }[] = [];
  const check = (): void => {
    for (const w of waiters.splice(0)) {
      const m = w.re.exec(text[w.stream]);
      if (m) w.resolve(m);
      else waiters.push(w);
    }
  };
  child.stdout!.on('data', (d) => {
    text.stdout += String(d);
    check();
  });
  child.stderr!.on('data', (d) => {
    text.stderr += String(d);
    check();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    stdout: () => text.stdout,
    stderr: () => text.stderr,
    exited,
    waitFor: (re, stream = 'stderr') =>
      new Promise((resolve, reject) => {
        const m = re.exec(text[stream]);
        if (m) return resolve(m);
        waiters.push({ re, stream, resolve });
        void exited.then(() => setTimeout(() => reject(new Error(`rlab ${args[0]} exited before printing ${String(re)}:\n${text.stdout}\n${text.stderr}`)), 50));
      }),
  };
}

/** `rlab serve --port 0`, resolved once it printed its address. */
export async function startServe(home: string, children: Set<ChildProcess>): Promise<RlabChild & { url: string }> {
  const s = startRlab(home, ['serve', '--port', '0'], children);
  const m = await s.waitFor(/Robustness Lab at (http:\S+)/, 'stdout');
  return { ...s, url: m[1]! };
}

export interface Observer {
  client: WsLabClient;
  events: { event: LabEventName; payload: unknown }[];
  waitFor<K extends LabEventName>(event: K, pred: (p: LabEvents[K]) => boolean): Promise<LabEvents[K]>;
  close(): void;
}

/** A browser's view of a served lab: the shared WebSocket client (no reconnection), recording every event. */
export async function observe(httpUrl: string): Promise<Observer> {
  const u = new URL(httpUrl);
  const client = new WsLabClient({ url: `ws://${u.host}/ws?token=${u.searchParams.get('token')}`, WebSocketImpl: WebSocket as unknown as WebSocketCtor, reconnect: false });
  const events: { event: LabEventName; payload: unknown }[] = [];
  const waiters: { event: LabEventName; pred(p: unknown): boolean; resolve(p: unknown): void }[] = [];
  const record = (event: LabEventName) => (payload: unknown) => {
    events.push({ event, payload });
    for (const w of waiters.splice(0)) {
      if (w.event === event && w.pred(payload)) w.resolve(payload);
      else waiters.push(w);
    }
  };
  client.api.onProgress(record('progress'));
  client.api.onEpochEnd(record('epoch-end'));
  client.api.onRunStatus(record('run-status'));
  client.api.onJobFinished(record('job-finished'));
  client.api.onEvaluation(record('evaluation'));
  await new Promise<void>((resolve, reject) => {
    const off = client.onStateChange((state) => {
      off();
      if (state === 'open') resolve();
      else reject(new Error(`observer could not connect: ${state}`));
    });
  });
  return {
    client,
    events,
    waitFor: (event, pred) =>
      new Promise((resolve) => {
        const seen = events.find((e) => e.event === event && pred(e.payload as never));
        if (seen) return resolve(seen.payload as never);
        waiters.push({ event, pred: pred as (p: unknown) => boolean, resolve: resolve as (p: unknown) => void });
      }),
    close: () => client.close(),
  };
}
