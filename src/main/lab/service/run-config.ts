// Resolves an experiment's config into one RunConfig per role, and a run's attack suite into the worker's evaluation tasks.
import { type RunConfig, type RunRole } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { parseOrThrow } from '../../../shared/validate';
import { defenceLabel, type Defence } from '../../../shared/defences';
import { AdvRegSchema, type AttackSpec, type ExperimentConfig } from '../../../shared/schemas';
import { resolveAttack, type ResolvedAttack } from '../../../shared/attacks';
import { type EvalTask } from '../worker/protocol';
import { CLEAN_TASK } from '../worker/tasks';
import { type EvaluateRequestParsed } from './payloads';

/**
 * The base run trains the same model from the same seed and data, with the adversarial term off (standard training);
 * an adv run trains with `defence` (default the config's first). An NSL defence's advReg fields replace the
 * experiment's for that run; every other defence records multiplier 0, since NSL's term is not what trains it.
 */
export function runConfigFor(config: ExperimentConfig, role: RunRole, defence: Defence = config.defences[0]!, index = 0): RunConfig {
  const own: Defence = role === 'base' ? { method: 'standard' } : defence;
  const advReg = own.method === 'nsl' ? parseOrThrow(AdvRegSchema, { ...config.advReg, ...own.advReg }, `defences.${index}.advReg`) : { ...config.advReg, multiplier: 0 };
  // an NSL run's overrides live in its advReg; the recorded defence keeps the method and label
  const recorded: Defence = own.method === 'nsl' ? { method: 'nsl', ...(own.label === undefined ? {} : { label: own.label }) } : own;
  const run: RunConfig = {
    role,
    hparams: { ...config.hparams },
    advReg,
    defence: recorded,
    data: { ...config.data },
    seed: config.seed,
    attacks: config.attacks.map((a) => ({ ...a, epsilons: [...a.epsilons] })),
  };
  if (config.baseModelPath !== undefined) run.baseModelPath = config.baseModelPath;
  return run;
}

/** One seed's runs, in queue order: the base run first (the adv runs' transfer attacks need it), then one per defence. */
export function plannedRunsOf(config: ExperimentConfig): { role: RunRole; label: string; config: RunConfig }[] {
  const out: { role: RunRole; label: string; config: RunConfig }[] = [];
  if (config.runs.includes('base')) out.push({ role: 'base', label: 'base', config: runConfigFor(config, 'base') });
  if (config.runs.includes('adv')) config.defences.forEach((d, i) => out.push({ role: 'adv', label: defenceLabel(d), config: runConfigFor(config, 'adv', d, i) }));
  return out;
}

/** Pixels per example (the l2 ε bound) and classes (apgd-t's targets bound) of the run's model. */
function modelShape(config: Pick<RunConfig, 'hparams'>): { pixels: number; classes: number } {
  return { pixels: config.hparams.inputShape.reduce((a, b) => a * b, 1), classes: config.hparams.numClasses };
}

/**
 * The one place an attack of a suite is resolved: (attack, ε) with the model's pixels and classes into the complete
 * spec that runs, is stored and is shown. `seed` seeds the attack's random draws (the run's seed, so a rerun repeats).
 */
export function resolveSuiteAttack(a: AttackSpec, epsilon: number, config: Pick<RunConfig, 'hparams'>, seed: number): ResolvedAttack {
  const { pixels, classes } = modelShape(config);
  return resolveAttack({ attack: a.attack, norm: a.norm, epsilon, steps: a.steps, stepSize: a.stepSize, randomStart: a.randomStart, restarts: a.restarts, targets: a.targets, queries: a.queries, pInit: a.pInit, seed }, pixels, classes);
}

/**
 * Checks every attack of a config against the one attack table (fgsm has one step, l2 ε within the image diameter,
 * apgd-t's targets below the class count, ...), so a bad suite is refused when the experiment is created and not after training.
 */
export function checkAttackSuite(config: Pick<RunConfig, 'hparams' | 'attacks'>): void {
  config.attacks.forEach((a, i) => {
    a.epsilons.forEach((epsilon, j) => {
      try {
        resolveSuiteAttack(a, epsilon, config, 0);
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
export function evalTasksFor(runId: string, config: Pick<RunConfig, 'hparams' | 'attacks' | 'seed'>, sources: SourceLookup, withClean = true): EvalTask[] {
  const tasks: EvalTask[] = [];
  if (withClean) tasks.push({ ...CLEAN_TASK });
  const seen = new Set<string>();
  for (const a of config.attacks) {
    const source = resolveSource(runId, a, sources);
    if (source === undefined) continue;
    for (const epsilon of a.epsilons) {
      const attack = resolveSuiteAttack(a, epsilon, config, config.seed);
      const task: EvalTask = { attack, sourceRunId: source?.runId ?? null, sourceModelPath: source?.modelPath ?? null, gallery: true, testSize: a.testSize ?? null };
      const key = JSON.stringify([attack, task.sourceRunId, task.testSize]);
      if (seen.has(key)) continue;
      seen.add(key);
      tasks.push(task);
    }
  }
  return tasks;
}

/** An evaluate request as an attack suite entry (its source is the request's transfer source, or the run itself). */
export function attackSuiteOf(req: EvaluateRequestParsed): AttackSpec {
  const { runId: _runId, sourceRunId, dataset: _dataset, testSize: _testSize, ...attack } = req;
  return { ...attack, source: sourceRunId ?? 'self' };
}

/** Tasks for attacks the service already resolved (an evaluate request); undefined source = skipped with a warning. */
export function evalTasksForResolved(runId: string, attacks: readonly ResolvedAttack[], source: AttackSpec['source'], sources: SourceLookup): EvalTask[] {
  const s = resolveSource(runId, { attack: attacks[0]?.attack ?? 'fgsm', norm: 'infinity', epsilons: [0], source }, sources);
  if (s === undefined) return [];
  // the request's test size is the job's own test split (EvaluateJob.test), not a part of it
  return attacks.map((attack) => ({ attack, sourceRunId: s?.runId ?? null, sourceModelPath: s?.modelPath ?? null, gallery: true, testSize: null }));
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
