// Resolves an experiment's config into one RunConfig per role, and a run's attack suite into the worker's evaluation tasks.
import { type RunConfig, type RunRole } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { type AttackSpec, type ExperimentConfig } from '../../../shared/schemas';
import { resolveAttackSpec } from '../attacks/spec';
import { type EvalTask } from '../worker/protocol';

/** The base run trains the same model from the same seed and data, with the adversarial term off. */
export function runConfigFor(config: ExperimentConfig, role: RunRole): RunConfig {
  const run: RunConfig = {
    role,
    hparams: { ...config.hparams },
    advReg: { ...config.advReg, multiplier: role === 'base' ? 0 : config.advReg.multiplier },
    data: { ...config.data },
    seed: config.seed,
    attacks: config.attacks.map((a) => ({ ...a, epsilons: [...a.epsilons] })),
  };
  if (config.baseModelPath !== undefined) run.baseModelPath = config.baseModelPath;
  return run;
}

/** Pixels per example, for the l2 ε bound. */
function pixelsOf(config: Pick<RunConfig, 'hparams'>): number {
  return config.hparams.inputShape.reduce((a, b) => a * b, 1);
}

/**
 * Checks every attack of a config against the attack module's own rules (fgsm has one step, l2 ε within the image
 * diameter, ...), so a bad suite is refused when the experiment is created and not after training.
 */
export function checkAttackSuite(config: Pick<RunConfig, 'hparams' | 'attacks'>): void {
  const pixels = pixelsOf(config);
  config.attacks.forEach((a, i) => {
    a.epsilons.forEach((epsilon, j) => {
      try {
        resolveAttackSpec({ attack: a.attack, norm: a.norm, epsilon, steps: a.steps, stepSize: a.stepSize, randomStart: a.randomStart, restarts: a.restarts }, pixels);
      } catch (err) {
        const e = LabError.wrap(err, 'invalid_argument');
        const field = e.field === 'epsilon' ? `attacks.${i}.epsilons.${j}` : `attacks.${i}.${e.field ?? ''}`;
        throw new LabError(e.code, `attacks.${i}: ${e.message}`, field);
      }
    });
  });
}

/** Where a transfer source's model is, if it has one; the service answers from the store and the run folders. */
export interface SourceLookup {
  /** The experiment's base run id, or null when the experiment has none. */
  baseRunId: string | null;
  modelPathOf(runId: string): string | null;
  warn(message: string): void;
}

/** One task per (attack, ε), after clean accuracy; `source: 'base'` on the base run itself is white-box, and duplicates are dropped. */
export function evalTasksFor(runId: string, config: Pick<RunConfig, 'hparams' | 'attacks'>, sources: SourceLookup, withClean = true): EvalTask[] {
  const pixels = pixelsOf(config);
  const tasks: EvalTask[] = [];
  if (withClean) tasks.push({ attack: 'clean', norm: 'infinity', epsilon: 0, steps: 0, stepSize: null, randomStart: false, restarts: 1, sourceRunId: null, sourceModelPath: null, gallery: false });
  const seen = new Set<string>();
  for (const a of config.attacks) {
    const source = resolveSource(runId, a, sources);
    if (source === undefined) continue;
    for (const epsilon of a.epsilons) {
      const r = resolveAttackSpec({ attack: a.attack, norm: a.norm, epsilon, steps: a.steps, stepSize: a.stepSize, randomStart: a.randomStart, restarts: a.restarts }, pixels);
      const task: EvalTask = { attack: r.attack, norm: r.norm, epsilon: r.epsilon, steps: r.steps, stepSize: r.stepSize, randomStart: r.randomStart, restarts: r.restarts, sourceRunId: source?.runId ?? null, sourceModelPath: source?.modelPath ?? null, gallery: true };
      const key = JSON.stringify({ ...task, gallery: undefined, sourceModelPath: undefined });
      if (seen.has(key)) continue;
      seen.add(key);
      tasks.push(task);
    }
  }
  return tasks;
}

/** null = white-box; undefined = skip (source missing, with a warning). */
function resolveSource(runId: string, a: AttackSpec, sources: SourceLookup): { runId: string; modelPath: string } | null | undefined {
  if (a.source === 'self') return null;
  const sourceId = a.source === 'base' ? sources.baseRunId : a.source;
  if (sourceId === null) {
    sources.warn(`${runId}: skipped the ${a.attack} transfer attack from the base run: the experiment has no base run`);
    return undefined;
  }
  if (sourceId === runId) return null;
  const modelPath = sources.modelPathOf(sourceId);
  if (modelPath === null) {
    sources.warn(`${runId}: skipped the ${a.attack} transfer attack from ${sourceId}: that run has no trained model`);
    return undefined;
  }
  return { runId: sourceId, modelPath };
}
