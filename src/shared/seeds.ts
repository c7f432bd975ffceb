// Which seed does what: an experiment's seeds give one run per (role, seed); its first seed fixes every run's data split.
import { type RunConfig } from './contract';

/** The seed of a run's train/test split: the experiment's seed (runs stored before seed groups split by their own seed). */
export function splitSeedOf(config: Pick<RunConfig, 'seed' | 'splitSeed'>): number {
  return config.splitSeed ?? config.seed;
}

/** The name of one run of an experiment: a seed is named only when the experiment has several. */
export function runName(experimentName: string, role: string, seed: number, seedCount: number): string {
  return seedCount > 1 ? `${experimentName} · ${role} · seed ${seed}` : `${experimentName} · ${role}`;
}
