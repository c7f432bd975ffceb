// `npm run bench:defences`: ms per training step of every defence (standard, NSL tutorial, NSL with a PGD neighbour,
// PGD-AT, TRADES, MART, Fast-AT) on the tutorial CNN, through the lab's own makeTrainingStep on native TensorFlow;
// PGD-AT also against TensorFlow Python graph mode doing the same step in the same run, and at the anchor's recipe
// (batch 50, 10 steps) projected to the anchor's 12 epochs. A benchmark: it prints, never asserts.
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { anchorRow, DEFENCE_PRESETS, type DefencePreset, defenceRows, pythonTwin, type DefenceBenchRow } from './defences-plan';
import { type DefenceBenchReport, formatDefenceReport, mergePythonRuns, mergeTimed, type RowOutcome } from './defences-report';
import { locatePython, type PythonPgdAtConfig, type PythonPgdAtResult, runDefenceWorker, runPythonPgdAt } from './defences-spawn';
import { type DefenceWorkerResult } from './defences-worker';

const USAGE = `npm run bench:defences -- [--steps 10] [--warmup 2] [--batch 32] [--rounds 1] [--only pgd-at,trades]
                              [--preset ${DEFENCE_PRESETS.join('|')}] [--python PATH | --no-python] [--json results.json]
  --preset  whose defence parameters to time (default ${DEFENCE_PRESETS[0]}; the model is always the tutorial CNN)
  --rounds  repeat every process this many times, interleaved (busy machines); medians of medians, mins of mins
  --only    time only the rows whose name starts with one of these (the anchor-recipe row is "pgd-at (anchor recipe)")
  --python  a Python with TensorFlow 2.x (default: scripts/fixtures/.venv, made by \`npm run fixtures:nsl\`, then python3)`;

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be an integer >= 1 (got ${raw})\n${USAGE}`);
  return n;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string' },
      warmup: { type: 'string' },
      batch: { type: 'string' },
      rounds: { type: 'string' },
      only: { type: 'string' },
      preset: { type: 'string', default: DEFENCE_PRESETS[0] },
      python: { type: 'string' },
      'no-python': { type: 'boolean', default: false },
      json: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) { console.log(USAGE); return; }
  const steps = positive('steps', values.steps, 10);
  const warmup = positive('warmup', values.warmup, 2);
  const batchSize = positive('batch', values.batch, 32);
  const rounds = positive('rounds', values.rounds, 1);

  const preset = values.preset as DefencePreset;
  if (!DEFENCE_PRESETS.includes(preset)) throw new Error(`--preset must be one of ${DEFENCE_PRESETS.join(', ')} (got ${values.preset})\n${USAGE}`);
  const all = defenceRows(batchSize, preset);
  const pgdAt = all.find((r) => r.config.defence?.method === 'pgd-at')!;
  const anchor = anchorRow();
  const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
  const rows: DefenceBenchRow[] = [...all, anchor].filter((r) => !only || only.some((p) => r.name.startsWith(p)));
  if (rows.length === 0) throw new Error(`--only ${values.only} matches no row (rows: ${[...all, anchor].map((r) => r.name).join(', ')})`);

  const report: DefenceBenchReport = { batchSize, rounds, warmup, machine: { cores: os.availableParallelism(), loadAverage: os.loadavg()[0]! }, outcomes: [], pgdAtRow: pgdAt.name, anchorRow: anchor.name };
  let python: string | undefined;
  if (values['no-python']) report.pythonSkipped = '--no-python';
  else {
    const found = locatePython(values.python);
    python = found.python;
    if (!python) report.pythonSkipped = found.why;
  }
  const twins: PythonPgdAtConfig[] = [];
  for (const r of [pgdAt, anchor].filter((x) => rows.includes(x))) {
    const twin = pythonTwin(r);
    if ('why' in twin) report.pythonSkipped = twin.why;
    else twins.push(twin);
  }
  const plainBatchSizes = rows.some((r) => r.name === 'standard') ? [batchSize] : [];

  // Rounds interleave every process (one per row, then TF Python), so that load from other processes on the
  // machine spreads over all of them instead of penalising whichever ran during a burst.
  const results = new Map<string, DefenceWorkerResult[]>(rows.map((r) => [r.name, []]));
  const errors = new Map<string, string[]>(rows.map((r) => [r.name, []]));
  const pythonRuns: PythonPgdAtResult[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const r of rows) {
      // a step that is not built stays not built: no point asking again
      if (results.get(r.name)!.some((x) => x.status === 'not built')) continue;
      console.error(`[bench:defences] round ${round}/${rounds} · ${r.name} ...`);
      try {
        results.get(r.name)!.push(await runDefenceWorker({ name: r.name, config: r.config, progress: r.progress, warmup, steps }));
      } catch (err) {
        errors.get(r.name)!.push(errorText(err));
      }
    }
    if (!python || (twins.length === 0 && plainBatchSizes.length === 0)) continue;
    console.error(`[bench:defences] round ${round}/${rounds} · TensorFlow Python graph mode (${python}) ...`);
    try {
      pythonRuns.push(await runPythonPgdAt(python, { warmup, steps, configs: twins, plainBatchSizes }));
    } catch (err) {
      report.pythonSkipped = errorText(err);
      python = undefined;
    }
  }

  for (const r of rows) {
    const got = results.get(r.name)!;
    const notBuilt = got.find((x) => x.status === 'not built');
    const outcome: RowOutcome = { row: r, errors: errors.get(r.name)! };
    const timed = mergeTimed(got.flatMap((x) => (x.status === 'timed' ? [x] : [])));
    if (timed) outcome.timed = timed;
    if (notBuilt?.status === 'not built') outcome.notBuilt = notBuilt.why;
    report.outcomes.push(outcome);
  }
  const mergedPython = mergePythonRuns(pythonRuns);
  if (mergedPython) report.python = mergedPython;

  console.log(formatDefenceReport(report));
  if (values.json) fs.writeFileSync(values.json, JSON.stringify(report, null, 2));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
