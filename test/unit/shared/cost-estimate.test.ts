import { describe, expect, it } from 'vitest';
import { attackPassesPerImage, DEFAULT_NS_PER_MAC, estimateExperiment, formatDuration, forwardMacs, trainingPassesPerImage } from '../../../src/shared/cost-estimate';
import { DefenceSchema } from '../../../src/shared/defences';
import { presetConfig } from '../../../src/shared/presets';
import { AttackSpecSchema, ExperimentConfigSchema } from '../../../src/shared/schemas';
import { plannedRunsOf } from '../../../src/main/lab/service/run-config';

describe('forwardMacs', () => {
  it("counts the tutorial CNN's multiply-adds layer by layer", () => {
    const c = ExperimentConfigSchema.parse(presetConfig('mnist-tutorial'));
    // conv 26·26·32·9·1 + conv 11·11·64·9·32 + conv 3·3·64·9·64 + dense 576·64 + dense 64·10
    expect(forwardMacs(c.hparams)).toBe(194_688 + 2_230_272 + 331_776 + 36_864 + 640);
    expect(forwardMacs({ ...c.hparams, model: 'mlp', numFcUnits: [100] })).toBe(784 * 100 + 100 * 10);
  });
});

describe('passes', () => {
  it('per training image follow the defence: inner steps, outer passes, a clean forward pass', () => {
    expect(trainingPassesPerImage({ method: 'standard' }, 1)).toBe(1);
    expect(trainingPassesPerImage({ method: 'nsl' }, 1)).toBe(2);
    expect(trainingPassesPerImage(DefenceSchema.parse({ method: 'pgd-at', steps: 10, stepSize: 0.075 }), 1)).toBeCloseTo(11 + 1 / 3, 12);
    expect(trainingPassesPerImage(DefenceSchema.parse({ method: 'mart', steps: 10, stepSize: 0.075 }), 1)).toBe(12);
  });

  it('per attacked image follow the resolved attack (an upper bound: no image leaves early)', () => {
    const a = (x: object) => AttackSpecSchema.parse({ norm: 'infinity', epsilons: [0.3], ...x });
    expect(attackPassesPerImage(a({ attack: 'fgsm' }), 0.3, 784, 10)).toBe(1);
    expect(attackPassesPerImage(a({ attack: 'pgd', steps: 20, restarts: 2 }), 0.3, 784, 10)).toBe(42);
    expect(attackPassesPerImage(a({ attack: 'apgd-t', targets: 3 }), 0.3, 784, 10)).toBe(303);
    expect(attackPassesPerImage(a({ attack: 'autoattack' }), 0.3, 784, 10)).toBeCloseTo(101 * 10 + 5000 / 3, 9);
  });
});

describe('estimateExperiment', () => {
  const config = ExperimentConfigSchema.parse({ ...presetConfig('quick'), attacks: [], seeds: [0, 1] });
  const planned = plannedRunsOf(config);

  it('adds up every run of every seed at the default laptop speed', () => {
    const e = estimateExperiment(config, planned);
    expect(e.basis).toBe('default');
    expect(e.nsPerMac).toBe(DEFAULT_NS_PER_MAC);
    expect(e.runs.map((r) => r.label)).toEqual(['base', 'adv', 'base', 'adv']);
    const pass = (forwardMacs(config.hparams) * 3 * DEFAULT_NS_PER_MAC) / 1e9;
    expect(e.runs[0]!.trainingSeconds).toBeCloseTo(1 * 1600 * 1 * pass, 9);
    expect(e.runs[1]!.trainingSeconds).toBeCloseTo(1 * 1600 * 2 * pass, 9);
    expect(e.trainingSeconds).toBeCloseTo(2 * 1600 * 3 * pass, 9);
    // only the clean pass over the test split when the suite is empty
    expect(e.runs[0]!.evaluationSecondsAtMost).toBeCloseTo(400 * pass, 9);
  });

  it('scales with a speed measured on the lab', () => {
    const e = estimateExperiment(config, planned, DEFAULT_NS_PER_MAC * 2);
    expect(e.basis).toBe('measured');
    expect(e.trainingSeconds).toBeCloseTo(2 * estimateExperiment(config, planned).trainingSeconds, 9);
  });

  it('reads as a person would say it', () => {
    expect(formatDuration(0.2)).toBe('about 1 s');
    expect(formatDuration(45)).toBe('about 45 s');
    expect(formatDuration(35 * 60)).toBe('about 35 min');
    expect(formatDuration(3 * 3600)).toBe('about 3.0 h');
  });
});
