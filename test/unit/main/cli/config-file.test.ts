// The --config file: a config or a record holding one, checked by the shared schema, with errors naming the file and
// the field's path in it; flags laid over it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExperimentConfigSchema } from '../../../../src/shared/schemas';
import { Flags, parseArgs } from '../../../../src/main/cli/args';
import { loadConfigFile } from '../../../../src/main/cli/config-file';
import { runCli } from '../../../../src/main/cli/main';
import { buildRunConfig, RUN_FLAGS } from '../../../../src/main/cli/run-flags';
import { captureContext } from './test-context';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rlab-config-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(content: unknown): string {
  const f = path.join(dir, `c${n++}.json`);
  writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
  return f;
}

describe('loadConfigFile', () => {
  it('reads a bare config and a record holding one under "config" into the same parsed config', async () => {
    const config = { name: 'x', hparams: { epochs: 2 }, seeds: [1, 2] };
    const bare = await loadConfigFile(file(config));
    const record = await loadConfigFile(file({ id: 'exp_1', runs: [], config }));
    expect(bare.at).toBe('');
    expect(record.at).toBe('config');
    expect(record.config).toEqual(bare.config);
    expect(bare.config).toEqual(ExperimentConfigSchema.parse(config));
  });

  it('resolves a relative baseModelPath against the file’s folder', async () => {
    const { config } = await loadConfigFile(file({ baseModelPath: 'models/model.json' }));
    expect(config.baseModelPath).toBe(path.join(dir, 'models', 'model.json'));
  });

  it.each([
    [{ hparams: { epochs: 5000 } }, 'hparams.epochs must be ≤ 1000 (got 5000)'],
    [{ config: { advReg: { advStepSize: -1 } } }, 'config.advReg.advStepSize must be > 0 (got -1)'],
    [{ config: { data: { dataset: { kind: 'cifar' } } } }, 'config.data.dataset.kind'],
    [{ epochs: 3 }, 'unknown field "epochs"'],
    [{ config: { seed: 2, seeds: [1, 2] } }, 'config.seed must be the first of seeds (1)'],
  ])('names the file and the field path: %j', async (content, text) => {
    const f = file(content);
    await expect(loadConfigFile(f)).rejects.toThrow(`--config ${f}: ${text}`);
  });

  it('refuses what is not a config file without echoing its content', async () => {
    const secret = file('{"name": "hunter2", oops}');
    await expect(loadConfigFile(secret)).rejects.toThrow(new RegExp(`^--config ${secret} is not valid JSON`));
    await expect(loadConfigFile(secret)).rejects.not.toThrow(/hunter2/);
    await expect(loadConfigFile(file([1, 2]))).rejects.toThrow('must hold a JSON object');
    await expect(loadConfigFile(path.join(dir, 'missing.json'))).rejects.toThrow(`--config must be an existing JSON file (got ${path.join(dir, 'missing.json')})`);
    await expect(loadConfigFile(dir)).rejects.toThrow('is not a regular file');
    await expect(loadConfigFile(file({ config: {}, runs: [{ kind: 'imported' }] }))).rejects.toThrow('is the record of an imported model');
    await expect(loadConfigFile(file({ id: 'run_a1', experimentId: 'exp_b2', config: { role: 'base' } }))).rejects.toThrow("is the record of one run (run_a1); give its experiment's record instead: rlab show exp_b2 --json");
  });
});

describe('rlab run --config with flags', () => {
  // the request `rlab run` sends, as the service parses it
  const build = async (content: unknown, ...argv: string[]) => ExperimentConfigSchema.parse(buildRunConfig(new Flags(parseArgs(argv, RUN_FLAGS, 'run')), (await loadConfigFile(file(content))).config));

  it('lays the flags over the file’s fields and keeps the rest of the file', async () => {
    const c = await build({ name: 'from file', notes: 'kept', hparams: { epochs: 3, batchSize: 16 }, attacks: [{ attack: 'fgsm', epsilons: [0.1] }] }, '--epochs', '1', '--name', 'flag');
    expect(c).toMatchObject({ name: 'flag', notes: 'kept', hparams: { epochs: 1, batchSize: 16 } });
    expect(c.attacks).toEqual([expect.objectContaining({ attack: 'fgsm', epsilons: [0.1] })]);
  });

  it('--seed alone replaces the file’s seed list; --seeds replaces its seed', async () => {
    expect(await build({ seeds: [1, 2, 3] }, '--seed', '9')).toMatchObject({ seed: 9, seeds: [9] });
    expect(await build({ seed: 5 }, '--seeds', '7,8')).toMatchObject({ seed: 7, seeds: [7, 8] });
  });

  it('refuses --preset with --config and a bad file, naming the file, without opening the lab', async () => {
    const f = file({ hparams: { epochs: 2 } });
    for (const [argv, line] of [
      [['run', '--config', f, '--preset', 'quick'], 'rlab run: give either --preset or --config, not both: each is a whole starting config (flags then override its fields)'],
      [['run', '--config', file({ hparams: { epochs: 0 } })], 'rlab run: --config '],
    ] as const) {
      const ctx = captureContext();
      expect(await runCli(argv, ctx)).toBe(2);
      expect(ctx.stderr().startsWith(line), ctx.stderr()).toBe(true);
      expect(ctx.opened()).toBe(0);
    }
  });
});
