// A LabService host in its own process for the input-bomb test: it feeds the service each hostile input named on the
// command line and prints, per case, the refusal and this process's peak resident memory (VmHWM) so far.
import { readFileSync, writeFileSync } from 'node:fs';
import { createLabService } from '../../../../../src/main/lab/service/service';

interface Case {
  name: string;
  method: 'importDataset' | 'importModel' | 'createExperiment';
  request: unknown;
}

/** A field of /proc/self/status in kB: VmHWM (peak resident set size) or VmRSS (current), the kernel's own accounting. */
function statusKb(field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  if (!m) throw new Error(`no ${field} in /proc/self/status`);
  return Number(m[1]);
}

/**
 * Starts a fresh peak: writing 5 to clear_refs resets VmHWM to the current RSS (Linux ≥ 4.0), so what start-up
 * allocated and freed cannot hide a case's growth. Returns the new baseline.
 */
function resetPeak(): number {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // not allowed here: the baseline is then the start-up peak, a weaker but still valid bound
  }
  return statusKb('VmHWM');
}

const [home, casesJson] = process.argv.slice(2) as [string, string];
const cases = JSON.parse(casesJson) as Case[];
const lab = await createLabService({ home });
// warm up what every case needs (the bundled sample is converted on first listing) before taking the baseline
await lab.listDatasets({});
const results: unknown[] = [];
let baselineKb = 0;
for (const c of cases) {
  const caseBaselineKb = resetPeak();
  baselineKb = Math.max(baselineKb, caseBaselineKb);
  const call = lab[c.method] as (req: unknown) => Promise<unknown>;
  const outcome = await call(c.request).then(
    () => ({ ok: true as const }),
    (err: unknown) => ({ ok: false as const, code: (err as { code?: string }).code, field: (err as { field?: string }).field, message: (err as Error).message }),
  );
  results.push({ name: c.name, ...outcome, baselineKb: caseBaselineKb, peakKb: statusKb('VmHWM') });
}
const runs = await lab.listRuns({});
await lab.close();
process.stdout.write(`${JSON.stringify({ baselineKb, results, runs: runs.length })}\n`);
