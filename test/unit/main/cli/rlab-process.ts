// Runs the real `rlab` binary (`node bin/rlab.mjs ...`) in a child process with RLAB_HOME set, collecting its output.
import { spawn } from 'node:child_process';
import path from 'node:path';

export const RLAB_BIN = path.resolve(__dirname, '../../../../bin/rlab.mjs');

export interface RlabResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Resolves when the process exits; a process still running after `timeoutMs` is killed with SIGKILL. `env` adds to the environment. */
export function runRlab(home: string, args: string[], timeoutMs = 120_000, env: Record<string, string> = {}): Promise<RlabResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RLAB_BIN, ...args], { env: { ...process.env, ...env, RLAB_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
