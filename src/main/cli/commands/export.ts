// `rlab export <run_id>`: writes a trained run's model as a TF.js folder or one ONNX file, with its metadata.
import { ExportModelRequestSchema } from '../../../shared/schemas';
import { type FlagSpec, Flags, parseArgs, positionals, UsageError } from '../args';
import { type Command, EXIT_OK, JSON_FLAG, printJson, withLab } from '../command';
import { EXPORT_FIELD_FLAGS } from '../field-flags';
import { checkWithFlags } from '../flag-errors';
import { FORCE_FLAG, forceHint, outPath } from '../out-path';

const FORMATS = ['tfjs', 'onnx'] as const;

const FLAGS: readonly FlagSpec[] = [
  { name: 'out', type: 'string', value: 'PATH', help: 'tfjs: a new or empty folder (model.json, weights.bin, README.txt, metadata.json); onnx: a new file ending in .onnx, or a new or empty folder that gets model.onnx (required)' },
  { name: 'format', type: 'string', value: FORMATS.join('|'), help: 'model format; default onnx when --out ends in .onnx, else tfjs' },
  FORCE_FLAG,
  JSON_FLAG,
];

export const exportCommand: Command = {
  name: 'export',
  summary: 'write a trained run\'s model as TF.js (folder) or ONNX (file), with README and metadata',
  usage: 'rlab export <run_id> --out PATH [--format tfjs|onnx] [--force] [--json]',
  flags: FLAGS,
  async run(argv, ctx) {
    const parsed = parseArgs(argv, FLAGS, 'export');
    const [runId] = positionals(parsed, ['run_id'], 'export') as [string];
    const flags = new Flags(parsed);
    const format = flags.oneOf('format', FORMATS);
    const out = flags.string('out');
    if (out === undefined) throw new UsageError('--out is required: a folder for --format tfjs, or a file ending in .onnx for --format onnx');
    const force = flags.bool('force');
    const input = { runId, format: format ?? (/\.onnx$/i.test(out) ? 'onnx' : 'tfjs'), outDir: outPath(out), ...(force ? { force } : {}) };
    const request = checkWithFlags(ExportModelRequestSchema, input, EXPORT_FIELD_FLAGS);
    // 'write': the export is recorded as the run's artifact; the job queue is left alone and no worker starts
    const { files } = await withLab(ctx, (lab) => lab.exportModel(request).catch(forceHint), 'write');
    if (flags.bool('json')) printJson(ctx, { runId, format: request.format, files });
    else ctx.io.out(files.map((f) => `${f}\n`).join(''));
    return EXIT_OK;
  },
};
