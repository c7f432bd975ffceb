// The lab's worker secret and the HMAC every queue message carries: a worker proves it was given the secret, and the
// host proves its jobs are its own, so someone who can reach Redis but lacks the secret can neither post results
// into the lab nor make workers run their jobs.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LabError } from '../../../shared/errors';

/** Where a lab keeps its worker secret (mode 0600); `rlab worker --secret-file` reads a copy of it. */
export function workerSecretPath(home: string): string {
  return path.join(home, 'worker-secret');
}

const MIN_SECRET_CHARS = 32;

/** The lab's secret, made on first use. */
export async function labWorkerSecret(home: string): Promise<string> {
  const file = workerSecretPath(home);
  try {
    return checkSecret((await fs.readFile(file, 'utf8')).trim(), file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const secret = randomBytes(32).toString('hex');
  await fs.mkdir(home, { recursive: true });
  try {
    await fs.writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (err) {
    // another process made it first
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return checkSecret((await fs.readFile(file, 'utf8')).trim(), file);
    throw err;
  }
}

/** A worker's secret: `--secret-file`, else $RLAB_WORKER_SECRET. */
export async function readWorkerSecret(file: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (file !== undefined) {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      throw new LabError('invalid_argument', `--secret-file ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`, 'secret-file');
    }
    return checkSecret(text.trim(), `--secret-file ${file}`);
  }
  const fromEnv = env.RLAB_WORKER_SECRET;
  if (fromEnv === undefined || fromEnv === '') throw new LabError('invalid_argument', 'a worker needs the lab\'s worker secret: --secret-file FILE (a copy of <lab home>/worker-secret) or $RLAB_WORKER_SECRET', 'secret-file');
  return checkSecret(fromEnv.trim(), '$RLAB_WORKER_SECRET');
}

function checkSecret(secret: string, where: string): string {
  if (secret.length < MIN_SECRET_CHARS) throw new LabError('invalid_argument', `${where}: the worker secret must be at least ${MIN_SECRET_CHARS} characters (the lab makes a 64-character one in <lab home>/worker-secret)`, 'secret-file');
  return secret;
}

/** A message as it travels: its JSON text and the HMAC-SHA256 of that text. */
export interface Signed {
  body: string;
  sig: string;
}

export function sign(secret: string, body: string): Signed {
  return { body, sig: createHmac('sha256', secret).update(body).digest('hex') };
}

/** The body when the signature is the secret's; null for anything else (unsigned, forged, or not a Signed). */
export function verified(secret: string, value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const { body, sig } = value as Partial<Signed>;
  if (typeof body !== 'string' || typeof sig !== 'string' || !/^[0-9a-f]{64}$/.test(sig)) return null;
  const want = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(want, Buffer.from(sig, 'hex')) ? body : null;
}
