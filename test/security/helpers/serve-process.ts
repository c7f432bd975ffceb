// Starts a real `rlab serve` child process (node bin/rlab.mjs) on a free port with a temporary RLAB_HOME, a token
// file, and a small UI folder with a secret file beside it (what path traversal would try to reach).
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { connect } from '../../unit/main/server/ws-test-client';

export const RLAB_BIN = path.resolve(__dirname, '../../../bin/rlab.mjs');
/** What the secret file beside the UI folder holds; no response may ever contain it. */
export const SECRET = 'SECRET-outside-the-ui-folder-7f3a';

export interface ServeProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  token: string;
  /** The temporary folder: home/, ui/, secret.txt, token */
  dir: string;
  uiDir: string;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** Resolves when stderr has a line matching `re`. */
  waitForLog(re: RegExp, timeoutMs?: number): Promise<void>;
  /** Peak resident set (VmHWM) and current (VmRSS) of the server process, in KiB. */
  memoryKb(): { hwm: number; rss: number };
  /** Resets VmHWM to the current RSS (Linux clear_refs 5), so the next peak is this moment's, not start-up's. */
  resetPeak(): void;
  stop(): Promise<number | null>;
}

export interface ServeOptions {
  args?: string[];
  env?: Record<string, string>;
  /** Fills the lab home (`<dir>/home`, created) before the server opens it, e.g. a store with a trained run. */
  prepare?: (home: string) => unknown;
  /** How the token reaches the server; default a user-only --token-file. */
  tokenVia?: 'file' | 'env';
}

export async function startServe(opts: ServeOptions = {}): Promise<ServeProcess> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rlab-security-'));
  const uiDir = path.join(dir, 'ui');
  mkdirSync(path.join(uiDir, 'assets'), { recursive: true });
  writeFileSync(path.join(uiDir, 'index.html'), '<!doctype html><title>rlab security test ui</title>');
  writeFileSync(path.join(uiDir, 'assets', 'app.js'), 'console.log("ui")');
  writeFileSync(path.join(dir, 'secret.txt'), SECRET);
  const token = `sec-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}-token`;
  const tokenFile = path.join(dir, 'token');
  writeFileSync(tokenFile, `${token}\n`);
  chmodSync(tokenFile, 0o600);
  if (opts.prepare) {
    mkdirSync(path.join(dir, 'home'), { recursive: true });
    await opts.prepare(path.join(dir, 'home'));
  }
  const viaEnv = opts.tokenVia === 'env';
  const child = spawn(process.execPath, [RLAB_BIN, 'serve', '--port', '0', ...(viaEnv ? [] : ['--token-file', tokenFile]), ...(opts.args ?? [])], {
    env: { ...process.env, RLAB_HOME: path.join(dir, 'home'), RLAB_UI_DIR: uiDir, ...(viaEnv ? { RLAB_TOKEN: token } : {}), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const logWaiters: { re: RegExp; resolve: () => void }[] = [];
  child.stderr!.on('data', (d) => {
    err += String(d);
    for (const w of logWaiters.splice(0)) {
      if (w.re.test(err)) w.resolve();
      else logWaiters.push(w);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const fail = (err: Error) => {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error(`rlab serve printed no address in time; stderr: ${err}`)), 90_000);
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /http:\/\/127\.0\.0\.1:(\d+)\/\?token=(\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        expect(decodeURIComponent(m[2]!)).toBe(token);
        resolve(Number(m[1]));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`rlab serve exited with ${code} before listening; stderr: ${err}`));
    });
  });
  return {
    child,
    pid: child.pid!,
    port,
    token,
    dir,
    uiDir,
    stderr: () => err,
    waitForLog: (re, timeoutMs = 20_000) =>
      re.test(err)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no log line matching ${re} in time; stderr: ${err.slice(-2000)}`)), timeoutMs);
            logWaiters.push({
              re,
              resolve: () => {
                clearTimeout(timer);
                resolve();
              },
            });
          }),
    memoryKb: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
      return { hwm: kb('VmHWM'), rss: kb('VmRSS') };
    },
    resetPeak: () => writeFileSync(`/proc/${child.pid}/clear_refs`, '5'),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

/** The server process is still running and answers an authenticated HTTP request and an authenticated WebSocket call. */
export async function expectAlive(s: ServeProcess): Promise<void> {
  expect(s.child.exitCode, `rlab serve exited; stderr: ${s.stderr().slice(-3000)}`).toBeNull();
  expect(s.child.signalCode).toBeNull();
  const health = await fetch(`http://127.0.0.1:${s.port}/api/health`, { headers: { Authorization: `Bearer ${s.token}` } });
  expect(health.status).toBe(200);
  const c = await connect(`ws://127.0.0.1:${s.port}/ws?token=${s.token}`);
  try {
    const reply = await c.call(1, 'listRuns', {});
    expect(reply.ok, JSON.stringify(reply)).toBe(true);
  } finally {
    c.ws.terminate();
  }
}
