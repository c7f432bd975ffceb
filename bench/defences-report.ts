// Folds the defence bench's interleaved rounds together and prints its tables: ms per step per defence, PGD-AT against
// TensorFlow Python graph mode, and PGD-AT's projected training time at the anchor's recipe.
import { ANCHOR, type DefenceBenchRow } from './defences-plan';
import { type PythonPgdAtResult, type Timing } from './defences-spawn';
import { type DefenceWorkerResult } from './defences-worker';

type Timed = Extract<DefenceWorkerResult, { status: 'timed' }>;

export interface RowOutcome {
  row: DefenceBenchRow;
  /** Median of the rounds' medians, min of their mins, worst tensor balance; absent when not built or failed. */
  timed?: Timed;
  notBuilt?: string;
  errors: string[];
}

export interface DefenceBenchReport {
  batchSize: number;
  rounds: number;
  warmup: number;
  machine: { cores: number; loadAverage: number };
  outcomes: RowOutcome[];
  /** The row name of the batch-32 PGD-AT row and of the anchor-recipe row. */
  pgdAtRow: string;
  anchorRow: string;
  python?: PythonPgdAtResult;
  pythonSkipped?: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Several rounds of one row: median of the medians, min of the mins, steps summed, the worst numTensors balance. */
export function mergeTimed(runs: Timed[]): Timed | undefined {
  if (runs.length === 0) return undefined;
  const worst = runs.reduce((a, b) => (b.numTensorsAfter - b.numTensorsBefore > a.numTensorsAfter - a.numTensorsBefore ? b : a));
  return {
    ...runs[0]!,
    medianMs: median(runs.map((r) => r.medianMs)),
    minMs: Math.min(...runs.map((r) => r.minMs)),
    steps: runs.reduce((n, r) => n + r.steps, 0),
    numTensorsBefore: worst.numTensorsBefore,
    numTensorsAfter: worst.numTensorsAfter,
  };
}

/** Python runs of several rounds, merged per config the same way. */
export function mergePythonRuns(runs: PythonPgdAtResult[]): PythonPgdAtResult | undefined {
  if (runs.length === 0) return undefined;
  const timings: Record<string, Timing> = {};
  for (const name of Object.keys(runs[0]!.timings)) {
    const ts = runs.map((r) => r.timings[name]).filter((t): t is Timing => t !== undefined);
    timings[name] = { medianMs: median(ts.map((t) => t.medianMs)), minMs: Math.min(...ts.map((t) => t.minMs)), steps: ts.reduce((n, t) => n + t.steps, 0) };
  }
  return { ...runs[0]!, timings };
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const ms = (v: number): string => v.toFixed(1);

/** "a/b" as "1.23×", or n/a. */
export function ratio(a: number | undefined, b: number | undefined): string {
  return a !== undefined && b !== undefined && b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a';
}

/** The defence's parameters that set its cost, in a few words. */
export function paramsOf(row: DefenceBenchRow): string {
  const d = row.config.defence!;
  const a = row.config.advReg;
  switch (d.method) {
    case 'standard':
      return '';
    case 'nsl':
      return `${a.advGradNorm} step ${a.advStepSize}${a.pgdIterations > 1 ? ` ×${a.pgdIterations} ε ${a.pgdEpsilon ?? '-'}${a.randomInit ? ' rand' : ''}` : ''}, mult ${a.multiplier}`;
    case 'pgd-at':
      return `${d.norm} ε ${d.epsilon}, ${d.steps}×${d.stepSize}${d.randomStart ? ', rand' : ''}`;
    case 'trades':
    case 'mart':
      return `${d.norm} ε ${d.epsilon}, ${d.steps}×${d.stepSize}, β ${d.beta}`;
    case 'fast-at':
      return `${d.norm} ε ${d.epsilon}, α ${d.alpha ?? 1.25 * d.epsilon}`;
  }
}

function stepRows(r: DefenceBenchReport): string[][] {
  return r.outcomes.map((o) => {
    const head = [o.row.name, String(o.row.config.hparams.batchSize), paramsOf(o.row), String(o.row.innerSteps), String(o.row.gradientPasses)];
    if (o.timed) {
      const t = o.timed;
      return [...head, ms(t.medianMs), ms(t.minMs), ms(t.minMs / o.row.gradientPasses), String(t.steps), `${t.numTensorsBefore} → ${t.numTensorsAfter}`];
    }
    return [...head, o.notBuilt !== undefined ? 'not built' : 'failed', '', '', '', ''];
  });
}

/** Projected training seconds for the anchor's epochs and images at `msPerStep`. */
export function projectedSeconds(msPerStep: number): { epochSeconds: number; trainingSeconds: number } {
  const batches = Math.ceil(ANCHOR.trainImages / ANCHOR.batchSize);
  const epochSeconds = (msPerStep * batches) / 1000;
  return { epochSeconds, trainingSeconds: epochSeconds * ANCHOR.epochs };
}

function pgdAtComparison(r: DefenceBenchReport): string[] {
  const out: string[] = [];
  const rows: string[][] = [];
  // standard training against TF's plain step for scale, then the two PGD-AT rows
  const pairs: [string, string][] = [['standard', `plain@${r.batchSize}`], [r.pgdAtRow, r.pgdAtRow], [r.anchorRow, r.anchorRow]];
  for (const [name, pyName] of pairs) {
    const o = r.outcomes.find((x) => x.row.name === name);
    const py = r.python?.timings[pyName];
    const lab = o?.timed;
    const labCells = lab ? [ms(lab.medianMs), ms(lab.minMs)] : [o === undefined ? 'not run' : o.notBuilt !== undefined ? 'not built' : 'failed', ''];
    const pyCells = py ? [ms(py.medianMs), ms(py.minMs)] : ['n/a', ''];
    const batch = o ? `${o.row.config.hparams.batchSize}` : '';
    const k = o ? `${o.row.innerSteps}` : '';
    rows.push([name, batch, k, ...labCells, ...pyCells, `${ratio(lab?.medianMs, py?.medianMs)} (${ratio(lab?.minMs, py?.minMs)})`]);
  }
  out.push('', 'The lab against TensorFlow Python graph mode (tf.function) doing the same step: same batch, same k, same run', table(['row', 'batch', 'k', 'lab median', 'lab min', 'TF median', 'TF min', 'lab / TF: median (min)'], rows));
  if (r.python) out.push(`TensorFlow ${r.python.tfVersion} Python (${r.python.python}), intra-op ${r.python.intraOpThreads}, inter-op ${r.python.interOpThreads} (0 = all cores)`);
  if (r.pythonSkipped) out.push(`TensorFlow Python: skipped (${r.pythonSkipped})`);

  const anchor = r.outcomes.find((x) => x.row.name === r.anchorRow);
  const batches = Math.ceil(ANCHOR.trainImages / ANCHOR.batchSize);
  out.push('', `Projected training time at the anchor's recipe (${ANCHOR.epochs} epochs × ${batches} batches of ${ANCHOR.batchSize} = ${ANCHOR.trainImages.toLocaleString('en-US')} digits; anchor: ${ANCHOR.trainingSeconds} s of training, TF 2.21 graph mode on a quiet machine)`);
  const projRows: string[][] = [];
  const proj = (label: string, t: { medianMs: number; minMs: number } | undefined): void => {
    if (!t) return;
    const med = projectedSeconds(t.medianMs);
    const min = projectedSeconds(t.minMs);
    projRows.push([label, ms(med.epochSeconds), ms(med.trainingSeconds), ms(min.epochSeconds), ms(min.trainingSeconds), `${ratio(med.trainingSeconds, ANCHOR.trainingSeconds)} (${ratio(min.trainingSeconds, ANCHOR.trainingSeconds)})`]);
  };
  proj('lab (tfjs-node)', anchor?.timed);
  proj('TF Python graph, this run', r.python?.timings[r.anchorRow]);
  const labAtAnchor = anchor?.timed;
  const tfAtAnchor = r.python?.timings[r.anchorRow];
  if (labAtAnchor && tfAtAnchor) {
    // the load of this run cancels in lab/TF: the anchor's seconds times that ratio is the lab's time on the anchor's machine state
    const scaled = (a: number, b: number): string => ms((ANCHOR.trainingSeconds * a) / b);
    projRows.push([`lab, at the anchor's pace (${ANCHOR.trainingSeconds} s × lab/TF of this run)`, '', scaled(labAtAnchor.medianMs, tfAtAnchor.medianMs), '', scaled(labAtAnchor.minMs, tfAtAnchor.minMs), `${ratio(labAtAnchor.medianMs, tfAtAnchor.medianMs)} (${ratio(labAtAnchor.minMs, tfAtAnchor.minMs)})`]);
  }
  if (projRows.length) out.push(table(['steps timed by', 's/epoch (median)', 's total (median)', 's/epoch (min)', 's total (min)', 'total / anchor: median (min)'], projRows));
  else out.push('(no timings at the anchor recipe)');
  out.push('Steps only: batch assembly, progress messages, checkpoints and evaluation are not included (the anchor\'s 264 s are training only).');
  return out;
}

export function formatDefenceReport(r: DefenceBenchReport): string {
  const out: string[] = [];
  const first = r.outcomes.find((o) => o.timed)?.timed;
  out.push(`Defences: ms per training step of the tutorial CNN (93,322 parameters), batch ${r.batchSize} unless noted; median and min after ${r.warmup} warm-up steps${r.rounds > 1 ? `, ${r.rounds} interleaved rounds (median of medians, min of mins)` : ''}`);
  out.push(`${first ? `${first.backend}${first.tfVersion ? ` ${first.tfVersion}` : ''}, ${first.threads} thread(s); ` : ''}${r.machine.cores} logical CPUs, load average ${r.machine.loadAverage.toFixed(1)} at start${r.machine.loadAverage > r.machine.cores ? ' (busy machine: timings are inflated, trust min over median)' : ''}`, '');
  out.push(table(['defence', 'batch', 'parameters', 'inner steps', 'grad passes', 'median', 'min', 'min/pass', 'steps', 'numTensors'], stepRows(r)));
  for (const o of r.outcomes) {
    if (o.notBuilt !== undefined) out.push(`${o.row.name}: not built (${o.notBuilt})`);
    if (o.errors.length) out.push(`${o.row.name}: FAILED ${o.errors.join('; ')}`);
  }
  const sources = [...new Set(r.outcomes.map((o) => o.row.source))];
  out.push(`Parameters from: ${sources.join(', ')}. The step runs at full ε (past any ε ramp); Fast-AT's per-epoch overfitting check is not part of a step.`);
  out.push(...pgdAtComparison(r));
  return out.join('\n');
}
