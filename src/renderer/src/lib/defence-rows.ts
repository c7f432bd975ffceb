// One defence of the New-experiment form as typed text, and its translation to the request: an empty field is left
// out (so the method's default from src/shared/defences.ts applies), a field the method does not take is never sent,
// and the kind of each field (number, choice, on/off) and its placeholder are read off the method's own schema.
import { z } from 'zod';
import { DEFENCE_FIELDS, DEFENCE_METHODS, DefenceSchema, fastAtAlpha, PGD_NEIGHBOUR, type DefenceInput, type DefenceMethod } from '../../../shared/defences';

/** The methods the picker offers: `standard` is the base run (the "base" checkbox), never a defence entry. */
export const PICKER_METHODS = DEFENCE_METHODS.filter((m) => m !== 'standard');

/** NSL's advReg fields an NSL entry may replace for its own run, in display order. */
export const NSL_OVERRIDE_FIELDS = ['multiplier', 'advStepSize', 'advGradNorm', 'pgdIterations', 'pgdEpsilon', 'randomInit', 'clipValueMin', 'clipValueMax'] as const;
export type NslOverrideField = (typeof NSL_OVERRIDE_FIELDS)[number];

export { PGD_NEIGHBOUR } from '../../../shared/defences';

export interface DefenceRow {
  method: DefenceMethod;
  /** '' = the default name (defenceLabel). */
  label: string;
  /** Typed text per parameter, '' = the method's default; a choice holds its value, an on/off field 'on' or 'off'. */
  values: Record<string, string>;
  /** NSL only: the experiment's advReg fields this run replaces (same conventions); null = the experiment's own. */
  advReg: Record<NslOverrideField, string> | null;
}

export type FieldKind = { kind: 'number' } | { kind: 'choice'; options: readonly string[] } | { kind: 'switch' };

type MethodSchema = (typeof DefenceSchema.options)[number];

function schemaOf(method: DefenceMethod): MethodSchema {
  return DefenceSchema.options.find((s) => s.shape.method.value === method)!;
}

/** The zod type of a field, without its default or optional wrapper. */
function baseType(t: z.ZodType): z.ZodType {
  let s = t;
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
  return s;
}

/** The method's parameter fields (DEFENCE_FIELDS) that the form edits one by one (NSL's advReg has its own editor). */
export function paramFields(method: DefenceMethod): readonly string[] {
  return DEFENCE_FIELDS[method].filter((f) => f !== 'advReg');
}

export function fieldKind(method: DefenceMethod, field: string): FieldKind {
  const shape = schemaOf(method).shape as Record<string, z.ZodType>;
  const t = baseType(shape[field]!);
  if (t instanceof z.ZodBoolean) return { kind: 'switch' };
  if (t instanceof z.ZodEnum) return { kind: 'choice', options: t.options as readonly string[] };
  return { kind: 'number' };
}

/** The method's paper defaults: its schema's output for `{ method }`. */
export function methodDefaults(method: DefenceMethod): Record<string, unknown> {
  return schemaOf(method).parse({ method }) as Record<string, unknown>;
}

export const FIELD_LABELS: Record<string, string> = {
  norm: 'Norm',
  epsilon: 'ε (training)',
  steps: 'Inner steps',
  stepSize: 'Step size',
  randomStart: 'Random start',
  epsilonRampEpochs: 'ε ramp (epochs)',
  beta: 'β',
  alpha: 'α (FGSM step)',
  cyclicLr: 'Cyclic learning rate',
  lrMax: 'Peak learning rate',
  overfitGuard: 'Overfitting guard',
  overfitDrop: 'Guard: largest drop',
  multiplier: 'Multiplier',
  advStepSize: 'Step size',
  advGradNorm: 'Gradient norm',
  pgdIterations: 'PGD iterations',
  pgdEpsilon: 'PGD epsilon',
  randomInit: 'Random init',
  clipValueMin: 'Clip min',
  clipValueMax: 'Clip max',
};

export const NORM_LABELS: Record<string, string> = { infinity: 'L∞', l2: 'L2', l1: 'L1' };

export function fieldLabel(field: string): string {
  return FIELD_LABELS[field] ?? field;
}

/** A value as the form shows it. */
export function showValue(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  if (typeof v === 'string') return NORM_LABELS[v] ?? v;
  return v === undefined ? '' : String(v);
}

/** What an empty field means: the method's default, e.g. "40", or "1.25·ε = 0.375" for Fast-AT's α. */
export function defencePlaceholder(row: Pick<DefenceRow, 'method' | 'values'>, field: string): string {
  const d = methodDefaults(row.method)[field];
  if (d !== undefined) return showValue(d);
  if (row.method === 'fast-at' && field === 'alpha') {
    const typed = Number((row.values.epsilon ?? '').trim());
    const epsilon = (row.values.epsilon ?? '').trim() !== '' && Number.isFinite(typed) ? typed : (methodDefaults('fast-at').epsilon as number);
    return `1.25·ε = ${+fastAtAlpha({ alpha: undefined, epsilon }).toPrecision(6)}`;
  }
  return 'none';
}

/** Every parameter field of every method: a row keeps them all, so switching the method keeps what they share. */
const ALL_PARAM_FIELDS = [...new Set(DEFENCE_METHODS.flatMap((m) => paramFields(m)))];

function emptyValues(): Record<string, string> {
  return Object.fromEntries(ALL_PARAM_FIELDS.map((f) => [f, '']));
}

/** No override given: every field empty (the experiment's value applies). */
export function emptyOverrides(): Record<NslOverrideField, string> {
  return Object.fromEntries(NSL_OVERRIDE_FIELDS.map((f) => [f, ''])) as Record<NslOverrideField, string>;
}

export function newDefenceRow(method: DefenceMethod): DefenceRow {
  return { method, label: '', values: emptyValues(), advReg: null };
}

function textOf(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  return v === undefined ? '' : String(v);
}

/** A config's defence (e.g. a preset's) as a row; fields it leaves out stay empty. */
export function defenceRowOf(d: DefenceInput): DefenceRow {
  const values = emptyValues();
  const given = d as Record<string, unknown>;
  for (const f of paramFields(d.method)) if (given[f] !== undefined) values[f] = textOf(given[f]);
  let advReg: DefenceRow['advReg'] = null;
  if (d.method === 'nsl' && d.advReg) {
    const o = d.advReg as Record<string, unknown>;
    advReg = emptyOverrides();
    for (const f of NSL_OVERRIDE_FIELDS) if (o[f] !== undefined) advReg[f] = textOf(o[f]);
  }
  return { method: d.method, label: d.label ?? '', values, advReg };
}

/** One typed field as the request says it; NaN for text that is not a number, so the schema reports it. */
function valueOf(kind: FieldKind, text: string): unknown {
  if (kind.kind === 'switch') return text === 'on';
  if (kind.kind === 'choice') return text;
  return Number(text.trim());
}

const OVERRIDE_KINDS: Record<NslOverrideField, FieldKind> = {
  multiplier: { kind: 'number' },
  advStepSize: { kind: 'number' },
  advGradNorm: { kind: 'choice', options: ['infinity', 'l2', 'l1'] },
  pgdIterations: { kind: 'number' },
  pgdEpsilon: { kind: 'number' },
  randomInit: { kind: 'switch' },
  clipValueMin: { kind: 'number' },
  clipValueMax: { kind: 'number' },
};

export function overrideKind(field: NslOverrideField): FieldKind {
  return OVERRIDE_KINDS[field];
}

/** The row as the request says it: the method, the label if given, and only the fields this method takes that were filled in. */
export function defenceInputOf(r: DefenceRow): DefenceInput {
  const out: Record<string, unknown> = { method: r.method };
  if (r.label.trim() !== '') out.label = r.label.trim();
  for (const f of paramFields(r.method)) {
    const text = r.values[f] ?? '';
    if (text.trim() !== '') out[f] = valueOf(fieldKind(r.method, f), text);
  }
  if (r.method === 'nsl' && r.advReg !== null) {
    const o: Record<string, unknown> = {};
    for (const f of NSL_OVERRIDE_FIELDS) {
      const text = r.advReg[f] ?? '';
      if (text.trim() !== '') o[f] = valueOf(OVERRIDE_KINDS[f], text);
    }
    out.advReg = o;
  }
  return out as DefenceInput;
}

/** The PGD neighbour as an NSL row's override texts. */
export function pgdNeighbourTexts(): Record<NslOverrideField, string> {
  const out = emptyOverrides();
  for (const f of NSL_OVERRIDE_FIELDS) {
    const v = (PGD_NEIGHBOUR as Record<string, unknown>)[f];
    if (v !== undefined) out[f] = textOf(v);
  }
  return out;
}
