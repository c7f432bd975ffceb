// Expands a sweep into its cells: every combination of the axes' values (or a seeded random draw of them), each a
// complete experiment config validated by ExperimentConfigSchema, so a value a field cannot take is refused, naming
// the axis, before anything is stored or queued.
import { LabError } from './errors';
import { ExperimentConfigSchema, type ExperimentConfig } from './schemas';
import { DEFENCE_AXIS, SWEEP_CONFIRM_CELLS, SWEEP_DEFENCE_METHODS, SWEEP_MAX_CELLS, type AxisValue, type SweepAxis, type SweepSpec } from './sweep-spec';
import { describeIssue } from './validate';

export interface SweepCellPlan {
  /** Position in the full grid (row-major over the axes in order): the same cell has the same index in every plan. */
  index: number;
  /** The value of every axis, by path. */
  values: Record<string, AxisValue>;
  name: string;
  config: ExperimentConfig;
}

export interface SweepPlan {
  /** Cells of the whole grid. */
  gridSize: number;
  /** The cells to run: the grid, or the random draw from it, in grid order. */
  cells: SweepCellPlan[];
}

export const gridSizeOf = (axes: readonly Pick<SweepAxis, 'values'>[]): number => axes.reduce((n, a) => n * a.values.length, 1);

/** The axis values of grid cell `index`: the last axis varies fastest. */
export function cellValues(axes: readonly SweepAxis[], index: number): AxisValue[] {
  const out: AxisValue[] = new Array<AxisValue>(axes.length);
  let rest = index;
  for (let i = axes.length - 1; i >= 0; i--) {
    const n = axes[i]!.values.length;
    out[i] = axes[i]!.values[rest % n]!;
    rest = Math.floor(rest / n);
  }
  return out;
}

/** mulberry32: a small seeded generator, so the same randomSeed draws the same cells on every machine. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` distinct grid indices, sorted (a partial Fisher–Yates over a sparse map: no array the size of the grid). */
function drawIndices(gridSize: number, count: number, seed: number): number[] {
  const next = generator(seed);
  const swapped = new Map<number, number>();
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(next() * (gridSize - i));
    const at = swapped.get(j) ?? j;
    swapped.set(j, swapped.get(i) ?? i);
    out.push(at);
  }
  return out.sort((a, b) => a - b);
}

function fail(field: string, message: string): never {
  throw new LabError('invalid_argument', message, field);
}

/** A copy of `target` with `value` at `path` (objects and lists copied along the way; nothing else changes). */
function setAt(target: unknown, path: readonly string[], value: unknown, field: string, whole: string): unknown {
  if (path.length === 0) return value;
  const [key, ...rest] = path as [string, ...string[]];
  if (Array.isArray(target)) {
    const i = Number(key);
    if (!/^\d+$/.test(key) || i >= target.length) fail(field, `${whole} names item ${key} of a list of ${target.length}`);
    const copy = [...target];
    copy[i] = setAt(target[i], rest, value, field, whole);
    return copy;
  }
  if (target === null || typeof target !== 'object') fail(field, `${whole} goes inside a value that is not a group of fields`);
  return { ...(target as Record<string, unknown>), [key]: setAt((target as Record<string, unknown>)[key], rest, value, field, whole) };
}

/** What a path names in the complete base config: refuses groups and lists (an axis sets one value). */
function checkLeaf(base: ExperimentConfig, axis: SweepAxis, field: string): void {
  let cur: unknown = base;
  for (const key of axis.path.split('.')) {
    if (cur === null || typeof cur !== 'object') return;
    cur = (cur as Record<string, unknown>)[key];
  }
  if (cur !== null && typeof cur === 'object') {
    fail(field, `${axis.path} is not one number, text or true/false field: it is ${Array.isArray(cur) ? 'a list' : 'a group of fields'} (e.g. ${axis.path}.${Array.isArray(cur) ? '0' : Object.keys(cur)[0] ?? 'x'})`);
  }
}

function cellName(spec: SweepSpec, values: Record<string, AxisValue>): string {
  const parts = Object.entries(values).map(([path, v]) => `${path.split('.').pop()}=${String(v)}`);
  return `${spec.name} · ${parts.join(' ')}`.slice(0, 200);
}

/** One cell's config: the base with the defence axis applied first, then the others in order, then the seeds. */
function cellConfig(spec: SweepSpec, values: readonly AxisValue[]): { config: ExperimentConfig } | { axis: number; issue: string; unknownField: boolean } {
  let input: unknown = spec.base;
  const order = spec.axes.map((a, i) => i).sort((a, b) => Number(spec.axes[b]!.path === DEFENCE_AXIS) - Number(spec.axes[a]!.path === DEFENCE_AXIS));
  for (const i of order) {
    const axis = spec.axes[i]!;
    input = axis.path === DEFENCE_AXIS ? { ...(input as object), defences: [{ method: values[i] }] } : setAt(input, axis.path.split('.'), values[i], `spec.axes.${i}.path`, axis.path);
  }
  if (spec.seeds) input = { ...(input as object), seed: spec.seeds[0], seeds: spec.seeds };
  const r = ExperimentConfigSchema.safeParse(input);
  if (r.success) return { config: r.data };
  const issue = r.error.issues[0]!;
  const described = describeIssue(issue, input);
  // the field the issue names: for an unknown key, the key under its group (advReg.nope), not the group alone
  const dotted = described.field;
  const axis = spec.axes.findIndex((a) => (a.path === DEFENCE_AXIS ? dotted.startsWith('defences') : dotted === a.path || dotted.startsWith(`${a.path}.`) || a.path.startsWith(`${dotted}.`)));
  return { axis, issue: described.message, unknownField: issue.code === 'unrecognized_keys' };
}

/**
 * The cells of a sweep, each config complete and valid. Refuses, naming the field: an axis path that is no config
 * field, a value its field cannot take (found on the first cell that has it), a defence axis value that is no defence,
 * and a plan of more than SWEEP_CONFIRM_CELLS cells without `yes` (more than SWEEP_MAX_CELLS never).
 */
export function planSweep(spec: SweepSpec, opts: { yes?: boolean } = {}): SweepPlan {
  spec.axes.forEach((a, i) => {
    if (a.path === DEFENCE_AXIS) {
      const bad = a.values.findIndex((v) => !(SWEEP_DEFENCE_METHODS as readonly unknown[]).includes(v));
      if (bad >= 0) fail(`spec.axes.${i}.values.${bad}`, `${DEFENCE_AXIS} must be one of ${SWEEP_DEFENCE_METHODS.map((m) => `"${m}"`).join(', ')} (got ${JSON.stringify(a.values[bad])})`);
    } else checkLeaf(spec.base, a, `spec.axes.${i}.path`);
  });
  const gridSize = gridSizeOf(spec.axes);
  const count = Math.min(spec.random ?? gridSize, gridSize);
  if (count > SWEEP_MAX_CELLS) fail(spec.random === undefined ? 'spec.axes' : 'spec.random', `a sweep may run at most ${SWEEP_MAX_CELLS.toLocaleString('en')} cells; this one has ${count.toLocaleString('en')} (use fewer values, or random with a smaller count)`);
  if (count > SWEEP_CONFIRM_CELLS && opts.yes !== true) fail('yes', `this sweep has ${count.toLocaleString('en')} cells, more than ${SWEEP_CONFIRM_CELLS.toLocaleString('en')}: confirm with yes (--yes) or run fewer (random)`);
  const indices = count === gridSize ? Array.from({ length: gridSize }, (_, i) => i) : drawIndices(gridSize, count, spec.randomSeed);

  // each value is checked once, on the first cell that has it; a failing cell names its axis and value
  const cells: SweepCellPlan[] = [];
  for (const index of indices) {
    const values = cellValues(spec.axes, index);
    const built = cellConfig(spec, values);
    if ('issue' in built) {
      if (built.unknownField && built.axis >= 0) {
        const path = spec.axes[built.axis]!.path;
        fail(`spec.axes.${built.axis}.path`, `${path} is not a config field: ${built.issue} (fields are named as in \`rlab show <exp> --json\`'s config)`);
      }
      const at = built.axis >= 0 ? built.axis : 0;
      const valueAt = spec.axes[at]!.values.indexOf(values[at]!);
      const field = built.axis >= 0 ? `spec.axes.${at}.values.${valueAt}` : 'spec.axes';
      const where = built.axis >= 0 ? `${spec.axes[at]!.path} = ${JSON.stringify(values[at])}` : `the cell ${spec.axes.map((a, i) => `${a.path} = ${JSON.stringify(values[i])}`).join(', ')}`;
      fail(field, `${where} makes an invalid config: ${built.issue}`);
    }
    const named = Object.fromEntries(spec.axes.map((a, i) => [a.path, values[i]!]));
    const name = cellName(spec, named);
    const config = built.config;
    cells.push({ index, values: named, name, config: { ...config, name, tags: [...new Set([...config.tags, 'sweep'])].slice(0, 32) } });
  }
  return { gridSize, cells };
}
