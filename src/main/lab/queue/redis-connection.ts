// Connections to a lab's Redis: a first check that fails fast with a message naming the (redacted) URL, and the
// long-lived connections of the queue, which wait through an outage and go on when Redis is back.
import { Redis, type RedisOptions } from 'ioredis';
import { LabError } from '../../../shared/errors';
import { redactSecrets, type RedisTarget } from './redis-url';

/** Options of a connection that retries for ever: commands wait (in order) while Redis is away. */
export function lastingOptions(target: RedisTarget): RedisOptions {
  return {
    host: target.host,
    port: target.port,
    db: target.db,
    ...(target.username === undefined ? {} : { username: target.username }),
    ...(target.password === undefined ? {} : { password: target.password }),
    ...(target.tls ? { tls: { servername: target.host } } : {}),
    // BullMQ's blocking connections need this; for ours it means a command waits for the reconnect instead of failing
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(200 * times, 2000),
  };
}

/** Connects once, pings, and says in words why not: unreachable, wrong password, not Redis. */
export async function checkReachable(target: RedisTarget, timeoutMs = 5000): Promise<void> {
  const probe = new Redis({ ...lastingOptions(target), lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  // the client's own error event says why (ECONNREFUSED …); the rejected connect only says the connection closed
  let cause: Error | null = null;
  probe.on('error', (err: Error) => (cause ??= err));
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    const raw = redactSecrets((cause ?? (err instanceof Error ? err : new Error(String(err)))).message, target);
    const why = /NOAUTH|WRONGPASS|invalid username-password/i.test(raw)
      ? `it refused the credentials (${raw.split('\n')[0]}); give them in the URL, redis://user:PASSWORD@host:port`
      : /ECONNREFUSED/.test(raw)
        ? 'nothing listens there (connection refused); start redis-server or check the host and port'
        : /ENOTFOUND|EAI_AGAIN/.test(raw)
          ? 'the host name does not resolve'
          : raw;
    throw new LabError('failed_precondition', `the job queue at ${target.redacted} is not reachable: ${why}`, 'queue');
  } finally {
    probe.disconnect();
  }
}

export function lastingConnection(target: RedisTarget): Redis {
  return new Redis(lastingOptions(target));
}
