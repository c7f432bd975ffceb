// Schema errors in the user's terms: config field names (hparams.batchSize, trainSize) rewritten as the flags that set them.
import { type z } from 'zod';
import { describeIssue } from '../../shared/validate';
import { UsageError } from './args';

/** Field path as zod reports it (e.g. 'hparams.batchSize') → flag (e.g. '--batch-size'). */
export type FieldFlags = Readonly<Record<string, string>>;

/**
 * The flag for a config field path; list items map to their list's flag, an entry without indices stands for every
 * item (`defences.epsilon` for `defences.0.epsilon`), and a service's bare names (`trainSize`) work too.
 */
export function flagForField(field: string | undefined, flags: FieldFlags): string | undefined {
  if (!field) return undefined;
  const bare = field.replace(/^config\./, '');
  const path = bare.split('.');
  while (path.length) {
    const flag = flags[path.join('.')] ?? flags[path.filter((p) => !/^\d+$/.test(p)).join('.')];
    if (flag) return flag;
    path.pop();
  }
  if (bare.includes('.')) return undefined;
  return Object.entries(flags).find(([k]) => k.endsWith(`.${bare}`))?.[1];
}

/**
 * Rewrites config field names in a message as flags: the leading field (`hparams.batchSize must be ≥ 1` →
 * `--batch-size must be ≥ 1`) and any camel-cased or dotted field named in the text (`trainSize + testSize`).
 * Plain words such as "model" or "name" are left alone because they also occur as prose.
 */
export function withFlagName(message: string, field: string | undefined, flags: FieldFlags): string {
  const flag = flagForField(field, flags);
  let out = message;
  let replacedLead = false;
  if (flag && field) {
    const bare = field.replace(/^config\./, '');
    for (const prefix of [field, bare, bare.split('.').slice(-1)[0]!]) {
      if (out.startsWith(`${prefix} `)) {
        out = `${flag} ${out.slice(prefix.length + 1)}`;
        replacedLead = true;
        break;
      }
    }
  }
  out = out.replace(/(?<![\w.-])[a-z][a-zA-Z0-9]*(?:\.[a-zA-Z0-9]+)*(?![\w-])/g, (word) => (/[A-Z.]/.test(word) ? (flagForField(word, flags) ?? word) : word));
  return flag && !replacedLead ? `${flag}: ${out}` : out;
}

/** Parses with the shared schema; the first problem becomes a UsageError (exit 2) that names the flag. */
export function checkWithFlags<S extends z.ZodType>(schema: S, input: unknown, flags: FieldFlags): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const { field, message } = describeIssue(parsed.error.issues[0]!, input);
  throw new UsageError(withFlagName(message, field, flags));
}
