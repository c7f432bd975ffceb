// The lab host's endpoint file (<home>/host.json): how every other front end reaches the process running this lab's
// jobs. Written atomically with mode 0600 by the host, removed when it exits cleanly; read without trusting it.
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, readSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../data/atomic-fs';

export const ENDPOINT_FILE = 'host.json';
/** An endpoint file is a few hundred bytes; anything much larger is not one and is not read. */
const MAX_ENDPOINT_BYTES = 4096;

const EndpointSchema = z
  .object({
    /** LAB_PROTOCOL_VERSION of the host. */
    protocol: z.number().int().positive(),
    /** ws://127.0.0.1:PORT/ws, without the token. */
    url: z
      .string()
      .max(512)
      .refine((u) => {
        try {
          const parsed = new URL(u);
          return parsed.protocol === 'ws:' && parsed.pathname === '/ws' && parsed.search === '';
        } catch {
          return false;
        }
      }, 'url must be ws://HOST:PORT/ws'),
    token: z.string().regex(/^[A-Za-z0-9._~-]{16,256}$/),
    pid: z.number().int().positive(),
    /** What the host is, for messages: "rlab serve", "rlab run", "the desktop app". */
    command: z.string().min(1).max(100),
    startedAt: z.string().max(40),
  })
  .strict();

export type HostEndpoint = z.infer<typeof EndpointSchema>;

export type EndpointRead = { kind: 'none' } | { kind: 'found'; endpoint: HostEndpoint } | { kind: 'untrusted'; why: string };

export function endpointPath(home: string): string {
  return path.join(home, ENDPOINT_FILE);
}

/** The WebSocket address with the token, as the server expects it. */
export function endpointWsUrl(endpoint: HostEndpoint): string {
  return `${endpoint.url}?token=${encodeURIComponent(endpoint.token)}`;
}

/**
 * Reads the endpoint file of `home`. Only a regular file of this user that no one else can read or write is looked
 * at (anyone else could point this user's commands, and their token, at a program of their own); its content must
 * have exactly the shape a host writes. Messages never quote what the file holds.
 */
export function readEndpoint(home: string): EndpointRead {
  const file = endpointPath(home);
  let fd: number;
  try {
    // a symlink is refused rather than followed: the file is the host's own, never a link to elsewhere
    if (lstatSync(file).isSymbolicLink()) return { kind: 'untrusted', why: 'it is a symbolic link' };
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'none' };
    return { kind: 'untrusted', why: `it cannot be read (${code ?? 'error'})` };
  }
  let text: string;
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { kind: 'untrusted', why: 'it is not a regular file' };
    const uid = process.getuid?.();
    if (uid !== undefined && st.uid !== uid) return { kind: 'untrusted', why: `it belongs to another user (uid ${st.uid})` };
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) return { kind: 'untrusted', why: `other users can read or write it (mode ${(st.mode & 0o777).toString(8)}; a host writes it 600)` };
    const buf = Buffer.alloc(MAX_ENDPOINT_BYTES + 1);
    const n = readSync(fd, buf, 0, buf.length, 0);
    if (n > MAX_ENDPOINT_BYTES) return { kind: 'untrusted', why: `it is larger than ${MAX_ENDPOINT_BYTES} bytes` };
    text = buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'untrusted', why: 'it is not JSON' };
  }
  const checked = EndpointSchema.safeParse(parsed);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    return { kind: 'untrusted', why: `it is not a host endpoint (${issue?.path.join('.') || 'the file'}: ${issue?.message ?? 'wrong shape'})` };
  }
  return { kind: 'found', endpoint: checked.data };
}

/**
 * Publishes `endpoint` for `home` (atomically, mode 0600, replacing a stale one) and returns the function that
 * removes it again; that function is also run when the process exits, and removes the file only while it is still
 * this host's (a later host may have replaced it).
 */
export async function writeEndpoint(home: string, endpoint: HostEndpoint): Promise<() => void> {
  const file = endpointPath(home);
  await writeFileAtomic(file, `${JSON.stringify(endpoint, null, 2)}\n`, 0o600);
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    process.off('exit', remove);
    try {
      const current = JSON.parse(readFileSync(file, 'utf8')) as Partial<HostEndpoint>;
      if (current.pid === endpoint.pid && current.token === endpoint.token) unlinkSync(file);
    } catch {
      // gone already, or replaced by something that is not ours
    }
  };
  process.on('exit', remove);
  return remove;
}
