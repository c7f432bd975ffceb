// Writes an experiment's report: report.json (everything) plus metrics.csv and evaluations.csv for pandas or a spreadsheet.
import path from 'node:path';
import { type ExperimentDetail, type RunDetail } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { writeFileAtomic } from '../data/atomic-fs';
import { toCsv, type CsvCell } from '../../../shared/csv';

export const REPORT_JSON = 'report.json';
export const METRICS_CSV = 'metrics.csv';
export const EVALUATIONS_CSV = 'evaluations.csv';

/** NSL's metric names come first, in the order Keras logs them; any others follow alphabetically. */
const METRIC_ORDER = ['loss', 'sparse_categorical_crossentropy', 'scaled_adversarial_loss', 'sparse_categorical_accuracy'];
const METRIC_FIXED = ['run_id', 'role', 'epoch', 'duration_ms'];

export const EVALUATION_COLUMNS = [
  'run_id', 'role', 'attack', 'norm', 'epsilon', 'steps', 'step_size', 'restarts', 'random_start', 'source_run_id', 'accuracy', 'count',
  // the rest of the complete spec, the 95% interval, the test subset and the sanity flags ("possibly overstated: …")
  'loss', 'targets', 'queries', 'p_init', 'attack_seed', 'correct', 'ci_low', 'ci_high', 'zero_grad_fraction', 'dataset', 'split_seed', 'indices_hash', 'flags',
  // empty for the run's saved model; the epoch whose checkpoint weights were evaluated otherwise
  'model_epoch',
] as const;

export interface ReportDocument {
  format: 'robustness-lab-report';
  version: 1;
  generatedAt: string;
  experiment: ExperimentDetail;
}

/** Every metric name any run logged, NSL's first. */
export function metricNames(runs: RunDetail[]): string[] {
  const names = new Set(runs.flatMap((r) => r.epochMetrics.flatMap((e) => Object.keys(e.metrics))));
  const known = METRIC_ORDER.filter((n) => names.has(n));
  const rest = [...names].filter((n) => !METRIC_ORDER.includes(n)).sort();
  return [...known, ...rest];
}

/** metrics.csv: run_id, role, epoch, one column per metric name (empty when a run did not log it), duration_ms. */
export function metricsCsv(runs: RunDetail[]): string {
  const names = metricNames(runs);
  // a metric that happens to share a fixed column's name keeps its own column, prefixed
  const header = ['run_id', 'role', 'epoch', ...names.map((n) => (METRIC_FIXED.includes(n) ? `metric_${n}` : n)), 'duration_ms'];
  const rows: CsvCell[][] = runs.flatMap((run) =>
    [...run.epochMetrics].sort((a, b) => a.epoch - b.epoch).map((e) => [run.id, run.role, e.epoch, ...names.map((n) => e.metrics[n]), e.durationMs]),
  );
  return toCsv(header, rows, '\n');
}

/** evaluations.csv: one row per evaluation (run × attack × ε), in the order they were made. */
export function evaluationsCsv(runs: RunDetail[]): string {
  const rows: CsvCell[][] = runs.flatMap((run) =>
    [...run.evaluations]
      .sort((a, b) => a.id - b.id)
      .map((ev) => [
        run.id, run.role, ev.attack, ev.norm, ev.epsilon, ev.steps, ev.stepSize, ev.restarts, ev.randomStart, ev.sourceRunId, ev.accuracy, ev.count,
        ev.spec?.loss ?? null, ev.spec?.targets ?? null, ev.spec?.queries ?? null, ev.spec?.pInit ?? null, ev.spec?.seed ?? null, ev.correct, ev.interval.low, ev.interval.high,
        ev.zeroGradFraction, ev.subset?.dataset ?? null, ev.subset?.splitSeed ?? null, ev.subset?.indicesHash ?? null, ev.flags.map((f) => f.reason).join(' | ') || null,
        ev.modelEpoch,
      ]),
  );
  return toCsv([...EVALUATION_COLUMNS], rows, '\n');
}

function checkDetail(detail: ExperimentDetail): void {
  if (typeof detail !== 'object' || detail === null || !Array.isArray(detail.runs)) throw new LabError('invalid_argument', 'experiment must be an ExperimentDetail with a runs list', 'experiment');
  for (const run of detail.runs) {
    if (!Array.isArray(run.epochMetrics) || !Array.isArray(run.evaluations)) {
      throw new LabError('invalid_argument', `run ${String(run.id)} must have epochMetrics and evaluations lists`, 'experiment');
    }
  }
}

/**
 * Writes report.json, metrics.csv and evaluations.csv into `outDir` (created if missing), each atomically.
 * report.json holds the whole ExperimentDetail: configs, engine records, per-epoch metrics, every evaluation
 * with its attack parameters and per-class accuracy. Returns the written paths.
 */
export async function writeReport(detail: ExperimentDetail, outDir: string): Promise<{ files: string[] }> {
  checkDetail(detail);
  if (typeof outDir !== 'string' || outDir.trim() === '') throw new LabError('invalid_argument', 'outDir must be a folder path', 'outDir');
  const dir = path.resolve(outDir);
  const doc: ReportDocument = { format: 'robustness-lab-report', version: 1, generatedAt: new Date().toISOString(), experiment: detail };
  const outputs: [string, string][] = [
    [path.join(dir, REPORT_JSON), `${JSON.stringify(doc, null, 2)}\n`],
    [path.join(dir, METRICS_CSV), metricsCsv(detail.runs)],
    [path.join(dir, EVALUATIONS_CSV), evaluationsCsv(detail.runs)],
  ];
  try {
    for (const [file, text] of outputs) await writeFileAtomic(file, text);
  } catch (err) {
    throw new LabError('io_error', `cannot write the report to ${dir}: ${err instanceof Error ? err.message : String(err)}`, 'outDir');
  }
  return { files: outputs.map(([file]) => file) };
}
