// The global --verbose flag: taken out of argv wherever it stands, and passed on as RLAB_VERBOSE=1 to the engine
// workers this process starts (they then show TensorFlow's start-up and info lines).
import { VERBOSE_ENV } from '../lab/worker/startup-noise';

/** argv without --verbose (only before a `--`, after which everything is a positional). */
export function takeVerboseFlag(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const end = argv.indexOf('--');
  const flags = end === -1 ? argv : argv.slice(0, end);
  if (!flags.includes('--verbose')) return [...argv];
  env[VERBOSE_ENV] = '1';
  return [...flags.filter((a) => a !== '--verbose'), ...(end === -1 ? [] : argv.slice(end))];
}
