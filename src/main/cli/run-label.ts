// How the CLI names a run of an experiment in progress lines and tables: "base", or its defence's label ("adv" for NSL).
import { type RunSummary } from '../../shared/contract';
import { defenceLabel } from '../../shared/defences';

export function runLabel(run: Pick<RunSummary, 'role'> & { defence?: RunSummary['defence'] }): string {
  if (run.role === 'base' || !run.defence) return run.role;
  return defenceLabel(run.defence);
}
