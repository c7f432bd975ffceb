// TensorFlow's C++ start-up lines in an engine worker's output: dropped unless RLAB_VERBOSE=1 (`rlab --verbose`);
// every other line, errors above all, passes through unchanged.
import { type Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

export const VERBOSE_ENV = 'RLAB_VERBOSE';

export function verboseFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[VERBOSE_ENV] === '1';
}

/** A worker's environment: when verbose, TF's log level drops to 0 (its info lines shown) unless one is set already. */
export function withVerboseLogLevel(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return verboseFromEnv(env) && env.TF_CPP_MIN_LOG_LEVEL === undefined ? { ...env, TF_CPP_MIN_LOG_LEVEL: '0' } : env;
}

// TF's log prefix: absl ("I0000 00:00:1796175631.269444   27269 cpu_feature_guard.cc:227] ", whose seconds count
// from zero when logging starts before absl knows the time) or the older "2024-05-01 12:00:00.000000: I tensorflow/core/util/port.cc:113] "
const TF_PREFIX = String.raw`(?:[IWE]\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ |\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWE] )\S+:\d+\] `;

/**
 * The lines TensorFlow prints while it loads, whatever the job, each matched in full: a line that merely mentions
 * one of these words is kept. Warnings about the job itself (an op falling back, memory running out) are not here.
 */
const STARTUP_LINES: readonly RegExp[] = [
  // absl's notice before TF initialises its logging
  /^WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR$/,
  // cpu_feature_guard.cc: the CPU has instructions the build does not use (two lines)
  new RegExp(`^${TF_PREFIX}This TensorFlow binary is optimized to use available CPU instructions in performance-critical operations\\.$`),
  /^To enable the following instructions: [A-Z0-9_ ]+, in other operations, rebuild TensorFlow with the appropriate compiler flags\.$/,
  // port.cc: oneDNN's numerics notice
  new RegExp(`^${TF_PREFIX}oneDNN custom operations are on\\. .*TF_ENABLE_ONEDNN_OPTS=0.*$`),
  // the CUDA build registering its plugins twice, TensorRT absent, NUMA unknown in containers, devices created
  new RegExp(`^${TF_PREFIX}Unable to register (?:cuDNN|cuFFT|cuBLAS) factory: Attempting to register factory for plugin \\w+ when one has already been registered$`),
  new RegExp(`^${TF_PREFIX}computation placer already registered\\. Please check linkage and avoid linking the same target more than once\\.$`),
  new RegExp(`^${TF_PREFIX}TF-TRT Warning: Could not find TensorRT$`),
  new RegExp(`^${TF_PREFIX}(?:Your kernel may have been built without NUMA support|successful NUMA node read from SysFS had negative value \\(-1\\).*)$`),
  new RegExp(`^${TF_PREFIX}Created device /job:localhost/replica:0/task:0/device:GPU:\\d+ with \\d+ MB memory: .*$`),
  new RegExp(`^${TF_PREFIX}MLIR V1 optimization pass is not enabled$`),
];

export function isStartupNoise(line: string): boolean {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  return STARTUP_LINES.some((re) => re.test(text));
}

/**
 * A sink for a worker's raw output: whole lines go on to `out` unless they are start-up noise (and `verbose` is
 * off); a last line without a newline is written as it is by end(), so nothing is lost when the process dies.
 */
export function startupNoiseFilter(out: Pick<Writable, 'write'>, verbose: boolean): { write(chunk: Buffer | string): void; end(): void } {
  let pending = '';
  // a UTF-8 character split across two chunks is joined before the text is split into lines
  const decoder = new StringDecoder('utf8');
  return {
    write(chunk) {
      const text = pending + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
      const lines = text.split('\n');
      pending = lines.pop()!;
      const kept = verbose ? lines : lines.filter((l) => !isStartupNoise(l));
      if (kept.length > 0) out.write(`${kept.join('\n')}\n`);
    },
    end() {
      pending += decoder.end();
      if (pending !== '' && (verbose || !isStartupNoise(pending))) out.write(pending);
      pending = '';
    },
  };
}

/** Sends a worker's output streams (stdout, stderr; absent ones are skipped) line by line through the filter to `out`. */
export function pipeWorkerOutput(streams: readonly (NodeJS.ReadableStream | null | undefined)[], out: Pick<Writable, 'write'>, verbose: boolean): void {
  for (const stream of streams) {
    if (!stream) continue;
    const filter = startupNoiseFilter(out, verbose);
    stream.on('data', (chunk: Buffer | string) => filter.write(chunk));
    stream.on('end', () => filter.end());
  }
}
