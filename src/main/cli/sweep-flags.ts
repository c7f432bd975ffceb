// `rlab sweep` flags: `--grid PATH=V1,V2` (repeatable) as sweep axes, the base config from the run flags, and the
// sweep's own (--seeds, --random, --workers, --yes). Text becomes numbers, words and true/false here; every rule is the
// shared schema's and planner's (src/shared/sweep-spec.ts, sweep-plan.ts).
import { type ExperimentConfigInput } from '../../shared/schemas';
import { axisValueOf, type AxisValue, type SweepSpecInput } from '../../shared/sweep-spec';
import { type FlagSpec, type Flags, UsageError } from './args';
import { RUN_FLAGS, seedsFlag } from './run-flags';

export const SWEEP_FLAGS: readonly FlagSpec[] = [
  { name: 'grid', type: 'string', value: 'PATH=V1,V2,..', repeatable: true, help: 'one axis: a config field and its values, e.g. advReg.multiplier=0.05,0.2,0.5 or defence=nsl,pgd-at (repeat for more axes)' },
  { name: 'random', type: 'string', value: 'N', help: 'run N cells drawn at random from the grid instead of all of them' },
  { name: 'random-seed', type: 'string', value: 'N', help: 'seed of that draw (default 0): the same seed draws the same cells' },
  { name: 'workers', type: 'string', value: 'N', help: "engine workers at once on this host (default: one per GPU, else one per 4 cores as memory allows)" },
  { name: 'yes', type: 'boolean', help: 'confirm a sweep of more than 1,000 cells' },
  { name: 'queue', type: 'string', value: 'redis://HOST:PORT', help: 'send the jobs to `rlab worker` processes through BullMQ on this Redis (rediss:// for TLS; the password in the URL is never printed)' },
  { name: 'plan', type: 'boolean', help: 'print the cells and the estimated cost, start nothing' },
  { name: 'detach', type: 'boolean', help: 'start the sweep and return (a running host — rlab serve, the app — runs it)' },
  // the base config: a preset or a config file with run flags laid over it; --seeds are the seeds of every cell
  ...RUN_FLAGS.filter((f) => f.name !== 'out'),
];

/** `PATH=V1,V2` as an axis; the path and values are checked by the planner, against the config, naming the axis. */
export function gridAxis(text: string): { path: string; values: AxisValue[] } {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`--grid must be PATH=V1,V2,.. such as advReg.multiplier=0.05,0.2 (got "${text}")`);
  const path = text.slice(0, eq).trim();
  const raw = text.slice(eq + 1).split(',').map((v) => v.trim());
  if (raw.length === 1 && raw[0] === '') throw new UsageError(`--grid ${path}= has no values: give at least one, e.g. ${path}=0.1,0.2`);
  if (raw.some((v) => v === '')) throw new UsageError(`--grid ${path} has an empty value in "${text}"`);
  return { path, values: raw.map(axisValueOf) };
}

/** The createSweep spec (not yet validated: the host does that, once). */
export function sweepSpec(flags: Flags, base: ExperimentConfigInput): SweepSpecInput {
  const axes = flags.all('grid').map(gridAxis);
  if (axes.length === 0) throw new UsageError('give at least one --grid PATH=V1,V2 (e.g. --grid advReg.multiplier=0.05,0.2,0.5)');
  const seeds = seedsFlag(flags);
  const random = flags.int('random');
  const randomSeed = flags.int('random-seed');
  // the base keeps its own seeds unless --seeds gives every cell's
  const { seeds: _s, seed: _seed, ...rest } = base;
  return {
    name: flags.string('name') ?? `${base.name ?? 'sweep'} sweep`,
    base: seeds === undefined ? base : rest,
    axes,
    ...(seeds === undefined ? {} : { seeds }),
    ...(random === undefined ? {} : { random }),
    ...(randomSeed === undefined ? {} : { randomSeed }),
  };
}
