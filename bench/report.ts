// Plain-text tables and ratios for the benchmark's results.
import { type PythonResult, type PythonTiming } from './spawn';
import { LAB_ADV, LAB_PLAIN } from './steps';
import { type VariantResult, type WorkerResult } from './worker';

export interface BenchReport {
  batchSize: number;
  /** Interleaved repetitions of every process (see bench/merge.ts). */
  rounds: number;
  /** Logical CPUs and 1-minute load average when the run started: timings on a busy machine are not comparable. */
  machine: { cores: number; loadAverage: number };
  workers: { label: string; result?: WorkerResult; error?: string }[];
  python?: PythonResult;
  pythonSkipped?: string;
  threadSweep?: { label: string; result?: WorkerResult; python?: PythonResult; error?: string }[];
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const ms = (v: number): string => v.toFixed(1);

function variant(r: WorkerResult | undefined, name: string): VariantResult | undefined {
  return r?.variants.find((v) => v.name === name);
}

function ratio(a: number | undefined, b: number | undefined): string {
  return a !== undefined && b !== undefined && b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a';
}

/** "median-ratio (min-ratio)": on a shared machine the min is the better estimate of the undisturbed cost. */
function ratios(a: { medianMs: number; minMs: number } | undefined, b: { medianMs: number; minMs: number } | undefined): string {
  return `${ratio(a?.medianMs, b?.medianMs)} (${ratio(a?.minMs, b?.minMs)})`;
}

function stepRows(r: BenchReport): string[][] {
  const rows: string[][] = [];
  for (const w of r.workers) {
    for (const v of w.result?.variants ?? []) {
      rows.push([`${w.label} · ${v.name}`, ms(v.medianMs), ms(v.minMs), String(v.steps), v.kernelsPerStep === null ? '-' : String(v.kernelsPerStep), `${v.numTensorsBefore} → ${v.numTensorsAfter}`]);
    }
  }
  if (r.python) {
    const p = r.python;
    const named: [string, PythonTiming][] = [['graph plain', p.graph_plain], ['graph adversarial', p.graph_adversarial], ['eager plain', p.eager_plain], ['eager adversarial', p.eager_adversarial]];
    for (const [name, t] of named) rows.push([`TF ${p.tfVersion} Python · ${name}`, ms(t.medianMs), ms(t.minMs), String(t.steps), '', '']);
  }
  return rows;
}

export function formatReport(r: BenchReport): string {
  const out: string[] = [];
  out.push(`Tutorial CNN (93,322 parameters), batch ${r.batchSize}, ms per training step (median and min after warm-up${r.rounds > 1 ? `, ${r.rounds} interleaved rounds` : ''})`);
  out.push(`${r.machine.cores} logical CPUs, load average ${r.machine.loadAverage.toFixed(1)} at start${r.machine.loadAverage > r.machine.cores ? ' (busy machine: timings are inflated, trust min over median)' : ''}`, '');
  out.push(table(['backend · step', 'median', 'min', 'steps', 'kernels', 'numTensors'], stepRows(r)));
  for (const w of r.workers) {
    if (w.result) out.push(`${w.label}: ${w.result.backend}${w.result.tfVersion ? ` ${w.result.tfVersion}` : ''}, ${w.result.threads} thread(s), ${w.result.opOverheadMicros.toFixed(1)} µs per small eager op`);
    if (w.error) out.push(`${w.label}: FAILED ${w.error}`);
  }
  if (r.pythonSkipped) out.push(`TensorFlow Python: skipped (${r.pythonSkipped})`);

  const native = r.workers.find((w) => w.result?.backend === 'tensorflow')?.result;
  const others = r.workers.filter((x) => x.result && x.result.backend !== 'tensorflow');
  const rows: string[][] = [];
  for (const [label, name, key] of [['plain step', LAB_PLAIN.name, 'graph_plain'], ['adversarial step', LAB_ADV.name, 'graph_adversarial']] as const) {
    const nat = variant(native, name);
    const row: string[] = [label, r.python ? ratios(nat, r.python[key]) : 'n/a'];
    for (const w of others) row.push(ratios(variant(w.result, name), nat));
    rows.push(row);
  }
  out.push('', 'Ratios of medians (of mins)', table(['step', 'native tfjs / TF graph', ...others.map((w) => `${w.label} / native tfjs`)], rows));

  if (r.threadSweep?.length) {
    const sweepRows = r.threadSweep.map((s) => {
      if (s.error) return [s.label, 'failed', '', '', '', '', ''];
      const plain = s.result ? variant(s.result, LAB_PLAIN.name) : s.python?.graph_plain;
      const adv = s.result ? variant(s.result, LAB_ADV.name) : s.python?.graph_adversarial;
      const cell = (t: { medianMs: number; minMs: number } | undefined): [string, string] => (t ? [ms(t.medianMs), ms(t.minMs)] : ['', '']);
      return [s.label, ...cell(plain), ...cell(adv), s.result ? String(s.result.threads) : String(s.python?.intraOpThreads ?? ''), s.result ? s.result.opOverheadMicros.toFixed(1) : ''];
    });
    out.push('', 'Thread and oneDNN settings (ms per step)', table(['setting', 'plain median', 'plain min', 'adv median', 'adv min', 'threads', 'µs/op'], sweepRows));
    for (const s of r.threadSweep) if (s.error) out.push(`${s.label}: FAILED ${s.error}`);
  }
  return out.join('\n');
}
