// `rlab data ls | download | import`: the datasets the lab trains and evaluates on, through the LabApi dataset methods.
import path from 'node:path';
import { type DatasetInfo, type DatasetProgressEvent } from '../../../shared/contract';
import { DownloadDatasetRequestSchema, ImportDatasetRequestSchema } from '../../../shared/schemas';
import { type FlagSpec, Flags, parseArgs, positionals, UsageError } from '../args';
import { type Command, EXIT_OK, JSON_FLAG, printJson, withLab } from '../command';
import { type CliContext, type CliIo } from '../context';
import { DATA_FIELD_FLAGS } from '../field-flags';
import { checkWithFlags } from '../flag-errors';
import { table } from '../format';

const LS_FLAGS: readonly FlagSpec[] = [JSON_FLAG];
const DOWNLOAD_FLAGS: readonly FlagSpec[] = [JSON_FLAG];
const IMPORT_FLAGS: readonly FlagSpec[] = [
  { name: 'name', type: 'string', value: 'NAME', help: 'name of the new dataset (required)' },
  { name: 'idx', type: 'string', value: 'IMAGES LABELS', help: 'an IDX images file and its labels file (gzipped or not)' },
  { name: 'png-folder', type: 'string', value: 'DIR', help: 'a folder with one subfolder of 28×28 PNG files per class' },
  JSON_FLAG,
];

const SUBCOMMANDS = ['ls', 'download', 'import'] as const;
const REMOTE = DownloadDatasetRequestSchema.shape.kind.options;

/** How `rlab run --dataset` / `rlab eval --dataset` name a dataset. */
function specName(d: DatasetInfo): string {
  return d.kind === 'imported' ? `imported:${d.id}` : d.id;
}

function describe(d: DatasetInfo): string {
  return `${d.name} as ${specName(d)}: ${d.count.toLocaleString('en-US')} images, ${d.classNames.length} classes`;
}

async function ls(argv: readonly string[], ctx: CliContext): Promise<number> {
  const parsed = parseArgs(argv, LS_FLAGS, 'data ls');
  positionals(parsed, [], 'data ls');
  const all = await withLab(ctx, (lab) => lab.listDatasets({}), 'write');
  if (new Flags(parsed).bool('json')) {
    printJson(ctx, all);
    return EXIT_OK;
  }
  const rows = all.map((d) => [specName(d), d.name, d.available ? d.count.toLocaleString('en-US') : '—', d.available ? 'ready' : d.kind === 'imported' ? 'unreadable' : `not downloaded (rlab data download ${d.id})`, d.source]);
  ctx.io.out(`${table(['dataset', 'name', 'images', 'status', 'source'], rows)}\n`);
  return EXIT_OK;
}

/** Bytes of the file being fetched, redrawn on a terminal; nothing when stderr is a pipe (the result line follows). */
function downloadProgress(io: CliIo, e: DatasetProgressEvent): void {
  if (!io.errIsTTY || e.done) return;
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  io.err(`\r${e.kind}: ${mb(e.receivedBytes)}${e.totalBytes === null ? '' : ` of ${mb(e.totalBytes)}`}\x1b[K`);
}

async function download(argv: readonly string[], ctx: CliContext): Promise<number> {
  const parsed = parseArgs(argv, DOWNLOAD_FLAGS, 'data download');
  const [kind] = positionals(parsed, ['dataset'], 'data download') as [string];
  const request = checkWithFlags(DownloadDatasetRequestSchema, { kind }, DATA_FIELD_FLAGS);
  const info = await withLab(
    ctx,
    async (lab) => {
      const off = lab.onDatasetProgress((e) => {
        if (e.kind === kind) downloadProgress(ctx.io, e);
      });
      try {
        return await lab.downloadDataset(request);
      } finally {
        off();
        if (ctx.io.errIsTTY) ctx.io.err('\r\x1b[K');
      }
    },
    'write',
  );
  if (new Flags(parsed).bool('json')) printJson(ctx, info);
  else ctx.io.out(`downloaded ${describe(info)}; train on it with rlab run --dataset ${specName(info)}\n`);
  return EXIT_OK;
}

/** --idx takes two values, IMAGES LABELS: the parser reads the first as the flag's value, the second stays a positional. */
function importSource(parsed: ReturnType<typeof parseArgs>, flags: Flags): { kind: 'idx'; imagesPath: string; labelsPath: string } | { kind: 'png-folder'; path: string } {
  const images = flags.string('idx');
  const folder = flags.string('png-folder');
  if (images !== undefined && folder !== undefined) throw new UsageError('give either --idx IMAGES LABELS or --png-folder DIR, not both');
  if (images !== undefined) {
    if (parsed.positionals.length === 0) throw new UsageError('--idx needs two files: --idx IMAGES LABELS (the labels file is missing)');
    const [labels] = positionals(parsed, ['LABELS'], 'data import --idx IMAGES') as [string];
    // resolved against the caller's folder: the lab's host may run elsewhere
    return { kind: 'idx', imagesPath: path.resolve(images), labelsPath: path.resolve(labels) };
  }
  if (folder !== undefined) {
    positionals(parsed, [], 'data import');
    return { kind: 'png-folder', path: path.resolve(folder) };
  }
  throw new UsageError('give what to import: --idx IMAGES LABELS or --png-folder DIR');
}

async function importData(argv: readonly string[], ctx: CliContext): Promise<number> {
  const parsed = parseArgs(argv, IMPORT_FLAGS, 'data import');
  const flags = new Flags(parsed);
  if (!flags.has('name')) throw new UsageError('--name is required: the name of the new dataset, e.g. --name my-digits');
  const request = checkWithFlags(ImportDatasetRequestSchema, { name: flags.string('name'), source: importSource(parsed, flags) }, DATA_FIELD_FLAGS);
  const info = await withLab(ctx, (lab) => lab.importDataset(request), 'write');
  if (flags.bool('json')) printJson(ctx, info);
  else ctx.io.out(`imported ${describe(info)}; train on it with rlab run --dataset ${specName(info)}\n`);
  return EXIT_OK;
}

const RUN = { ls, download, import: importData } satisfies Record<(typeof SUBCOMMANDS)[number], (argv: readonly string[], ctx: CliContext) => Promise<number>>;

export const dataCommand: Command = {
  name: 'data',
  summary: 'list, download (mnist, fashion-mnist) and import (IDX files, PNG folders) datasets',
  usage: `rlab data ls [--json] | data download ${REMOTE.join('|')} [--json] | data import --name NAME (--idx IMAGES LABELS | --png-folder DIR) [--json]`,
  flags: IMPORT_FLAGS,
  details: [
    'rlab data ls              every dataset: the bundled sample, MNIST and Fashion-MNIST (downloaded or not), imported ones',
    'rlab data download KIND   fetches the four official files (about 11–30 MB), checks their sha256 and caches them;',
    '                          RLAB_MNIST_MIRROR / RLAB_FASHION_MNIST_MIRROR name another folder URL to fetch from',
    'rlab data import          an IDX pair or a PNG folder (one subfolder per class) becomes dataset imported:ID',
    'With --json each prints the dataset record(s), with its id; train on one with rlab run --dataset ID (imported:ID).',
  ].join('\n'),
  async run(argv, ctx) {
    const [sub, ...rest] = argv;
    if (sub === undefined) throw new UsageError(`"rlab data" needs a subcommand: ${SUBCOMMANDS.join(', ')}`);
    if (!(SUBCOMMANDS as readonly string[]).includes(sub)) throw new UsageError(`unknown subcommand "${sub}"; rlab data subcommands: ${SUBCOMMANDS.join(', ')}`);
    return RUN[sub as (typeof SUBCOMMANDS)[number]](rest, ctx);
  },
};
