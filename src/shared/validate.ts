// Turns zod failures into LabErrors that name the field, say what is allowed and what was given.
import { type z } from 'zod';
import { LabError } from './errors';

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function show(v: unknown): string {
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (v === undefined) return 'nothing';
  let s: string | undefined;
  try {
    s = JSON.stringify(v);
  } catch {
    // cyclic or too deeply nested to print: name its kind only
    return Array.isArray(v) ? 'a list' : typeof v === 'object' && v !== null ? 'an object' : typeof v;
  }
  return s === undefined ? typeof v : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** One sentence per issue, e.g. `advStepSize must be > 0 (got -0.1)`. */
export function describeIssue(issue: z.core.$ZodIssue, input: unknown): { field: string; message: string } {
  const field = issue.path.map(String).join('.') || '(request)';
  const got = show(valueAt(input, issue.path));
  let rule: string;
  switch (issue.code) {
    case 'too_small':
      rule = `must be ${issue.inclusive === false ? '>' : '≥'} ${String(issue.minimum)}${issue.origin === 'array' ? ' items' : issue.origin === 'string' ? ' characters' : ''}`;
      break;
    case 'too_big':
      rule = `must be ${issue.inclusive === false ? '<' : '≤'} ${String(issue.maximum)}${issue.origin === 'array' ? ' items' : issue.origin === 'string' ? ' characters' : ''}`;
      break;
    case 'invalid_value':
      rule = `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
      break;
    case 'unrecognized_keys':
      return { field: [...issue.path.map(String), issue.keys[0] ?? ''].filter(Boolean).join('.'), message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${issue.path.length ? ` in ${issue.path.join('.')}` : ''}` };
    case 'invalid_type':
      rule = `must be ${issue.expected === 'number' ? 'a finite number' : /^[aeiou]/.test(issue.expected) ? `an ${issue.expected}` : `a ${issue.expected}`}`;
      break;
    case 'invalid_union':
      rule = 'has an unsupported value';
      break;
    default:
      rule = issue.message;
  }
  return { field, message: `${field} ${rule} (got ${got})` };
}

/** Parses with `schema` or throws a LabError('invalid_argument') whose message lists every problem. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.infer<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const described = r.error.issues.map((i) => describeIssue(i, input));
  const first = described[0]!;
  const field = prefix ? `${prefix}.${first.field}` : first.field;
  const message = described.map((d) => (prefix ? `${prefix}.${d.message}` : d.message)).join('; ');
  throw new LabError('invalid_argument', message, field);
}
