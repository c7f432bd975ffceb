// `rlab run` against a real lab service on a temporary home: the service validates the request once (sizes, dataset,
// base model, defences), the CLI says its refusals in flag terms (field-flags.ts), and nothing is stored.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliContext, type CliLab, type LabAccess } from '../../../../src/main/cli/context';
import { runCli } from '../../../../src/main/cli/main';
import { createLabService } from '../../../../src/main/lab/service/service';

const homes: string[] = [];
const newHome = (): string => {
  const h = mkdtempSync(path.join(os.tmpdir(), 'rlab-run-validation-'));
  homes.push(h);
  return h;
};
let home: string;
beforeAll(() => {
  home = newHome();
});
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

/** A context whose lab is the real service on `home`, opened for what the command asks (closed by the command). */
function realContext(home: string = globalHome()): CliContext & { stderr(): string; stdout(): string; opened(): number } {
  let out = '';
  let err = '';
  let opened = 0;
  return {
    io: { out: (t) => void (out += t), err: (t) => void (err += t), errIsTTY: false },
    home: () => home,
    openLab: async (access: LabAccess = 'jobs') => {
      opened++;
      return (await createLabService({ home, access })) as unknown as CliLab;
    },
    onInterrupt: () => () => undefined,
    stdout: () => out,
    stderr: () => err,
    opened: () => opened,
  };
}

const globalHome = (): string => home;

async function stored(home: string = globalHome()): Promise<{ experiments: number; jobs: number }> {
  const lab = await createLabService({ home, access: 'read' });
  try {
    return { experiments: (await lab.listExperiments({})).length, jobs: (await lab.listJobs({})).length };
  } finally {
    await lab.close();
  }
}

const TINY = ['--preset', 'quick', '--epochs', '1', '--conv-filters', '4', '--fc-units', '8'];

describe('rlab run: the service refuses, the message names the flag and its range, nothing is stored', () => {
  it.each([
    [['--train-size', '9700', '--test-size', '400'], 'rlab run: --train-size must be in [1, 9600]: dataset "mnist-sample" has 10000 images and --test-size takes 400 (got 9700)'],
    [['--test-size', '10000'], 'rlab run: --test-size must be in [1, 9999]: dataset "mnist-sample" has 10000 images and one at least trains (got 10000)'],
    [['--dataset', 'imported:other'], 'rlab run: --dataset names no dataset the lab has: "other" (known: "mnist-sample", "mnist", "fashion-mnist"); import it first'],
    [['--base-model', '/nonexistent/model.json'], 'rlab run: --base-model must be the model.json of a saved TF.js layers model (/nonexistent/model.json does not exist)'],
    [['--batch-size', '0'], 'rlab run: --batch-size must be ≥ 1 (got 0)'],
    [['--lr', '2'], 'rlab run: --lr must be ≤ 1 (got 2)'],
    [['--lr-milestones', '1'], 'rlab run: --lr-milestones must each be below epochs (1): after epoch 1 no epoch is left to decay'],
    [['--adv-step-size', '0'], 'rlab run: --adv-step-size must be > 0 (got 0)'],
    [['--adv-multiplier', '-0.5'], 'rlab run: --adv-multiplier must be ≥ 0 (got -0.5)'],
    [['--adv-grad-norm', 'l7'], 'rlab run: --adv-grad-norm must be one of "l2", "l1", "infinity" (got "l7")'],
    [['--pgd-epsilon', '-1'], 'rlab run: --pgd-epsilon must be > 0 (got -1)'],
    [['--defence', 'trades', '--trades-beta', '-1'], 'rlab run: --trades-beta must be ≥ 0 (got -1)'],
    [['--defence', 'mart', '--mart-beta', '1001'], 'rlab run: --mart-beta must be ≤ 1000 (got 1001)'],
    [['--defence', 'pgd-at', '--eps', '2'], 'rlab run: --eps must be in (0, 1] for norm infinity (got 2)'],
    [['--defence', 'pgd-at', '--eps', '0.3', '--attack-step-size', '0.5'], 'rlab run: --attack-step-size must be in (0, epsilon = 0.3] (got 0.5)'],
    [['--defence', 'pgd-at', '--attack-steps', '0'], 'rlab run: --attack-steps must be ≥ 1 (got 0)'],
    [['--defence', 'fast-at', '--fast-alpha', '1'], 'rlab run: --fast-alpha must be in (0, 2.5 · epsilon = 0.75] (got 1)'],
    [['--defence', 'fast-at', '--overfit-drop', '0'], 'rlab run: --overfit-drop must be > 0 (got 0)'],
    // the second defence's β is named by its own flag
    [['--defence', 'trades,mart', '--trades-beta', '1', '--mart-beta', '-2'], 'rlab run: --mart-beta must be ≥ 0 (got -2)'],
  ])('%j', async (argv, line) => {
    const ctx = realContext();
    expect(await runCli(['run', ...TINY, ...argv], ctx)).toBe(2);
    expect(ctx.stderr().startsWith(line), ctx.stderr()).toBe(true);
    expect(ctx.stderr().trimEnd().split('\n')).toHaveLength(1);
    expect(ctx.stdout()).toBe('');
    expect(await stored()).toEqual({ experiments: 0, jobs: 0 });
  });

  it('a flag that overrides a --config file is named as the flag; a field only the file set, as the file\'s path', async () => {
    const file = path.join(home, 'exp.json');
    writeFileSync(file, JSON.stringify({ config: { hparams: { epochs: 2 }, data: { trainSize: 9900, testSize: 400 } } }));
    const flag = realContext();
    expect(await runCli(['run', '--config', file, '--epochs', '0'], flag)).toBe(2);
    expect(flag.stderr()).toMatch(/^rlab run: --epochs must be ≥ 1 \(got 0\)/);
    const inFile = realContext();
    expect(await runCli(['run', '--config', file], inFile)).toBe(2);
    expect(inFile.stderr()).toBe(`rlab run: --config ${file}: config.data.trainSize must be in [1, 9600]: dataset "mnist-sample" has 10000 images and config.data.testSize takes 400 (got 9900)\n`);
    expect(await stored()).toEqual({ experiments: 0, jobs: 0 });
  });

  it('a model whose input does not fit the dataset is refused before anything is stored', async () => {
    const home = newHome();
    const file = path.join(home, 'shape.json');
    writeFileSync(file, JSON.stringify({ hparams: { inputShape: [32, 32, 1], convFilters: [4], numFcUnits: [8], epochs: 1 }, data: { trainSize: 64, testSize: 32 } }));
    const ctx = realContext(home);
    expect(await runCli(['run', '--config', file], ctx)).toBe(2);
    expect(ctx.stderr()).toBe(`rlab run: --config ${file}: hparams.inputShape must be [28, 28, 1] for dataset mnist-sample (got [32, 32, 1])\n`);
    expect(await stored(home)).toEqual({ experiments: 0, jobs: 0 });
  });
});

describe('rlab run: defence flags that no chosen defence takes', () => {
  it.each([
    [['--defence', 'pgd-at', '--trades-beta', '6'], 'rlab run: --trades-beta is a parameter of trades; the defences here are pgd-at (give --defence trades)'],
    [['--lr-max', '0.01'], 'rlab run: --lr-max is a parameter of fast-at; the defences here are the default nsl (give --defence fast-at)'],
    [['--defence', 'standard', '--eps', '0.3'], 'rlab run: --eps is a parameter of pgd-at, trades, mart, fast-at; the defences here are standard only (give --defence pgd-at)'],
    [['--defence', 'pgd-at', '--random-start', '--no-random-start'], 'rlab run: give either --random-start or --no-random-start, not both'],
    [['--defence', 'pgd-at,adversarial'], 'rlab run: --defence must be a comma-separated list of standard, nsl, pgd-at, trades, mart, fast-at (got "pgd-at,adversarial")'],
    [['--defence', 'trades,trades'], 'rlab run: --defence must not repeat a method (got "trades,trades")'],
  ])('%j are refused before the lab is opened', async (argv, line) => {
    const ctx = realContext();
    expect(await runCli(['run', ...TINY, ...argv], ctx)).toBe(2);
    expect(ctx.stderr()).toBe(`${line}\n`);
    expect(ctx.opened()).toBe(0);
  });
});

describe('rlab run --defence creates one run per defence with the flags on its fields', () => {
  it('standard + pgd-at + trades: a base run and two adv runs, each recording its complete defence', async () => {
    const lab = await createLabService({ home: newHome(), access: 'write' });
    const ctx = {
      ...realContext(),
      // a 'write' lab runs no jobs: the runs stay queued and the command is stopped once they exist
      openLab: async () => lab as unknown as CliLab,
    };
    const argv = ['run', ...TINY, '--defence', 'standard,pgd-at,trades', '--eps', '0.3', '--attack-steps', '40', '--trades-beta', '6', '--no-random-start', '--eps-ramp-epochs', '2'];
    const done = runCli(argv, ctx);
    let runs: Awaited<ReturnType<typeof lab.listRuns>> = [];
    for (let i = 0; i < 200 && runs.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 25));
      runs = await lab.listRuns({});
    }
    const configs = await Promise.all(runs.map(async (r) => (await lab.getRun({ runId: r.id })).config));
    for (const r of runs) await lab.cancelRun({ runId: r.id });
    await done;
    const byMethod = new Map(configs.map((c) => [c.defence?.method ?? c.role, c]));
    expect([...byMethod.keys()].sort()).toEqual(['pgd-at', 'standard', 'trades']);
    expect(byMethod.get('standard')!.role).toBe('base');
    expect(byMethod.get('pgd-at')!.defence).toMatchObject({ method: 'pgd-at', epsilon: 0.3, steps: 40, randomStart: false, epsilonRampEpochs: 2, stepSize: 0.01 });
    expect(byMethod.get('trades')!.defence).toMatchObject({ method: 'trades', epsilon: 0.3, steps: 40, beta: 6, epsilonRampEpochs: 2 });
    expect(byMethod.get('trades')!.defence).not.toHaveProperty('randomStart');
    expect(ctx.stderr()).toMatch(/^experiment exp_\w+ "quick": base run_\w+, pgd-at run_\w+, trades run_\w+$/m);
    // the service's estimate, one figure per run, printed once the runs exist
    expect(ctx.stderr()).toMatch(/^estimate: base about \d+ (s|min), pgd-at about [\d.]+ (s|min|h), trades about [\d.]+ (s|min|h); training about .*, attacks at most about .* \(speed of a 2-core laptop; this lab has no finished runs to measure\)$/m);
  });
});
