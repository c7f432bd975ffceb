// estimateExperiment's speed: measured on the lab's own finished runs (real SQLite store), the laptop default without.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_NS_PER_MAC, forwardMacs } from '../../../../../src/shared/cost-estimate';
import { ExperimentConfigSchema } from '../../../../../src/shared/schemas';
import { CALIBRATION_SIZE_FACTOR, estimateMethod, measuredNsPerMac } from '../../../../../src/main/lab/service/estimate';
import { plannedRunsOf } from '../../../../../src/main/lab/service/run-config';
import { type Store } from '../../../../../src/main/lab/store';
import { cleanup, makeTempDir, openTemp } from '../store/helpers';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = makeTempDir();
  store = openTemp(dir);
});
afterEach(() => {
  store.close();
  cleanup(dir);
});

const config = ExperimentConfigSchema.parse({ hparams: { epochs: 2 }, data: { trainSize: 1000, testSize: 100 }, defences: [{ method: 'pgd-at', steps: 5, stepSize: 0.06 }] });

/** Stores the experiment and finishes its runs with epochs that took `msPerEpoch` each. */
function finished(msPerEpoch: number[], of = config): string[] {
  const created = store.createExperiment(of, plannedRunsOf(of).map((p) => ({ role: p.role, name: p.label, config: p.config })));
  return created.runs.map((r, i) => {
    store.setRunStatus(r.id, 'running');
    for (const epoch of [1, 2]) store.recordEpoch(r.id, epoch, { loss: 1 }, msPerEpoch[i]!, []);
    store.setRunStatus(r.id, 'completed');
    return r.id;
  });
}

describe('measuredNsPerMac', () => {
  it('is undefined on a lab without finished runs, and the estimate then says it used the default', () => {
    expect(measuredNsPerMac(store, forwardMacs(config.hparams))).toBeUndefined();
    const e = estimateMethod(store)({ config });
    expect(e.basis).toBe('default');
    expect(e.nsPerMac).toBe(DEFAULT_NS_PER_MAC);
  });

  it("divides the runs' epoch time by the multiply-adds their defence needed (median over runs)", () => {
    const macs = 3 * forwardMacs(config.hparams);
    // base: 1 pass per image; pgd-at with 5 steps: 6 passes + a clean forward pass (⅓)
    const base = (2 * 1000 * 1 * macs * 0.2) / 1e6;
    const pgd = (2 * 1000 * (6 + 1 / 3) * macs * 0.2) / 1e6;
    finished([base / 2, pgd / 2]);
    expect(measuredNsPerMac(store, forwardMacs(config.hparams))).toBeCloseTo(0.2, 9);
    const e = estimateMethod(store)({ config });
    expect(e.basis).toBe('measured');
    expect(e.runs.map((r) => r.label)).toEqual(['base', 'pgd-at']);
    expect(e.runs[1]!.trainingSeconds).toBeCloseTo(pgd / 1000, 6);
  });

  it('measures only on models of a like size: a tiny model\'s per-operation overhead says nothing of a large one', () => {
    const tiny = ExperimentConfigSchema.parse({ ...config, hparams: { epochs: 2, convFilters: [4], numFcUnits: [4] } });
    const ratio = forwardMacs(config.hparams) / forwardMacs(tiny.hparams);
    expect(ratio).toBeGreaterThan(CALIBRATION_SIZE_FACTOR);
    // the tiny runs took 50× the laptop speed per multiply-add
    const macs = 3 * forwardMacs(tiny.hparams);
    finished([(2 * 1000 * macs * DEFAULT_NS_PER_MAC * 50) / 1e6 / 2, (2 * 1000 * (6 + 1 / 3) * macs * DEFAULT_NS_PER_MAC * 50) / 1e6 / 2], tiny);
    expect(measuredNsPerMac(store, forwardMacs(tiny.hparams))).toBeCloseTo(DEFAULT_NS_PER_MAC * 50, 9);
    expect(measuredNsPerMac(store, forwardMacs(config.hparams))).toBeUndefined();
    expect(estimateMethod(store)({ config })).toMatchObject({ basis: 'default', nsPerMac: DEFAULT_NS_PER_MAC });
    // a like-sized run counts again
    finished([1, 1]);
    expect(estimateMethod(store)({ config }).basis).toBe('measured');
  });

  it('refuses a config whose runs cannot be planned, naming the field under config', () => {
    const bad = ExperimentConfigSchema.parse({ advReg: { clipValueMin: 0, clipValueMax: 1 }, defences: [{ method: 'nsl', advReg: { clipValueMin: 2 } }] });
    expect(() => estimateMethod(store)({ config: bad })).toThrow("config.defences.0.advReg.clipValueMax must be ≥ clipValueMin (2)");
  });
});
