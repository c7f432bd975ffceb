// `rlab worker --queue redis://HOST:PORT`: an engine worker for a lab on another machine. It takes jobs off the lab's
// BullMQ queue, trains and evaluates with this machine's engine, and ships results and files back through Redis.
import os from 'node:os';
import { type FlagSpec, Flags, parseArgs, positionals, UsageError } from '../args';
import { type Command } from '../command';
import { signalExitCode } from '../context';

const FLAGS: readonly FlagSpec[] = [
  { name: 'queue', type: 'string', value: 'redis://HOST:PORT', help: "the lab host's Redis (rediss:// for TLS); required" },
  { name: 'concurrency', type: 'string', value: 'N', help: 'jobs at once, each in an engine process of its own (default 1; 1–16)' },
  { name: 'secret-file', type: 'string', value: 'FILE', help: "a copy of the lab host's <lab home>/worker-secret (default: $RLAB_WORKER_SECRET)" },
  { name: 'lock-seconds', type: 'string', value: 'S', help: "how long this worker's claim on a job lasts unrenewed; if it dies, another worker takes the job after about this (default 30; 2–600)" },
];

function rangeInt(flags: Flags, name: string, fallback: number, min: number, max: number): number {
  const v = flags.int(name) ?? fallback;
  if (v < min || v > max) throw new UsageError(`--${name} must be ${min}–${max} (got ${v})`);
  return v;
}

export const workerCommand: Command = {
  name: 'worker',
  summary: "take a lab host's jobs off its Redis queue and run them on this machine's engine",
  usage: 'rlab worker --queue redis://HOST:PORT [--concurrency N] [--secret-file FILE] [--lock-seconds S]',
  flags: FLAGS,
  async run(argv, ctx) {
    const parsed = parseArgs(argv, FLAGS, 'worker');
    positionals(parsed, [], 'worker');
    const flags = new Flags(parsed);
    const url = flags.string('queue');
    if (url === undefined) throw new UsageError('rlab worker needs --queue redis://HOST:PORT, the Redis of the lab host whose jobs it runs');
    const concurrency = rangeInt(flags, 'concurrency', 1, 1, 16);
    const lockSeconds = rangeInt(flags, 'lock-seconds', 30, 2, 600);
    const [{ parseRedisUrl }, { readWorkerSecret }, { startQueueWorker }] = await Promise.all([import('../../lab/queue/redis-url'), import('../../lab/queue/signing'), import('../../lab/queue/queue-worker')]);
    const target = parseRedisUrl(url);
    const secret = await readWorkerSecret(flags.string('secret-file'));
    const worker = await startQueueWorker({ target, secret, home: ctx.home(), concurrency, lockSeconds, log: (line) => ctx.io.err(`rlab worker: ${line}\n`) });
    let offInterrupt = (): void => undefined;
    const ended = await Promise.race([
      new Promise<{ signal: string }>((resolve) => {
        offInterrupt = ctx.onInterrupt((signal) => resolve({ signal }));
      }),
      worker.refused.then((error) => ({ error })),
    ]);
    offInterrupt();
    if ('error' in ended) {
      await worker.close();
      throw ended.error;
    }
    const { signal } = ended;
    // the jobs in hand are left to the queue: their claims lapse and another worker resumes them from their last epoch
    ctx.io.err(`rlab worker: ${signal}: stopping; the jobs it had go back to the queue after their claim lapses (${lockSeconds} s) (${os.hostname()})\n`);
    await worker.close();
    return signalExitCode(signal);
  },
};
