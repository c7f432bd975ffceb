// What an experiment will cost before it starts: gradient passes from its config (model size × images × passes per
// batch for each defence, × attack iterations), turned into seconds by a speed measured on this lab's own finished
// runs, or by a default measured on a 2-core laptop when the lab has none.
import { resolveAttack } from './attacks';
import { gradientPassesPerStep, runDefence, type Defence } from './defences';
import { type AttackSpec, type ExperimentConfig, type HParams } from './schemas';

/**
 * Nanoseconds per multiply-add of a gradient pass (forward + backward ≈ 3 forward passes) on a 2-core machine: the
 * tutorial CNN (2.79 M multiply-adds per image) trained with PGD-AT (10 steps, batch 50) at 23–24 s per epoch of
 * 8,000 digits on native TensorFlow 2.21 (0.032 ns per multiply-add; the first engine took 52–56 s).
 */
export const DEFAULT_NS_PER_MAC = 0.032;

/** Multiply-adds of one forward pass of one image through the builders' architecture (conv/pool stack, then dense). */
export function forwardMacs(h: Pick<HParams, 'model' | 'inputShape' | 'numClasses' | 'convFilters' | 'kernelSize' | 'poolSize' | 'numFcUnits'>): number {
  let [height, width, channels] = h.inputShape;
  let macs = 0;
  if (h.model === 'cnn') {
    h.convFilters.forEach((filters, i) => {
      height -= h.kernelSize - 1;
      width -= h.kernelSize - 1;
      macs += height * width * filters * h.kernelSize * h.kernelSize * channels;
      channels = filters;
      if (i < h.convFilters.length - 1) {
        height = Math.floor(height / h.poolSize);
        width = Math.floor(width / h.poolSize);
      }
    });
  }
  let units = height * width * channels;
  for (const next of [...h.numFcUnits, h.numClasses]) {
    macs += units * next;
    units = next;
  }
  return macs;
}

/**
 * Gradient passes per training image of a run with this defence: PGD-AT and Fast-AT add the clean forward pass of
 * their metrics, TRADES the one of p(x) its inner loop holds constant (a forward pass ≈ ⅓ of a gradient pass).
 */
export function trainingPassesPerImage(defence: Defence, nslIterations: number): number {
  const passes = gradientPassesPerStep(defence, nslIterations);
  return defence.method === 'pgd-at' || defence.method === 'fast-at' || defence.method === 'trades' ? passes + 1 / 3 : passes;
}

/** Gradient passes per test image of one attack at one ε, if no image is fooled early (an upper bound). */
export function attackPassesPerImage(a: AttackSpec, epsilon: number, pixels: number, classes: number): number {
  const r = resolveAttack({ attack: a.attack, norm: a.norm, epsilon, steps: a.steps, stepSize: a.stepSize, randomStart: a.randomStart, restarts: a.restarts, targets: a.targets, queries: a.queries, pInit: a.pInit }, pixels, classes);
  // a Square query is one forward pass, a third of a gradient pass
  const square = (r.queries * r.restarts) / 3;
  switch (r.attack) {
    case 'fgsm':
      return 1;
    case 'pgd':
    case 'pgd-cw':
    case 'apgd-ce':
      return (r.steps + 1) * r.restarts;
    case 'apgd-t':
      return (r.steps + 1) * r.restarts * r.targets;
    case 'square':
      return square;
    case 'autoattack':
      return (r.steps + 1) * (1 + r.targets) + square;
  }
}

export interface RunEstimate {
  /** The run's name suffix: base or the defence label. */
  label: string;
  trainingSeconds: number;
  /** Attacks of the suite on this run, if every image survived every step (early exits make it cheaper). */
  evaluationSecondsAtMost: number;
}

export interface ExperimentEstimate {
  runs: RunEstimate[];
  trainingSeconds: number;
  evaluationSecondsAtMost: number;
  nsPerMac: number;
  /** Where the speed came from: this lab's finished runs, or the laptop default. */
  basis: 'measured' | 'default';
}

/** One seed's runs as (label, defence, NSL iterations); the plan of createExperiment, without building configs. */
export interface PlannedRun {
  label: string;
  config: { role: 'base' | 'adv'; defence?: Defence | undefined; advReg: { pgdIterations: number } };
}

/** Seconds for the experiment's runs (all seeds), at `nsPerMac` (default DEFAULT_NS_PER_MAC). */
export function estimateExperiment(config: ExperimentConfig, planned: readonly PlannedRun[], nsPerMac?: number): ExperimentEstimate {
  const speed = nsPerMac ?? DEFAULT_NS_PER_MAC;
  const h = config.hparams;
  const passSeconds = (forwardMacs(h) * 3 * speed) / 1e9;
  const pixels = h.inputShape.reduce((a, b) => a * b, 1);
  const testImages = (a: AttackSpec): number => Math.min(a.testSize ?? config.data.testSize, config.data.testSize);
  const evalPasses = config.attacks.reduce((sum, a) => sum + a.epsilons.reduce((s, e) => s + attackPassesPerImage(a, e, pixels, h.numClasses) * testImages(a), 0), 0) + config.data.testSize;
  const runs = config.seeds.flatMap(() =>
    planned.map((p) => ({
      label: p.label,
      trainingSeconds: h.epochs * config.data.trainSize * trainingPassesPerImage(runDefence(p.config), p.config.advReg.pgdIterations) * passSeconds,
      evaluationSecondsAtMost: evalPasses * passSeconds,
    })),
  );
  return {
    runs,
    trainingSeconds: runs.reduce((s, r) => s + r.trainingSeconds, 0),
    evaluationSecondsAtMost: runs.reduce((s, r) => s + r.evaluationSecondsAtMost, 0),
    nsPerMac: speed,
    basis: nsPerMac === undefined ? 'default' : 'measured',
  };
}

/** "about 35 min" / "about 40 s" / "about 2.5 h", for a person reading an estimate. */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `about ${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `about ${Math.round(seconds / 60)} min`;
  return `about ${(seconds / 3600).toFixed(1)} h`;
}

/** Where an estimate's speed came from, as a person reads it (the CLI and the form). */
export const ESTIMATE_BASIS_TEXT: Readonly<Record<ExperimentEstimate['basis'], string>> = {
  measured: "speed of this lab's finished runs",
  default: 'speed of a 2-core laptop; this lab has no finished runs to measure',
};

/** "training about 13 min, attacks at most about 2 min". */
export function estimateTotals(e: Pick<ExperimentEstimate, 'trainingSeconds' | 'evaluationSecondsAtMost'>): string {
  return `training ${formatDuration(e.trainingSeconds)}, attacks at most ${formatDuration(e.evaluationSecondsAtMost)}`;
}
