// `rlab run` flags build the createExperiment request; the service's parse of it (the same parseOrThrow, run here on
// the request the CLI sends) refuses bad values, and field-flags.ts says them as flags.
import { describe, expect, it } from 'vitest';
import { Flags, parseArgs } from '../../../../src/main/cli/args';
import { inFlagTerms, RUN_FIELD_FLAGS as FIELD_FLAGS, runFieldFlags } from '../../../../src/main/cli/field-flags';
import { flagForField, withFlagName } from '../../../../src/main/cli/flag-errors';
import { buildRunConfig, RUN_FLAGS } from '../../../../src/main/cli/run-flags';
import { LAB_REQUEST_SCHEMAS } from '../../../../src/shared/contract';
import { commandHelp } from '../../../../src/main/cli/commands/help';
import { runCommand } from '../../../../src/main/cli/commands/run';
import { DEFENCE_METHODS, type DefenceMethod } from '../../../../src/shared/defences';
import { PRESET_NAMES } from '../../../../src/shared/presets';
import { parseOrThrow } from '../../../../src/shared/validate';

const request = (...argv: string[]) => buildRunConfig(new Flags(parseArgs(argv, RUN_FLAGS, 'run')));
/** The config as the service parses it. */
const config = (...argv: string[]) => parseOrThrow(LAB_REQUEST_SCHEMAS.createExperiment, { config: request(...argv) }).config;
/** What `rlab run` prints for these flags: a flag-parsing refusal, or the service's refusal in flag terms. */
function refusal(...argv: string[]): string {
  try {
    const input = request(...argv);
    parseOrThrow(LAB_REQUEST_SCHEMAS.createExperiment, { config: input });
    return 'accepted';
  } catch (err) {
    const methods = (err instanceof Error && err.name === 'UsageError' ? [] : ((request(...argv).defences ?? []).map((d) => d.method) as DefenceMethod[]));
    return (inFlagTerms(err, runFieldFlags(methods)) as Error).message;
  }
}

describe('rlab run presets', () => {
  it('mnist-tutorial is the NSL tutorial configuration', () => {
    const c = config('--preset', 'mnist-tutorial');
    expect(c.hparams).toMatchObject({ model: 'cnn', convFilters: [32, 64, 64], kernelSize: 3, poolSize: 2, numFcUnits: [64], batchSize: 32, epochs: 5, learningRate: 0.001, optimizer: 'adam' });
    // the notebook's adv_config: no clipping while training
    expect(c.advReg).toEqual({ multiplier: 0.2, advStepSize: 0.2, advGradNorm: 'infinity', pgdIterations: 1, randomInit: false });
    expect(c.runs).toEqual(['base', 'adv']);
  });

  it('mnist-tutorial-clipped clips the neighbours to [0, 1]', () => {
    expect(config('--preset', 'mnist-tutorial-clipped').advReg).toMatchObject({ clipValueMin: 0, clipValueMax: 1, advStepSize: 0.2 });
  });

  it('is the default preset', () => {
    expect(config()).toEqual(config('--preset', 'mnist-tutorial'));
  });

  it('quick is one epoch on 1,600 train / 400 test digits', () => {
    const c = config('--preset=quick');
    expect(c.hparams.epochs).toBe(1);
    expect(c.data).toEqual({ dataset: { kind: 'mnist-sample' }, trainSize: 1600, testSize: 400 });
    expect(c.advReg.advStepSize).toBe(0.2);
  });

  it("ends with the preset's suite: FGSM transfer from base and white-box, then PGD-20 at ε 0.2", () => {
    expect(config().attacks.slice(0, 3)).toEqual([
      expect.objectContaining({ attack: 'fgsm', norm: 'infinity', epsilons: [0.05, 0.1, 0.2, 0.3], source: 'base' }),
      expect.objectContaining({ attack: 'fgsm', norm: 'infinity', epsilons: [0.05, 0.1, 0.2, 0.3], source: 'self' }),
      expect.objectContaining({ attack: 'pgd', norm: 'infinity', epsilons: [0.2], steps: 20, randomStart: true, source: 'self' }),
    ]);
  });
});

describe('rlab run flags', () => {
  it('lay every HParam and adversarial setting over the preset', () => {
    const c = config(
      ...['--preset', 'quick', '--epochs', '2', '--batch-size', '16', '--conv-filters', '4,8', '--kernel-size', '5', '--pool-size', '3', '--fc-units', '8,4'],
      ...['--lr', '0.01', '--model', 'mlp', '--optimizer', 'sgd', '--adv-multiplier', '0.5', '--adv-step-size', '0.05', '--adv-grad-norm', 'l2'],
      ...['--clip-min', '-1', '--clip-max', '2', '--pgd-iterations', '3', '--pgd-epsilon', '0.3', '--random-init', '--train-size', '256', '--test-size', '128'],
      ...['--seed', '7', '--name', 'tiny', '--runs', 'adv', '--tags', 'a,b', '--dataset', 'fashion-mnist', '--lr-milestones', '1', '--lr-gamma', '0.5'],
    );
    expect(c.hparams).toMatchObject({ epochs: 2, batchSize: 16, convFilters: [4, 8], kernelSize: 5, poolSize: 3, numFcUnits: [8, 4], learningRate: 0.01, lrMilestones: [1], lrGamma: 0.5, model: 'mlp', optimizer: 'sgd' });
    expect(c.advReg).toMatchObject({ multiplier: 0.5, advStepSize: 0.05, advGradNorm: 'l2', clipValueMin: -1, clipValueMax: 2, pgdIterations: 3, pgdEpsilon: 0.3, randomInit: true });
    expect(c.data).toEqual({ dataset: { kind: 'fashion-mnist' }, trainSize: 256, testSize: 128 });
    expect(c).toMatchObject({ seed: 7, name: 'tiny', runs: ['adv'], tags: ['a', 'b'] });
  });

  it('read an imported dataset as imported:ID', () => {
    expect(config('--dataset', 'imported:my-digits').data.dataset).toEqual({ kind: 'imported', id: 'my-digits' });
  });

  it.each([
    [['--preset', 'huge'], `--preset must be one of ${PRESET_NAMES.join(', ')} (got "huge")`],
    [['--adv-step-size', '0'], '--adv-step-size must be > 0 (got 0)'],
    [['--adv-step-size', '-0.1'], '--adv-step-size must be > 0 (got -0.1)'],
    [['--adv-multiplier', '-1'], '--adv-multiplier must be ≥ 0 (got -1)'],
    [['--adv-grad-norm', 'l3'], '--adv-grad-norm must be one of "l2", "l1", "infinity" (got "l3")'],
    [['--pgd-epsilon', '0'], '--pgd-epsilon must be > 0 (got 0)'],
    [['--batch-size', '0'], '--batch-size must be ≥ 1 (got 0)'],
    [['--epochs', '1001'], '--epochs must be ≤ 1000 (got 1001)'],
    [['--model', 'rnn'], '--model must be one of "cnn", "mlp" (got "rnn")'],
    [['--conv-filters', '32,0'], '--conv-filters must be ≥ 1 (got 0)'],
    [['--lr', '0'], '--lr must be > 0 (got 0)'],
    [['--epochs', '5', '--lr-milestones', '3,2'], '--lr-milestones must be strictly increasing (got 3, 2)'],
    [['--epochs', '5', '--lr-milestones', '5'], '--lr-milestones must each be below epochs (5): after epoch 5 no epoch is left to decay'],
    [['--lr-milestones', 'ten'], '--lr-milestones must be'],
    [['--lr-gamma', '0'], '--lr-gamma must be > 0 (got 0)'],
    [['--lr-gamma', '2'], '--lr-gamma must be ≤ 1 (got 2)'],
    [['--clip-min', '1', '--clip-max', '0'], '--clip-max must be ≥ --clip-min (1) (got 0)'],
    [['--runs', 'base,base'], '--runs must not repeat a role'],
    [['--runs', 'big'], '--runs must be one of "base", "adv" (got "big")'],
    [['--dataset', 'cifar'], '--dataset must be one of mnist-sample, mnist, fashion-mnist, imported:ID (got "cifar")'],
    [['--seed', '-3'], '--seed must be ≥ 0 (got -3)'],
  ])('%j → %s', (argv, message) => {
    expect(refusal(...argv)).toContain(message);
  });

  it('name the l1 + pgd-epsilon conflict by flag', () => {
    expect(refusal('--adv-grad-norm', 'l1', '--pgd-epsilon', '0.1')).toMatch(/^--pgd-epsilon cannot be used with --adv-grad-norm "l1"/);
  });

  it('send a relative --base-model as this shell\'s absolute path (the host may run elsewhere)', () => {
    expect(request('--base-model', 'm/model.json').baseModelPath).toBe(`${process.cwd()}/m/model.json`);
  });
});

describe('flag names in messages', () => {
  it('map schema paths, list items and bare service field names to flags', () => {
    expect(flagForField('hparams.batchSize', FIELD_FLAGS)).toBe('--batch-size');
    expect(flagForField('config.hparams.convFilters.1', FIELD_FLAGS)).toBe('--conv-filters');
    expect(flagForField('trainSize', FIELD_FLAGS)).toBe('--train-size');
    expect(flagForField('model.json', FIELD_FLAGS)).toBeUndefined();
    expect(flagForField('attacks.0.epsilons.0', FIELD_FLAGS)).toBeUndefined();
  });

  it('rewrite the service data-size message in flag terms', () => {
    const msg = 'trainSize + testSize must be ≤ 10000, the number of examples in "mnist-sample" (got 20000 + 400)';
    expect(withFlagName(msg, 'trainSize', FIELD_FLAGS)).toBe('--train-size + --test-size must be ≤ 10000, the number of examples in "mnist-sample" (got 20000 + 400)');
    expect(withFlagName('cannot read model.json', 'config.baseModelPath', FIELD_FLAGS)).toBe('--base-model: cannot read model.json');
  });
});

describe('rlab run --defence', () => {
  it('standard alone is the base run; other methods add one adv run each, after the base run', () => {
    expect(request('--defence', 'standard')).toMatchObject({ runs: ['base'] });
    expect(request('--defence', 'standard').defences).toBeUndefined();
    expect(request('--defence', 'pgd-at,trades')).toMatchObject({ runs: ['base', 'adv'], defences: [{ method: 'pgd-at' }, { method: 'trades' }] });
    expect(request('--defence', 'standard,mart', '--runs', 'adv')).toMatchObject({ runs: ['adv'], defences: [{ method: 'mart' }] });
  });

  it('puts each parameter flag on the fields of every chosen defence that takes it', () => {
    const c = config('--defence', 'trades,pgd-at,fast-at', '--trades-beta', '1', '--eps', '0.2', '--attack-steps', '7', '--no-random-start', '--lr-max', '0.01', '--no-cyclic-lr', '--no-overfit-guard', '--fast-alpha', '0.25');
    expect(c.defences).toEqual([
      { method: 'trades', norm: 'infinity', epsilon: 0.2, steps: 7, stepSize: 0.01, epsilonRampEpochs: 0, beta: 1 },
      { method: 'pgd-at', norm: 'infinity', epsilon: 0.2, steps: 7, stepSize: 0.01, epsilonRampEpochs: 0, randomStart: false },
      { method: 'fast-at', norm: 'infinity', epsilon: 0.2, alpha: 0.25, cyclicLr: false, lrMax: 0.01, overfitGuard: false, overfitDrop: 0.2 },
    ]);
  });

  it("without --defence, applies the parameter flags to a starting config's defences", () => {
    const c = config('--preset', 'mnist-defences', '--trades-beta', '2');
    expect(c.defences.find((d) => d.method === 'trades')).toMatchObject({ beta: 2 });
    expect(c.defences.find((d) => d.method === 'mart')).not.toMatchObject({ beta: 2 });
  });

  it('rlab help run lists every defence flag with the defences that take it and their defaults', () => {
    const help = commandHelp(runCommand);
    expect(help).toMatch(/--trades-beta X\s+weight β of the KL term \(≥ 0\) \[trades; default 6\]/);
    expect(help).toMatch(/--attack-steps N\s+inner maximisation steps \[pgd-at, trades, mart; default 40\]/);
    expect(help).toMatch(/--no-overfit-guard\s+no early stop on catastrophic overfitting \[fast-at; default on\]/);
    expect(help).toContain('--fast-alpha X');
    for (const m of DEFENCE_METHODS) expect(help).toContain(`  ${m} `);
  });
});
