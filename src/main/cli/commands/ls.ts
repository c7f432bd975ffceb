// `rlab ls`: every run with its role, status, accuracies, engine and timing.
import { type RunSummary } from '../../../shared/contract';
import { comparableHeadlines, headlineName, referenceHeadline } from '../../../shared/headline';
import { checkpointMarker } from '../../../shared/model-evaluations';
import { ListRunsRequestSchema, RunStatusSchema } from '../../../shared/schemas';
import { type FlagSpec, Flags, parseArgs, positionals } from '../args';
import { type Command, EXIT_OK, JSON_FLAG, printJson, withLab } from '../command';
import { LS_FIELD_FLAGS } from '../field-flags';
import { checkWithFlags } from '../flag-errors';
import { duration, percent, table, when } from '../format';

const FLAGS: readonly FlagSpec[] = [
  { name: 'status', type: 'string', value: RunStatusSchema.options.join(','), help: 'only runs with these statuses' },
  { name: 'tag', type: 'string', value: 'TAG', help: 'only runs with this tag' },
  { name: 'search', type: 'string', value: 'TEXT', help: 'only runs whose name or id contains TEXT' },
  { name: 'experiment', type: 'string', value: 'exp_ID', help: 'only runs of this experiment' },
  { name: 'limit', type: 'string', value: 'N', help: 'at most N runs (default 1000)' },
  JSON_FLAG,
];

/** A checkpoint's clean accuracy says so: "61.00% (epoch 1 checkpoint)". */
const cleanText = (r: RunSummary): string => (r.cleanAccuracy !== null && r.measuredEpoch != null ? `${percent(r.cleanAccuracy)} (${checkpointMarker(r.measuredEpoch)})` : percent(r.cleanAccuracy));

/** Robust accuracies are ranked only against the headline most runs share; any other headline is marked incomparable. */
export function runsTable(runs: readonly RunSummary[]): string {
  const reference = referenceHeadline(runs);
  const robust = (r: RunSummary): string => {
    if (r.headline === null) return percent(r.robustAccuracy);
    return comparableHeadlines(r.headline, reference) ? percent(r.robustAccuracy) : `${percent(r.robustAccuracy)} (incomparable: ${headlineName(r.headline)})`;
  };
  const header = reference ? `robust (${headlineName(reference)})` : 'robust';
  return table(
    ['id', 'name', 'kind', 'status', 'clean', header, 'engine', 'started', 'duration'],
    runs.map((r) => [r.id, r.name, r.kind === 'imported' ? 'imported' : r.role, r.status, cleanText(r), robust(r), r.backend ?? '—', when(r.startedAt), duration(r.durationMs)]),
  );
}

export const lsCommand: Command = {
  name: 'ls',
  summary: 'list runs',
  usage: 'rlab ls [--status completed,failed] [--tag T] [--search TEXT] [--experiment exp_ID] [--limit N] [--json]',
  flags: FLAGS,
  async run(argv, ctx) {
    const parsed = parseArgs(argv, FLAGS, 'ls');
    positionals(parsed, [], 'ls');
    const flags = new Flags(parsed);
    const status = flags.string('status')?.split(',').map((s) => s.trim());
    const request = checkWithFlags(ListRunsRequestSchema, {
      ...(status ? { status } : {}),
      ...(flags.has('tag') ? { tag: flags.string('tag') } : {}),
      ...(flags.has('search') ? { search: flags.string('search') } : {}),
      ...(flags.has('experiment') ? { experimentId: flags.string('experiment') } : {}),
      ...(flags.has('limit') ? { limit: flags.int('limit') } : {}),
    }, LS_FIELD_FLAGS);
    const runs = await withLab(ctx, (lab) => lab.listRuns(request), 'read');
    if (flags.bool('json')) printJson(ctx, runs);
    else ctx.io.out(runs.length ? `${runsTable(runs)}\n` : 'no runs yet; start one with `rlab run --preset quick`\n');
    return EXIT_OK;
  },
};
