// The Experiments table's columns: which exist, which a person shows (the column picker, kept in localStorage), and
// the value of a hyperparameter column for a run. Hyperparameters come from what the run list carries (seed, planned
// epochs, the data and optimiser settings, the recorded defence and its parameters); pure functions, no DOM.
import { type RunSummary, type RunTraining } from '../../../shared/contract';
import { runDefenceText, defenceOfRun } from './run-defence';
import { num } from './format';

/** Hyperparameter columns, read off a RunSummary. */
export type HParamKey = TrainingKey | 'seed' | 'epochs' | 'defence' | 'norm' | 'epsilon' | 'steps' | 'stepSize' | 'beta';
/** Columns read off RunSummary.training. */
type TrainingKey = keyof RunTraining;
const TRAINING_KEYS: readonly TrainingKey[] = ['dataset', 'trainSize', 'testSize', 'batchSize', 'learningRate', 'optimizer'];
/** Every column but the run's name (always shown) and the row's actions. */
export type ColumnKey = 'status' | 'cleanAccuracy' | 'robustAccuracy' | 'deltaClean' | 'deltaRobust' | HParamKey | 'durationMs' | 'createdAt' | 'tags';

export interface ColumnDef {
  key: ColumnKey;
  label: string;
  /** Header tooltip: what the column holds. */
  title?: string;
  num?: boolean;
  /** 'hparam' columns are listed under Hyperparameters in the picker. */
  kind: 'run' | 'hparam';
  sortable: boolean;
  /** Shown until a person picks otherwise. */
  shown: boolean;
}

/** In table order. */
export const COLUMNS: readonly ColumnDef[] = [
  { key: 'status', label: 'Status', kind: 'run', sortable: true, shown: true },
  { key: 'cleanAccuracy', label: 'Clean acc', num: true, kind: 'run', sortable: true, shown: true, title: 'Accuracy on the clean test split after training' },
  { key: 'robustAccuracy', label: 'Robust acc', num: true, kind: 'run', sortable: true, shown: true, title: 'Headline robust accuracy' },
  { key: 'deltaClean', label: 'Δ clean', num: true, kind: 'run', sortable: true, shown: true, title: "adv − base: this run's clean accuracy minus its experiment's base run of the same seed (percentage points)" },
  { key: 'deltaRobust', label: 'Δ robust', num: true, kind: 'run', sortable: true, shown: true, title: "adv − base: this run's robust accuracy minus its experiment's base run of the same seed (percentage points)" },
  { key: 'seed', label: 'Seed', num: true, kind: 'hparam', sortable: true, shown: false, title: 'Training seed' },
  { key: 'epochs', label: 'Epochs', num: true, kind: 'hparam', sortable: true, shown: false, title: 'Planned epochs' },
  { key: 'dataset', label: 'Dataset', kind: 'hparam', sortable: true, shown: false, title: 'The dataset the run trained and was tested on' },
  { key: 'trainSize', label: 'Train images', num: true, kind: 'hparam', sortable: true, shown: false, title: 'Training images' },
  { key: 'testSize', label: 'Test images', num: true, kind: 'hparam', sortable: true, shown: false, title: 'Test images of the split (an attack may score a part of them)' },
  { key: 'batchSize', label: 'Batch', num: true, kind: 'hparam', sortable: true, shown: false, title: 'Batch size' },
  { key: 'learningRate', label: 'LR', num: true, kind: 'hparam', sortable: true, shown: false, title: 'Learning rate (before any decay)' },
  { key: 'optimizer', label: 'Optimizer', kind: 'hparam', sortable: true, shown: false, title: 'Optimizer' },
  { key: 'defence', label: 'Defence', kind: 'hparam', sortable: true, shown: false, title: 'What trained the run' },
  { key: 'norm', label: 'Norm', kind: 'hparam', sortable: true, shown: false, title: "The defence's threat model norm" },
  { key: 'epsilon', label: 'Defence ε', num: true, kind: 'hparam', sortable: true, shown: false, title: "The defence's training ε (NSL: its PGD ε when the run sets one)" },
  { key: 'steps', label: 'Steps', num: true, kind: 'hparam', sortable: true, shown: false, title: "The defence's inner-maximisation steps (Fast-AT: 1; NSL: its PGD iterations when the run sets them)" },
  { key: 'stepSize', label: 'Step size', num: true, kind: 'hparam', sortable: true, shown: false, title: "The defence's step (Fast-AT: α; NSL: its adversarial step when the run sets one)" },
  { key: 'beta', label: 'β', num: true, kind: 'hparam', sortable: true, shown: false, title: 'TRADES / MART trade-off β' },
  { key: 'durationMs', label: 'Duration', num: true, kind: 'run', sortable: true, shown: true },
  { key: 'createdAt', label: 'Created', kind: 'run', sortable: true, shown: true },
  { key: 'tags', label: 'Tags', kind: 'run', sortable: false, shown: true },
];

export const HPARAM_KEYS: readonly HParamKey[] = COLUMNS.filter((c) => c.kind === 'hparam').map((c) => c.key as HParamKey);
export const COLUMNS_STORAGE_KEY = 'rlab.runs.columns';
export const DEFAULT_COLUMNS: readonly ColumnKey[] = COLUMNS.filter((c) => c.shown).map((c) => c.key);

export const isHParamKey = (k: string): k is HParamKey => (HPARAM_KEYS as readonly string[]).includes(k);
const isTrainingKey = (k: HParamKey): k is TrainingKey => (TRAINING_KEYS as readonly string[]).includes(k);

/** The stored choice (a JSON list of column keys) in table order; missing, unreadable or hand-edited: what it can keep, else the defaults. */
export function parseColumnChoice(stored: string | null | undefined): ColumnKey[] {
  if (!stored) return [...DEFAULT_COLUMNS];
  let keys: unknown;
  try {
    keys = JSON.parse(stored);
  } catch {
    return [...DEFAULT_COLUMNS];
  }
  if (!Array.isArray(keys)) return [...DEFAULT_COLUMNS];
  return COLUMNS.filter((c) => keys.includes(c.key)).map((c) => c.key);
}

/** Shows or hides one column; the result is in table order, as parseColumnChoice returns it. */
export function toggleColumn(shown: readonly ColumnKey[], key: ColumnKey): ColumnKey[] {
  const next = shown.includes(key) ? shown.filter((k) => k !== key) : [...shown, key];
  return COLUMNS.filter((c) => next.includes(c.key)).map((c) => c.key);
}

/** Numeric columns are right-aligned in monospace. */
export const isNumericColumn = (key: ColumnKey): boolean => COLUMNS.some((c) => c.key === key && c.num === true);

export function visibleColumns(shown: readonly ColumnKey[]): ColumnDef[] {
  return COLUMNS.filter((c) => shown.includes(c.key));
}

/** A hyperparameter of a run as the table sorts it; null where the run has none or the run list does not carry it. */
export function hparamValue(run: RunSummary, key: HParamKey): number | string | null {
  if (key === 'seed') return run.seed;
  if (key === 'epochs') return run.epochs;
  if (key === 'defence') return runDefenceText(run);
  if (isTrainingKey(key)) return run.training?.[key] ?? null;
  const d = defenceOfRun(run);
  if (!d) return null;
  switch (d.method) {
    case 'standard':
      return null;
    case 'nsl': {
      // only what the run replaces of its experiment's advReg is in the run list (the experiment's own is not)
      const a = d.advReg ?? {};
      const values: Record<Exclude<HParamKey, TrainingKey | 'seed' | 'epochs' | 'defence'>, number | string | undefined> = {
        norm: a.advGradNorm,
        epsilon: a.pgdEpsilon,
        steps: a.pgdIterations,
        stepSize: a.advStepSize,
        beta: undefined,
      };
      return values[key] ?? null;
    }
    case 'fast-at': {
      const values = { norm: d.norm, epsilon: d.epsilon, steps: 1, stepSize: d.alpha ?? 1.25 * d.epsilon, beta: undefined };
      return values[key] ?? null;
    }
    case 'pgd-at':
      return { norm: d.norm, epsilon: d.epsilon, steps: d.steps, stepSize: d.stepSize, beta: null }[key];
    case 'trades':
    case 'mart':
      return { norm: d.norm, epsilon: d.epsilon, steps: d.steps, stepSize: d.stepSize, beta: d.beta }[key];
  }
}

const NORM_TEXT: Record<string, string> = { infinity: '∞', l2: 'L2', l1: 'L1' };

/** The cell text of a hyperparameter; "—" where there is none. */
export function hparamText(run: RunSummary, key: HParamKey): string {
  const v = hparamValue(run, key);
  if (v === null) return '—';
  if (key === 'norm' && typeof v === 'string') return NORM_TEXT[v] ?? v;
  return typeof v === 'number' ? num(v) : v;
}
