// The Redis URL of a lab's job queue: parsed and checked once (redis:// or rediss://), and a redacted form for anything
// printed or logged, so a password in the URL never reaches a terminal, a log or the store.
import { LabError } from '../../../shared/errors';

export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
  /** The URL with its password replaced by "***": the only form that is ever printed. */
  redacted: string;
}

const DEFAULT_PORT = 6379;

/** Parses `--queue`; a malformed URL is refused naming the flag and what it must look like. */
export function parseRedisUrl(raw: string, field = 'queue'): RedisTarget {
  const shape = 'redis://[user:password@]host[:port][/db] or rediss://… for TLS';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new LabError('invalid_argument', `--${field} must be a Redis URL, ${shape}; got "${redactLoose(raw)}"`, field);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new LabError('invalid_argument', `--${field} must start with redis:// or rediss://, not ${url.protocol}//`, field);
  if (url.hostname === '') throw new LabError('invalid_argument', `--${field} names no host; expected ${shape}`, field);
  const port = url.port === '' ? DEFAULT_PORT : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new LabError('invalid_argument', `--${field}: the port must be 1–65535`, field);
  const dbPart = url.pathname.replace(/^\//, '');
  const db = dbPart === '' ? 0 : Number(dbPart);
  if (!/^\d*$/.test(dbPart) || !Number.isInteger(db) || db < 0 || db > 15) throw new LabError('invalid_argument', `--${field}: the database after the host must be a number 0–15, not "${dbPart}"`, field);
  if (url.search !== '' || url.hash !== '') throw new LabError('invalid_argument', `--${field} takes no query or fragment; expected ${shape}`, field);
  const password = url.password === '' ? undefined : decodeURIComponent(url.password);
  const username = url.username === '' ? undefined : decodeURIComponent(url.username);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const redacted = `${url.protocol}//${username ?? ''}${password !== undefined ? `${username === undefined ? '' : ':'}***@` : username !== undefined ? '@' : ''}${url.host}${db === 0 ? '' : `/${db}`}`;
  return { host, port, db, tls: url.protocol === 'rediss:', redacted, ...(username === undefined ? {} : { username }), ...(password === undefined ? {} : { password }) };
}

/** A string that failed to parse may still hold a password: everything between "//" and "@" goes. */
function redactLoose(raw: string): string {
  return raw.replace(/\/\/[^@/]*@/, '//***@');
}

/** Replaces every occurrence of the target's password in `text` (an error message of the Redis client, say). */
export function redactSecrets(text: string, target: RedisTarget): string {
  return target.password === undefined || target.password === '' ? text : text.split(target.password).join('***');
}
