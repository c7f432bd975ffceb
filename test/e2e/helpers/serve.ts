// Starts a real `rlab serve` on a free port with its own RLAB_HOME, and stops it (Ctrl-C, as a person would).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ServedLab {
  /** http://127.0.0.1:<port>/?token=… as printed */
  url: string;
  origin: string;
  token: string;
  home: string;
  /** Everything the server wrote to stderr so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** `prepare` fills the new lab folder (e.g. a store with finished runs) before the server opens it; a promise it returns is awaited. */
export async function startServe(opts: { env?: Record<string, string>; timeoutMs?: number; prepare?: (home: string) => unknown } = {}): Promise<ServedLab> {
  if (!fs.existsSync(path.join(ROOT, 'out', 'renderer', 'index.html'))) {
    throw new Error('out/renderer is missing: run `npm run build` before the E2E tests');
  }
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'rlab-e2e-'));
  await opts.prepare?.(home);
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'bin', 'rlab.mjs'), 'serve', '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, RLAB_HOME: home, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`rlab serve printed no URL within ${opts.timeoutMs ?? 60_000} ms:\n${out}\n${err}`)), opts.timeoutMs ?? 60_000);
    const check = () => {
      const m = /(http:\/\/\S+\?token=[0-9a-f]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`rlab serve exited (${code}) before printing its URL:\n${out}\n${err}`));
    });
  });
  const u = new URL(url);
  return {
    url,
    origin: u.origin,
    token: u.searchParams.get('token')!,
    home,
    log: () => err,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
