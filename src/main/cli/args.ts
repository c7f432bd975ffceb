// The CLI's own argument parser: --name value, --name=value, boolean switches, positionals; bad input is a UsageError (exit 2).

/** Bad command-line input: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface FlagSpec {
  /** Long name without dashes, e.g. 'batch-size'. */
  name: string;
  /** 'boolean' flags take no value (or =true / =false); 'string' flags need one. */
  type: 'string' | 'boolean';
  /** Placeholder shown in help, e.g. 'N' or 'l2|l1|infinity'. */
  value?: string;
  help: string;
  /** A string flag that may be given several times (`--grid a=1,2 --grid b=3`); read with Flags.all. */
  repeatable?: boolean;
}

export interface ParsedArgs {
  flags: Map<string, string | boolean>;
  positionals: string[];
  /** Every value of each repeatable flag, in the order given. */
  repeated?: Map<string, string[]>;
}

export function flagList(specs: readonly FlagSpec[]): string {
  return specs.map((s) => `--${s.name}`).join(', ');
}

/**
 * Parses argv against the command's flags. `--` ends flags; a lone `-` and anything not starting with `--` is a
 * positional, so negative numbers work as values (`--clip-min -1`). A flag given twice is an error rather than a
 * silent override.
 */
export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[], command: string): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const flags = new Map<string, string | boolean>();
  const repeated = new Map<string, string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg)) {
        throw new UsageError(`unknown flag ${arg} for "rlab ${command}"; flags are long (--name); valid flags: ${flagList(specs)}`);
      }
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = byName.get(name);
    if (!spec) throw new UsageError(`unknown flag --${name} for "rlab ${command}"; valid flags: ${flagList(specs)}`);
    if (flags.has(name) && spec.repeatable !== true) throw new UsageError(`--${name} is given more than once`);
    if (spec.type === 'boolean') {
      if (eq === -1) flags.set(name, true);
      else {
        const v = arg.slice(eq + 1);
        if (v !== 'true' && v !== 'false') throw new UsageError(`--${name} is a switch: give it alone, or as --${name}=true / --${name}=false (got "${v}")`);
        flags.set(name, v === 'true');
      }
      continue;
    }
    let value: string;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) throw new UsageError(`--${name} needs a value${spec.value ? ` (${spec.value})` : ''}`);
      value = next;
      i++;
    }
    flags.set(name, value);
    if (spec.repeatable === true) repeated.set(name, [...(repeated.get(name) ?? []), value]);
  }
  return { flags, positionals, repeated };
}

/** Typed reads of parsed flags; every failure names the flag. */
export class Flags {
  constructor(private readonly parsed: ParsedArgs) {}

  has(name: string): boolean {
    return this.parsed.flags.has(name);
  }

  string(name: string): string | undefined {
    const v = this.parsed.flags.get(name);
    return typeof v === 'string' ? v : undefined;
  }

  /** Every value of a repeatable flag, in order; [] when not given. */
  all(name: string): string[] {
    return [...(this.parsed.repeated?.get(name) ?? [])];
  }

  bool(name: string): boolean {
    return this.parsed.flags.get(name) === true;
  }

  /** A boolean switch, or undefined when not given (so presets keep their value). */
  optionalBool(name: string): boolean | undefined {
    const v = this.parsed.flags.get(name);
    return typeof v === 'boolean' ? v : undefined;
  }

  number(name: string): number | undefined {
    const s = this.string(name);
    return s === undefined ? undefined : toNumber(name, s);
  }

  int(name: string): number | undefined {
    const s = this.string(name);
    return s === undefined ? undefined : toInt(name, s);
  }

  numberList(name: string): number[] | undefined {
    const s = this.string(name);
    return s === undefined ? undefined : splitList(name, s).map((part) => toNumber(name, part));
  }

  intList(name: string): number[] | undefined {
    const s = this.string(name);
    return s === undefined ? undefined : splitList(name, s).map((part) => toInt(name, part));
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const s = this.string(name);
    if (s === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(s)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got "${s}")`);
    return s as T;
  }
}

function splitList(name: string, s: string): string[] {
  const parts = s.split(',').map((p) => p.trim());
  // An empty list is allowed only as the single value "" (e.g. --fc-units "" for no hidden layer).
  if (parts.length === 1 && parts[0] === '') return [];
  if (parts.some((p) => p === '')) throw new UsageError(`--${name} must be a comma-separated list of numbers, e.g. 32,64 (got "${s}")`);
  return parts;
}

function toNumber(name: string, s: string): number {
  const n = s.trim() === '' ? NaN : Number(s);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number (got "${s}")`);
  return n;
}

function toInt(name: string, s: string): number {
  const n = toNumber(name, s);
  if (!Number.isSafeInteger(n)) throw new UsageError(`--${name} must be a whole number (got "${s}")`);
  return n;
}

/** Exactly `count` positionals, named in the message when missing. */
export function positionals(parsed: ParsedArgs, names: readonly string[], command: string): string[] {
  if (parsed.positionals.length < names.length) {
    throw new UsageError(`"rlab ${command}" needs ${names.map((n) => `<${n}>`).join(' ')}`);
  }
  if (parsed.positionals.length > names.length) {
    throw new UsageError(`"rlab ${command}" takes ${names.length === 0 ? 'no arguments' : names.map((n) => `<${n}>`).join(' ')}; unexpected "${parsed.positionals[names.length]}"`);
  }
  return parsed.positionals;
}

/** The one positional of a command that takes a run id (`rlab resume <run_id>`, `rlab watch <run_id>`). */
export function runIdPositional(parsed: ParsedArgs, command: string): string {
  const [runId] = positionals(parsed, ['run_id'], command) as [string];
  if (!runId.startsWith('run_')) throw new UsageError(`<run_id> must be a run id like run_ab12cd (got "${runId}")`);
  return runId;
}
